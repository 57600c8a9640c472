import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The scripts as an operator runs them: through ./jbang, in their own JVM, with real exit codes. */
class LauncherTest {

    record Run(int code, String out, String err) {}

    static Run jbang(Map<String, String> env, String... args) throws Exception {
        TestSupport.Proc p = TestSupport.launch(env, args);
        int code = p.waitFor();
        return new Run(code, p.stdout(), p.stderr());
    }

    @Test
    void migrateSeedStatusThroughTheLauncher() throws Exception {
        String url = TestSupport.freshDatabase();
        Map<String, String> env = TestSupport.adminEnv(url);
        Run migrate = jbang(env, "migrate.java");
        assertEquals(0, migrate.code(), migrate.out() + migrate.err());
        assertTrue(migrate.out().contains("Applied 4 migrations"), migrate.out());
        Run again = jbang(env, "migrate.java");
        assertTrue(again.out().contains("up to date"), again.out());
        Run seed = jbang(env, "seed.java");
        assertEquals(0, seed.code(), seed.out() + seed.err());
        Run status = jbang(env, "status.java", "--json");
        assertEquals(0, status.code(), status.out() + status.err());
        JsonNode doc = Console.JSON.readTree(status.out());
        assertEquals("Database is up to date.", doc.get("verdict").asText());
        for (Run r : List.of(migrate, again, seed, status)) {
            TestSupport.assertNoSecrets(r.out() + r.err(), env);
            assertFalse((r.out() + r.err()).contains("SLF4J") || (r.out() + r.err()).contains("INFO:"), "library noise:\n" + r.err());
        }
    }

    @Test
    void exitCodesReachTheShell() throws Exception {
        assertEquals(2, jbang(TestSupport.env(), "migrate.java").code());
        assertEquals(3, jbang(TestSupport.env("DIRECT_URL", "postgresql://kit:x@localhost:1/x"), "status.java").code());
        Run help = jbang(TestSupport.env(), "seed.java", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("Exit codes:") && help.out().contains("--dry-run"), help.out());
    }

    @Test
    void anEditedScriptOutsideTheKitRunsItsNewText() throws Exception {
        Path dir = java.nio.file.Files.createTempDirectory("launcher-");
        Path script = dir.resolve("hello.java");
        for (String word : List.of("first", "second")) {
            java.nio.file.Files.writeString(script, "class hello { public static void main(String[] a) { System.out.println(\"" + word + "\"); } }\n");
            Run r = jbang(TestSupport.env(), script.toString());
            assertEquals(0, r.code(), r.err());
            assertEquals(word, r.out().strip(), "the launcher ran a stale build of " + script);
        }
    }

    @Test
    void everyCatalogAliasBuildsAndAnswersHelp() throws Exception {
        JsonNode catalog = Console.JSON.readTree(TestSupport.kitDir().resolve("jbang-catalog.json").toFile());
        List<String> aliases = new ArrayList<>();
        catalog.get("aliases").fieldNames().forEachRemaining(aliases::add);
        assertEquals(List.of("migrate", "seed", "status", "verify"), aliases);
        for (String alias : aliases) {
            Run r = jbang(TestSupport.env(), alias, "--help");
            assertEquals(0, r.code(), alias + ": " + r.err());
            assertTrue(r.out().startsWith("Usage: " + alias), alias + ": " + r.out());
        }
    }
}
