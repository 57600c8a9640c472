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
    void noUrlIsExit2AtTheShell() throws Exception {
        assertEquals(2, jbang(TestSupport.env(), "migrate.java").code());
    }

    @Test
    void anUnreachableDatabaseIsExit3AtTheShell() throws Exception {
        assertEquals(3, jbang(TestSupport.env("DIRECT_URL", "postgresql://kit:x@localhost:1/x"), "status.java").code());
    }

    @Test
    void helpIsExit0AndListsTheExitCodes() throws Exception {
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
    void aLinkToTheLauncherRunFromAnotherFolderWatchesTheKitsOwnFiles() throws Exception {
        linkedKitRunsEachEdit(true);
    }

    @Test
    void theLauncherFindingALinkToItselfOnPathDoesNotLoopAndWatchesTheKitsOwnFiles() throws Exception {
        linkedKitRunsEachEdit(false);
    }

    /** A small kit (the launcher, a script, a lib file it pulls in), a link to the launcher on PATH; each edit of the lib file is run, not a stale build. */
    static void linkedKitRunsEachEdit(boolean throughTheLink) throws Exception {
        Path kit = java.nio.file.Files.createTempDirectory("launcher-kit-");
        java.nio.file.Files.copy(TestSupport.kitDir().resolve("jbang"), kit.resolve("jbang"), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        java.nio.file.Files.createDirectories(kit.resolve("lib"));
        java.nio.file.Files.writeString(kit.resolve("hello.java"), "//SOURCES lib/Word.java\nclass hello { public static void main(String[] a) { System.out.println(Word.WORD); } }\n");
        Path bin = java.nio.file.Files.createTempDirectory("launcher-path-");
        java.nio.file.Files.createSymbolicLink(bin.resolve("jbang"), kit.resolve("jbang"));
        Map<String, String> env = TestSupport.env();
        env.put("PATH", bin + ":" + env.getOrDefault("PATH", "/usr/bin:/bin"));
        String launcher = (throughTheLink ? bin : kit).resolve("jbang").toString();
        for (String word : List.of("first", "second")) {
            java.nio.file.Files.writeString(kit.resolve("lib/Word.java"), "class Word { static final String WORD = \"" + word + "\"; }\n");
            ProcessBuilder pb = new ProcessBuilder(launcher, kit.resolve("hello.java").toString()).directory(bin.toFile()).redirectErrorStream(true);
            pb.environment().clear();
            pb.environment().putAll(env);
            Process p = pb.start();
            boolean finished = p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS);
            if (!finished) p.destroyForcibly();
            assertTrue(finished, launcher + " kept starting itself");
            String out = new String(p.getInputStream().readAllBytes());
            assertEquals(0, p.exitValue(), out);
            assertEquals(word, out.lines().reduce((a, b) -> b).orElse("").strip(), launcher + " ran a stale build: " + out);
        }
    }

    @Test
    void aScriptThatDoesNotCompileIsReportedOnceWithJBangsExitCode() throws Exception {
        Path script = java.nio.file.Files.createTempDirectory("launcher-broken-").resolve("broken.java");
        java.nio.file.Files.writeString(script, "class broken { public static void main(String[] a) { int x = \"not a number\"; } }\n");
        Run r = jbang(TestSupport.env(), script.toString());
        assertEquals(1, r.code(), "JBang's exit code for a script that does not compile: " + r.out() + r.err());
        assertEquals(1, r.err().lines().filter(l -> l.contains("incompatible types")).count(), "the compiler's complaint once:\n" + r.err());
    }

    @Test
    void aCatalogAliasStartsWithoutJBangsOwnJvmOnceKnownAndFollowsCatalogEdits() throws Exception {
        // a small kit: the launcher, two scripts and a catalog whose alias points at the first
        Path kit = java.nio.file.Files.createTempDirectory("launcher-alias-");
        java.nio.file.Files.copy(TestSupport.kitDir().resolve("jbang"), kit.resolve("jbang"), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        for (String word : List.of("first", "second")) {
            java.nio.file.Files.writeString(kit.resolve(word + ".java"), "class " + word + " { public static void main(String[] a) { System.out.println(\"" + word + " \" + String.join(\",\", a)); } }\n");
        }
        String catalog = "{\n  \"aliases\": {\n    \"hello\": {\n      \"script-ref\": \"%s.java\",\n      \"description\": \"says a word\"\n    }\n  }\n}\n";
        java.nio.file.Files.writeString(kit.resolve("jbang-catalog.json"), catalog.formatted("first"));
        Map<String, String> env = TestSupport.env();
        assertEquals("first a,b c", runIn(kit, env, "hello", "a", "b c"), "the alias with its arguments");
        // known now: JBang's own JVM is not started again (an option it cannot start with proves it),
        // exactly as for ./jbang first.java
        Map<String, String> noJBang = TestSupport.env("JBANG_JAVA_OPTIONS", "-XX:+NoSuchOptionRcDbkit");
        assertEquals("first x", runIn(kit, noJBang, "hello", "x"), "the alias started JBang again");
        assertEquals("first", runIn(kit, env, "first.java"));
        assertEquals("first y", runIn(kit, noJBang, "first.java", "y"));
        // the catalog changed: the alias follows it
        java.nio.file.Files.writeString(kit.resolve("jbang-catalog.json"), catalog.formatted("second") + " ");
        assertEquals("second z", runIn(kit, env, "hello", "z"));
    }

    /**
     * JBang keeps a //CDS script's class archive when it rebuilds the jar in place (build
     * --fresh), and Java then ignores the archive without a word: every start loads its classes
     * from the jars again. The launcher notices and has the archive written anew.
     */
    @Test
    void aClassArchiveOlderThanItsRebuiltJarIsWrittenAgain() throws Exception {
        Path kit = java.nio.file.Files.createTempDirectory("launcher-cds-");
        java.nio.file.Files.copy(TestSupport.kitDir().resolve("jbang"), kit.resolve("jbang"), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        java.nio.file.Files.writeString(kit.resolve("shared.java"), "//CDS\nclass shared { public static void main(String[] a) { System.out.println(\"shared\"); } }\n");
        Path cache = kit.resolve("jbang-cache");
        // this launcher, not a jbang on PATH
        Map<String, String> env = TestSupport.env("JBANG_CACHE_DIR", cache.toString(), "JBANG_LAUNCHER_NO_PATH", "1");
        for (int i = 0; i < 2; i++) assertEquals("shared", runIn(kit, env, "shared.java"));
        Path jar;
        try (var found = java.nio.file.Files.find(cache.resolve("jars"), 2, (f, a) -> f.getFileName().toString().equals("shared.jar"))) {
            jar = found.findFirst().orElseThrow();
        }
        Path archive = jar.resolveSibling("shared.jsa");
        assertTrue(java.nio.file.Files.isRegularFile(archive), "JBang wrote no class archive for a //CDS script");
        assertEquals("shared", archiveRun(env, jar, archive), "the archive JBang wrote does not fit its jar");

        Thread.sleep(20); // a rebuilt jar is newer than its archive
        runIn(kit, env, "build", "--fresh", "shared.java");
        assertTrue(java.nio.file.Files.getLastModifiedTime(jar).compareTo(java.nio.file.Files.getLastModifiedTime(archive)) > 0, "build --fresh did not rebuild the jar");
        for (int i = 0; i < 2; i++) assertEquals("shared", runIn(kit, env, "shared.java"));
        assertTrue(java.nio.file.Files.getLastModifiedTime(archive).compareTo(java.nio.file.Files.getLastModifiedTime(jar)) > 0, "the archive of the old jar was kept");
        assertEquals("shared", archiveRun(env, jar, archive), "the archive in use does not fit the rebuilt jar");
    }

    /** The script run with its archive required (-Xshare:on), on the java the launcher picks: Java refuses an archive written for another jar. */
    private static String archiveRun(Map<String, String> env, Path jar, Path archive) throws Exception {
        String home = env.get("JAVA_HOME");
        String javaCommand = home != null && java.nio.file.Files.isExecutable(Path.of(home, "bin", "java")) ? Path.of(home, "bin", "java").toString() : "java";
        Process p = new ProcessBuilder(javaCommand, "-Xshare:on", "-XX:SharedArchiveFile=" + archive, "-cp", jar.toString(), "shared").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    /** Runs the launcher in folder dir; returns its last output line, and fails on a non-zero exit. */
    private static String runIn(Path dir, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(dir.resolve("jbang").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "did not finish: " + out);
        assertEquals(0, p.exitValue(), String.join(" ", args) + ": " + out);
        return out.lines().reduce((a, b) -> b).orElse("").strip();
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
