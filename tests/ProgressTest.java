import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 29 items 1-3: a statement past about two seconds gets a live line on stderr saying what the
 * server reports (an index build's per cent, the lock it waits for and who holds it), redrawn in
 * place on a terminal, a plain line every 10 s otherwise, stdout untouched under --json; a lock
 * timeout names the holder read while the wait lasted.
 */
class ProgressTest {

    /**
     * V5 makes a table of `rows` rows, V6 builds an index on it through a function that hashes each
     * row and pauses a millisecond: the server's own scan and build, slow enough to be seen (about
     * 1 s per 900 rows).
     */
    static Path kitWithIndexBuild(int rows) throws Exception {
        Path kit = TestSupport.kitWith("V5__big.sql", """
                CREATE FUNCTION slow_key(i int) RETURNS int IMMUTABLE LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.001); RETURN hashtext(md5(i::text)); END $$;
                CREATE TABLE "Big" AS SELECT g AS id, md5(g::text) AS t FROM generate_series(1, %d) g;
                """.formatted(rows));
        Files.writeString(kit.resolve("migrations/V6__index.sql"), "CREATE INDEX \"Big_key\" ON \"Big\" (slow_key(id));\n");
        return kit;
    }

    private static final Pattern PER_CENT = Pattern.compile("V6__index\\.sql line 1, [0-9.]+ s: CREATE INDEX on \"Big\" (\\d+)% \\(\\d+ of \\d+ blocks");

    private static List<Integer> perCents(String text) {
        List<Integer> all = new ArrayList<>();
        Matcher m = PER_CENT.matcher(text);
        while (m.find()) all.add(Integer.parseInt(m.group(1)));
        return all;
    }

    /** Through a pseudo-terminal (script(1)): one line, redrawn in place with a carriage return and erase-to-end, its per cent rising; then the Applying line finished whole. */
    @Test
    @Needs(Tool.SCRIPT)
    void anIndexBuildOnATerminalIsOneLineRedrawnInPlaceWithAPerCentThatRises() throws Exception {
        String url = TestSupport.migrated();
        Path kit = kitWithIndexBuild(5000);
        Path typescript = Files.createTempFile("pty", ".txt");
        Path kitDir = TestSupport.cleanKit();
        ProcessBuilder pb = new ProcessBuilder("script", "-qefc", kitDir.resolve("jbang") + " migrate.java --dir " + kit, "/dev/null").directory(kitDir.toFile());
        pb.environment().clear();
        pb.environment().putAll(TestSupport.env("DIRECT_URL", url, "TERM", "xterm"));
        Process p = pb.redirectOutput(typescript.toFile()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(3, java.util.concurrent.TimeUnit.MINUTES), "did not finish");
        String screen = Files.readString(typescript);
        assertEquals(0, p.exitValue(), screen);
        // the live line sits beside the begun stdout line and is redrawn there: carriage return, the line, erase to its end
        String drawn = screen.substring(screen.indexOf("Applying V6__index.sql ... "), screen.indexOf("applied in", screen.indexOf("Applying V6__index.sql")));
        assertFalse(drawn.contains("\n"), "the live line left the row it is drawn on: " + drawn);
        assertTrue(drawn.contains("\rV6__index.sql line 1, ") && drawn.contains("\u001b[K"), drawn);
        List<Integer> seen = perCents(drawn);
        assertTrue(seen.size() >= 2 && seen.get(seen.size() - 1) > seen.get(0), "per cents seen: " + seen + " in " + drawn);
        for (int i = 1; i < seen.size(); i++) assertTrue(seen.get(i) >= seen.get(i - 1), "per cent went back: " + seen);
        assertTrue(screen.contains("\rApplying V6__index.sql ... \u001b[Kapplied in "), "the line was not erased back to its Applying part: " + screen);
    }

    /** Output to files, --json: plain lines on stderr (the first at about 2 s, then every 10 s), no control characters, stdout exactly one JSON document. */
    @Test
    void toAFileTheLiveLineIsAPlainLineEveryTenSecondsAndUnderJsonStdoutIsOneDocument() throws Exception {
        String url = TestSupport.migrated();
        Path kit = kitWithIndexBuild(12500);
        TestSupport.Proc p = TestSupport.launch(TestSupport.env("DIRECT_URL", url), "migrate.java", "--dir", kit.toString(), "--json");
        assertEquals(0, p.waitFor(), p.all());
        String err = p.stderr(), out = p.stdout();
        List<String> lines = err.lines().filter(l -> l.startsWith("V6__index.sql line 1, ")).toList();
        assertTrue(lines.size() >= 2, "expected a line at about 2 s and another 10 s later: " + err);
        List<Integer> seen = perCents(err);
        assertTrue(seen.size() >= 2 && seen.get(seen.size() - 1) > seen.get(0), "per cents seen: " + seen + " in " + err);
        double first = seconds(lines.get(0)), second = seconds(lines.get(1));
        assertTrue(first < 4 && second - first >= 9.5 && second - first < 12, "lines at " + first + " s and " + second + " s");
        for (String text : List.of(out, err)) assertFalse(text.contains("\r") || text.contains("\u001b"), "a control character in: " + text);
        JsonNode doc = Console.JSON.readerFor(JsonNode.class).with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readValue(out); // one document, nothing after it
        assertEquals("V6__index.sql", doc.path("applied").path(1).path("file").asText(), out);
        assertTrue(doc.path("ok").asBoolean(), out);
    }

    private static double seconds(String line) {
        Matcher m = Pattern.compile("line 1, ([0-9.]+) s:").matcher(line);
        assertTrue(m.find(), line);
        return Double.parseDouble(m.group(1));
    }

    /** The app: a session named billing-api whose transaction has read the table and stays open, idle, holding its AccessShareLock. */
    static Connection appInATransactionOn(String url, String table) throws java.sql.SQLException {
        Connection app = TestSupport.server().admin(TestSupport.databaseName(url));
        app.createStatement().execute("set application_name = 'billing-api'");
        app.setAutoCommit(false);
        app.createStatement().execute("select count(*) from \"" + table + "\"");
        return app;
    }

    static Path kitAddingANickname() throws java.io.IOException {
        return TestSupport.kitWith("V5__nickname.sql", "ALTER TABLE \"Member\" ADD COLUMN nickname text;\n");
    }

    /** A migration blocked by the app's open transaction: the live line and the lock-timeout sentence name the holder (application, pid, state) and what to do. */
    @Test
    void aMigrationBlockedByAnOpenTransactionNamesItsHolderLiveAndWhenItGivesUp() throws Exception {
        String url = TestSupport.migrated();
        Path kit = kitAddingANickname();
        try (Connection app = appInATransactionOn(url, "Member")) {
            int pid = Integer.parseInt(TestSupport.rows(app, "select pg_backend_pid()").get(0));
            TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString(), "--lock-timeout", "4s");
            app.rollback();
            assertEquals(4, r.code(), r.all());
            Pattern holder = Pattern.compile("AccessExclusiveLock on \"Member\", held by process " + pid + " \\(application \"billing-api\", role postgres, client [0-9a-f.:]+\\), idle in transaction for [0-9.]+ s \\(since \\d\\d:\\d\\d:\\d\\d UTC\\)");
            assertTrue(Pattern.compile("V5__nickname\\.sql line 1, [0-9.]+ s: waiting for " + holder.pattern()).matcher(r.err()).find(), "live: " + r.err());
            assertTrue(Pattern.compile("error: V5__nickname\\.sql waited longer than 4\\.0 s for a lock that live traffic holds at line 1 \\(ALTER TABLE \"Member\" ADD COLUMN nickname text\\): " + holder.pattern()).matcher(r.err()).find()
                    && r.err().contains("Re-running later is safe: wait for process " + pid + " to finish, or, if it is an abandoned session, end it with select pg_terminate_backend(" + pid + ")"), "sentence: " + r.err());
            assertTrue(r.out().contains("Applying V5__nickname.sql ... failed\n"), "the Applying line is finished: " + r.out());
        }
        assertEquals("0", TestSupport.one(url, "select count(*) from information_schema.columns where column_name = 'nickname'"));
    }

    /** The same on the Prisma path, whose file goes to the server whole. */
    @Test
    void aPrismaMigrationBlockedByAnOpenTransactionNamesItsHolder() throws Exception {
        String url = TestSupport.freshDatabase();
        Path folder = TestSupport.prismaFolder("01_init", "CREATE TABLE \"Team\" (id int);\n", "02_rename", "ALTER TABLE \"Team\" ADD COLUMN name text;\n");
        assertEquals(0, TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", PrismaTest.emptyKit().toString(), "--prisma", folder.toString(), "--target", "01_init").code());
        try (Connection app = appInATransactionOn(url, "Team")) {
            int pid = Integer.parseInt(TestSupport.rows(app, "select pg_backend_pid()").get(0));
            TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", PrismaTest.emptyKit().toString(), "--prisma", folder.toString(), "--lock-timeout", "3s");
            app.rollback();
            assertEquals(4, r.code(), r.all());
            assertTrue(r.err().contains("02_rename/migration.sql, ") && r.err().contains("waiting for AccessExclusiveLock on \"Team\", held by process " + pid + " (application \"billing-api\""), "live: " + r.err());
            assertTrue(r.err().contains("error: 02_rename/migration.sql waited longer than 3.0 s") && r.err().contains("held by process " + pid + " (application \"billing-api\"")
                    && r.err().contains("pg_terminate_backend(" + pid + ")"), "sentence: " + r.err());
        }
    }
}
