import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Each library is declared once, in the file that uses it: one //DEPS line per artifact in the whole
 * repository; and the scripts (and the suites that test them) resolve each library in one version.
 */
class DepsTest {
    /** The kit's scripts, which the bundle ships side by side with their libraries each once, and the suites that run them in-process. */
    static final List<String> RESOLVED_TOGETHER = List.of("migrate.java", "seed.java", "status.java", "verify.java", "tests/run.java", "tests/reliability.java");

    record Dep(String artifact, String version, String where) {}

    static List<Dep> deps() throws IOException {
        Path kit = TestSupport.kitDir();
        List<Dep> deps = new ArrayList<>();
        try (Stream<Path> files = Files.walk(kit)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> !kit.relativize(p).toString().matches("(.*/)?(\\.git|node_modules)/.*|bench/work/.*"))
                    .sorted().toList()) {
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    String line = lines.get(i).strip();
                    if (!line.startsWith("//DEPS ")) continue;
                    for (String coordinate : line.substring("//DEPS ".length()).trim().split("\\s+")) {
                        String[] parts = coordinate.replaceAll("@.*", "").split(":");
                        String artifact = parts[0] + ":" + (parts.length > 1 ? parts[1] : "");
                        deps.add(new Dep(artifact + (parts.length > 3 ? ":" + parts[3] : ""), parts.length > 2 ? parts[2] : "", kit.relativize(f) + ":" + (i + 1)));
                    }
                }
            }
        }
        assertFalse(deps.stream().noneMatch(d -> d.artifact().equals("info.picocli:picocli")), "no //DEPS line found under " + kit);
        return deps;
    }

    @Test
    void noArtifactIsDeclaredWithTwoVersions() throws IOException {
        Map<String, Map<String, List<String>>> versions = new TreeMap<>();
        for (Dep d : deps()) versions.computeIfAbsent(d.artifact(), k -> new TreeMap<>()).computeIfAbsent(d.version(), k -> new ArrayList<>()).add(d.where());
        versions.values().removeIf(v -> v.size() == 1);
        assertEquals(Map.of(), versions, "artifacts declared with different versions (artifact={version=[file:line]})");
    }

    @Test
    void everyArtifactIsDeclaredInOnePlace() throws IOException {
        Map<String, List<String>> where = new TreeMap<>();
        for (Dep d : deps()) where.computeIfAbsent(d.artifact(), k -> new ArrayList<>()).add(d.where());
        where.values().removeIf(v -> v.size() == 1);
        assertEquals(Map.of(), where, "artifacts declared more than once: keep the //DEPS line in the lib file that uses the library and //SOURCES that file");
    }

    @Test
    void everyDeclarationPinsAVersion() throws IOException {
        for (Dep d : deps()) assertFalse(d.version().isEmpty() || d.version().contains("+") || d.version().contains("["), d.where() + " does not pin a version: " + d);
    }

    /**
     * What JBang resolves for each script (`./jbang info classpath`), library by library: one version
     * everywhere. Two would mean a script runs on a version its tests do not (the suite's class path
     * is the union), and the bundle ships both side by side. A version pulled in by one library's
     * POM and managed down by another's (Flyway's parent POM manages JNA, slf4j-api and commons-lang3
     * for the class path it is on) shows here first: pin it with a //DEPS line beside the library that needs it.
     */
    @Test
    void theScriptsAndTheirSuitesResolveEveryLibraryInOneVersion() throws Exception {
        Map<String, Map<String, List<String>>> versions = new TreeMap<>();
        for (String script : RESOLVED_TOGETHER) {
            for (String entry : classPath(script)) {
                Path jar = Path.of(entry);
                if (jar.getParent() == null || jar.getParent().getParent() == null) continue;
                String version = jar.getParent().getFileName().toString();
                Path artifactDir = jar.getParent().getParent();
                String artifact = artifactDir.getFileName().toString();
                if (!jar.getFileName().toString().startsWith(artifact + "-" + version)) continue; // the script's own jar, in JBang's cache
                String name = artifactDir.toString().replaceFirst(".*/repository/", "");
                versions.computeIfAbsent(name, k -> new TreeMap<>()).computeIfAbsent(version, k -> new ArrayList<>()).add(script);
            }
        }
        assertFalse(versions.keySet().stream().noneMatch(a -> a.endsWith("info/picocli/picocli")), "no picocli on the scripts' class paths: " + versions.keySet());
        versions.values().removeIf(v -> v.size() == 1);
        assertEquals(Map.of(), versions, "libraries the scripts resolve in more than one version (library={version=[scripts]})");
    }

    /** `./jbang info classpath SCRIPT` from the kit's folder (it resolves and builds; it runs nothing, so no .env is read). */
    static List<String> classPath(String script) throws Exception {
        Path kit = TestSupport.kitDir();
        Path out = Files.createTempFile("classpath", ".txt"), err = Files.createTempFile("classpath", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(kit.resolve("jbang").toString(), "info", "classpath", script).directory(kit.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().clear();
            pb.environment().putAll(TestSupport.env());
            Process p = pb.start();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("./jbang info classpath " + script + " did not finish in 10 minutes");
            }
            assertEquals(0, p.exitValue(), "./jbang info classpath " + script + ":\n" + Files.readString(err));
            List<String> entries = new ArrayList<>(new TreeSet<>(List.of(Files.readString(out).strip().split(java.io.File.pathSeparator))));
            assertFalse(entries.size() < 2, "./jbang info classpath " + script + " printed no class path: " + Files.readString(out));
            return entries;
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
