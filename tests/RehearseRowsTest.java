import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * What the rehearsal may bring to this machine and what it then proves: a table over --copy-budget
 * or under --no-rows is checked without its rows and named; a statement nothing proves is named and
 * exits 1 (never "passes" with exit 0); a check that cannot finish (a lock held on the target) is not
 * proven, and never "lost the connection"; --json says `proven` per statement.
 */
class RehearseRowsTest {

    private static final String MEMBERS = """
            insert into "Member" (id, email, name) select 'm' || g, 'm' || g || '@example.com', 'Member ' || g from generate_series(1, 200) g;
            analyze "Member";
            insert into "Team" (name, "ownerId") values ('Red', 'm1')""";

    private static String target() {
        String url = TestSupport.migrated();
        TestSupport.exec(url, MEMBERS);
        return url;
    }

    @Test
    void aTableOverTheBudgetIsCheckedWithoutItsRowsAndNamed() throws Exception {
        String url = target();
        Path kit = TestSupport.kitWith("V5__name_required.sql", "ALTER TABLE \"Member\" ALTER COLUMN \"name\" SET NOT NULL;\n");
        TestSupport.Result r = RehearseCommandTest.rehearse(url, kit, "--copy-budget", "1kB");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().matches("(?s).*  not copied, over the --copy-budget of 1 kB( with the tables it references)?: [^\n]*\"Member\" \\([0-9]+ kB\\)[^\n]*; checked without (its|their) rows\n.*"), r.out());
        assertTrue(r.out().contains("the target's rows pass 1 check of statements whose rows were not copied"), r.out());
        assertTrue(r.out().contains("and passes: its statement is proven (by checks of the target's rows)"), r.out());
        assertTrue(r.out().contains("(about 200 rows on the target, not copied, so not timed)"), r.out());
        // the same table within the default budget: copied, and the statement ran over its rows
        TestSupport.Result whole = RehearseCommandTest.rehearse(url, kit);
        assertEquals(0, whole.code(), whole.all());
        assertTrue(whole.out().contains("copied 6 tables, 201 rows"), whole.out());
        assertTrue(whole.out().contains("over 200 rows on the copy"), whole.out());
        assertEquals(0, RehearseCommandTest.migrateFor(url, kit).code());
    }

    @Test
    void aStatementThatNothingProvesIsNamedAndExits1() throws Exception {
        // an index and a DELETE: no check of the target's rows stands for either
        Path kit = TestSupport.kitWith("V5__index.sql", "CREATE INDEX \"Member_name_idx\" ON \"Member\"(\"name\");\n\nDELETE FROM \"Member\" WHERE \"name\" = 'Member 7';\n");
        String url = target();
        for (String[] options : new String[][] {{"--copy-budget", "1kB"}, {"--no-rows"}}) {
            TestSupport.Result r = RehearseCommandTest.rehearse(url, kit, options);
            assertEquals(1, r.code(), r.all());
            assertTrue(r.out().contains("      line 1: not proven: it reads the rows of \"Member\" (not copied: "), r.out());
            assertTrue(r.out().contains("      line 3: not proven: it reads the rows of \"Member\""), r.out());
            assertTrue(r.out().contains("and no check of the target's rows covers it"), r.out());
            assertTrue(r.out().contains("Rehearsal: not proven: the pending migration applies on the copy, but 2 of its 2 statements are not proven (V5__index.sql line 1, V5__index.sql line 3: why above); nothing is predicted to fail"), r.out());
            assertFalse(r.out().contains("passes"), r.out());
        }
        TestSupport.Result json = RehearseCommandTest.rehearse(url, kit, "--copy-budget", "1kB", "--json");
        assertEquals(1, json.code(), json.all());
        JsonNode doc = Console.JSON.readTree(json.out());
        JsonNode statements = doc.path("rehearsal").path("migrations").get(0).path("statements");
        assertEquals(2, statements.size(), json.out());
        assertFalse(statements.get(0).path("proven").asBoolean(true), json.out());
        assertTrue(statements.get(0).path("notProven").asText().startsWith("it reads the rows of \"Member\""), json.out());
        assertFalse(doc.path("rehearsal").path("proven").asBoolean(true), json.out());
        // with the rows copied, both are proven, and the real run agrees
        TestSupport.Result copied = RehearseCommandTest.rehearse(url, kit);
        assertEquals(0, copied.code(), copied.all());
        assertTrue(copied.out().contains("V5__index.sql deletes 1 row of \"Member\""), copied.out());
        assertEquals(0, RehearseCommandTest.migrateFor(url, kit).code());
    }

    @Test
    void aLockHeldOnTheTargetIsNotProvenNeverALostConnection() throws Exception {
        String url = target();
        Path kit = TestSupport.kitWith("V5__name_required.sql", "ALTER TABLE \"Member\" ALTER COLUMN \"name\" SET NOT NULL;\n");
        String before = TestSupport.fingerprint(url);
        try (Connection live = TestSupport.server().admin(TestSupport.databaseName(url))) {
            live.setAutoCommit(false);
            live.createStatement().execute("set application_name = 'the live app'; lock table \"Member\" in access exclusive mode");
            // the fingerprint reads every row, so it is taken before the lock and after it (below)
            TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString(), "--rehearse", "--lock-timeout", "1s");
            assertEquals(1, r.code(), r.all());
            assertFalse(r.all().contains("lost the connection"), r.all());
            assertTrue(r.err().contains("error: the rehearsal could not read the target within 1.0 s (--lock-timeout): canceling statement due to lock timeout, "
                    + "while another session holds an ACCESS EXCLUSIVE lock on \"Member\" (application \"the live app\", process "), r.err());
            assertTrue(r.err().contains("nothing was proven and nothing was written to the target"), r.err());
            live.rollback();
        }
        assertEquals(before, TestSupport.fingerprint(url));
        assertEquals(0, RehearseCommandTest.rehearse(url, kit).code());
    }

    @Test
    void aCheckThatTimesOutIsNotProvenAndNamed() throws Exception {
        // a CHECK whose function takes 10 ms a row: over 600 rows the check of the target runs past its 5 s
        Path kit = TestSupport.kitWith("V5__slow_rule.sql", "CREATE FUNCTION \"slowPositive\"(n integer) RETURNS boolean LANGUAGE sql AS 'select pg_sleep(0.01) is not null and n > 0';\n");
        String url = TestSupport.freshDatabase();
        assertEquals(0, RehearseCommandTest.migrateFor(url, kit).code());
        TestSupport.exec(url, "insert into \"PointConfig\" (action, points, label) select 'a' || g, g, 'A' || g from generate_series(1, 600) g");
        java.nio.file.Files.writeString(kit.resolve("migrations/V6__rule.sql"), "ALTER TABLE \"PointConfig\" ADD CONSTRAINT \"PointConfig_points_check\" CHECK (\"slowPositive\"(\"points\"));\n");
        TestSupport.Result r = RehearseCommandTest.rehearse(url, kit, "--copy-budget", "1kB");
        assertEquals(1, r.code(), r.all());
        assertTrue(r.out().contains("line 1: not proven: it reads the rows of \"PointConfig\" (not copied: over the --copy-budget of 1 kB), "
                + "and its check of the target's rows did not complete: the check took longer than 5.0 s"), r.out());
        assertTrue(r.out().contains("Rehearsal: not proven: "), r.out());
        assertEquals(0, RehearseCommandTest.migrateFor(url, kit).code(), "the real run applies: nothing was predicted to fail");
    }

    @Test
    void ctrlCDuringARehearsalSpeaksOfTheRehearsal() throws Exception {
        String url = target();
        Path kit = TestSupport.kitWith("V5__slow.sql", "SELECT pg_sleep(60);\n");
        String before = TestSupport.fingerprint(url);
        Path tmp = java.nio.file.Files.createTempDirectory("rehearse-ctrl-c-");
        // the rehearsal's throwaway servers live under its temp folder, so this test can stop the ones it leaves
        TestSupport.Proc p = TestSupport.launch(TestSupport.env("DIRECT_URL", url, "JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + tmp), "migrate.java", "--dir", kit.toString(), "--rehearse");
        try {
            long end = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (!p.stdout().contains("copied 6 tables") && p.process().isAlive() && System.nanoTime() < end) Thread.sleep(100);
            assertTrue(p.stdout().contains("copied 6 tables"), p.all());
            MigrateLockTest.interrupt(p.process());
            assertEquals(130, p.waitFor(), p.all());
            String err = p.stderr();
            assertTrue(err.contains("error: the rehearsal was interrupted: nothing was written to the target"), err);
            assertFalse(err.contains("Run migrate again to apply the rest"), err);
            assertEquals(before, TestSupport.fingerprint(url));
        } finally {
            stopServersUnder(tmp);
        }
    }

    /** Stops what a killed rehearsal left running under its own temp folder (the throwaway server's cleanup on Ctrl-C is not this test's subject). */
    private static void stopServersUnder(Path tmp) throws Exception {
        for (ProcessHandle h : ProcessHandle.allProcesses().toList()) {
            String cmd = h.info().commandLine().orElse("");
            if (cmd.contains("postgres") && cmd.contains(" -D ") && cmd.contains(tmp.toString())) h.destroy();
        }
    }
}
