import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Each library is declared once, in the file that uses it: one //DEPS line per artifact in the whole repository. */
class DepsTest {
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
}
