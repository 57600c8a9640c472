//SOURCES BundleSteps.java BundleScript.java
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipFile;

/**
 * The rule for which JDK modules the bundled runtime holds: what jdeps finds in the scripts' jars
 * and their libraries, plus what jdeps cannot see: the JDK modules whose classes the jars name in
 * strings (loaded by reflection), and those that provide a service the JDK looks up by name.
 */
final class BundleModules {
    /**
     * A running JDK finds these services' providers by name, never by a reference in code, so the
     * runtime gets every JDK module that provides one of them (jlink --suggest-providers): security
     * providers (TLS's key exchange and EC certificates need SunEC in jdk.crypto.ec), charsets (the
     * operator's locale names stdout's), and locale data (numbers and dates in the operator's
     * locale, as the full JDK of the JBang path formats them).
     */
    static final List<String> LOOKED_UP_BY_NAME = List.of(
            "java.security.Provider", "java.nio.charset.spi.CharsetProvider", "sun.util.locale.provider.LocaleDataMetaInfo");

    /** jdeps' modules for the scripts' jars and, recursively, their libraries; those named in strings; the providers of {@link #LOOKED_UP_BY_NAME}. */
    static TreeSet<String> of(List<BundleScript> scripts, Path lib) throws Exception {
        TreeSet<String> libraries = new TreeSet<>();
        for (BundleScript s : scripts) s.classPath(true).stream().skip(1).map(e -> lib.resolve(e).toString()).forEach(libraries::add);
        List<String> args = new ArrayList<>(List.of("--multi-release", String.valueOf(Runtime.version().feature()), "--ignore-missing-deps",
                "--print-module-deps", "--recursive", "--class-path", String.join(":", libraries)));
        for (BundleScript s : scripts) args.add(lib.resolve(s.name() + ".jar").toString());
        TreeSet<String> modules = new TreeSet<>();
        for (String m : BundleSteps.tool("jdeps", args.toArray(String[]::new)).strip().split(",")) if (!m.isBlank()) modules.add(m.strip());
        if (!modules.contains("java.base")) BundleSteps.fail(4, "jdeps found no modules in the scripts' jars.");
        TreeSet<Path> jars = new TreeSet<>();
        for (BundleScript s : scripts) s.classPath(true).stream().map(lib::resolve).forEach(jars::add);
        modules.addAll(namedInStrings(jars));
        String suggested = BundleSteps.tool("jlink", "--add-modules", String.join(",", modules), "--suggest-providers", String.join(",", LOOKED_UP_BY_NAME));
        Matcher m = Pattern.compile("(?m)^\\s*(\\S+) provides (\\S+) used by").matcher(suggested);
        while (m.find()) modules.add(m.group(1));
        return modules;
    }

    /**
     * The JDK modules whose classes the jars name in string constants: what they load by reflection
     * (Class.forName), which jdeps cannot see. zonky asks com.sun.security.auth.module.UnixSystem
     * (jdk.security.auth) whether it runs as root; libraries reach sun.misc.Unsafe (jdk.unsupported)
     * so. A name that is never loaded costs only its module's size.
     */
    static TreeSet<String> namedInStrings(TreeSet<Path> jars) throws IOException {
        Map<String, String> exportedBy = new HashMap<>();
        for (var m : ModuleFinder.ofSystem().findAll()) {
            for (var e : m.descriptor().exports()) if (!e.isQualified()) exportedBy.put(e.source(), m.descriptor().name());
        }
        TreeSet<String> modules = new TreeSet<>();
        for (Path jar : jars) {
            if (!Files.isRegularFile(jar)) continue;
            try (var zip = new ZipFile(jar.toFile())) {
                for (var entry : Collections.list(zip.entries())) {
                    if (!entry.getName().endsWith(".class")) continue;
                    try (var in = new DataInputStream(new BufferedInputStream(zip.getInputStream(entry)))) {
                        for (String name : stringConstants(in)) {
                            int dot = name.lastIndexOf('.');
                            if (dot <= 0 || !name.matches("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*\\.[A-Z][A-Za-z0-9_$]*")) continue;
                            String module = exportedBy.get(name.substring(0, dot));
                            if (module != null) modules.add(module);
                        }
                    }
                }
            }
        }
        return modules;
    }

    /** The string constants ("ldc" operands) of a class file, read from its constant pool (JVMS 4.4). */
    static List<String> stringConstants(DataInputStream in) throws IOException {
        in.readInt(); // magic
        in.readInt(); // minor, major version
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        List<Integer> strings = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 8 -> strings.add(in.readUnsignedShort());
                case 7, 16, 19, 20 -> in.readUnsignedShort();
                case 3, 4, 9, 10, 11, 12, 17, 18 -> in.readInt();
                case 5, 6 -> {
                    in.readLong();
                    i++; // a long or double takes two entries
                }
                case 15 -> {
                    in.readUnsignedByte();
                    in.readUnsignedShort();
                }
                default -> throw new IOException("a class file with constant pool tag " + tag + ", which this reader does not know");
            }
        }
        return strings.stream().map(i -> utf8[i]).filter(Objects::nonNull).toList();
    }

    private BundleModules() {}
}
