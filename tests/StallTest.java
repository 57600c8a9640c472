import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 27 item 2: a link that goes silent after login (tests/StallProxy: the query never arrives,
 * or its answer never comes back) ends status, seed, a migrate with nothing to do and a Flyway
 * migrate within the stated bound, with one sentence and exit 3, and leaves no lock behind; a
 * client gone for good (half-open: killed behind a frozen link) leaves no lock past the server's
 * own bound, and a re-run names that orphan.
 */
class StallTest {
    /** docs/reliability.md: a silent link ends the run within 20 s of going silent. */
    static final Duration BOUND = Duration.ofSeconds(20);

    static final String NO_ADVISORY_LOCK = "select count(*) = 0 from pg_locks where locktype = 'advisory'";

    /** Runs the script through a link that freezes at the trigger; returns its result: exit 3, one sentence, within the bound from the moment the link froze. */
    private static TestSupport.Result frozen(Cli command, String url, String trigger, boolean replyLost, Map<String, String> env, String... args) throws Exception {
        try (StallProxy link = new StallProxy(url, trigger, replyLost)) {
            Map<String, String> through = new java.util.HashMap<>(env);
            through.put("DIRECT_URL", link.url(url));
            TestSupport.Running run = TestSupport.start(command, through, args);
            link.awaitFrozen(Duration.ofMinutes(1));
            long t = System.nanoTime();
            TestSupport.Result r = run.result();
            long ms = (System.nanoTime() - t) / 1_000_000;
            System.out.println("     silent link to exit " + r.code() + ": " + ms + " ms");
            assertTrue(ms <= BOUND.toMillis(), "took " + ms + " ms after the link froze; the bound is " + BOUND.toSeconds() + " s: " + r.all());
            assertEquals(3, r.code(), r.all());
            assertEquals(1, r.err().lines().filter(l -> l.startsWith("error:")).count(), r.err());
            assertTrue(r.err().contains("went silent: no reply for "), r.err());
            return r;
        }
    }

    @Test
    void statusWhoseHistoryReadNeverArrivesEndsWithinTheBound() throws Exception {
        String url = TestSupport.seeded();
        TestSupport.Result r = frozen(new status(), url, "flyway_schema_history", false, TestSupport.adminEnv(url));
        assertTrue(r.err().contains("while reading the migrations: the link to localhost:") && r.err().contains("nothing after that was read, so run status again"), r.err());
    }

    @Test
    void seedWhoseLinkFreezesInItsTransactionEndsWithinTheBoundAndWritesNothing() throws Exception {
        String url = TestSupport.migrated();
        TestSupport.Result r = frozen(new seed(), url, "FeatureFlag", false, TestSupport.adminEnv(url));
        assertTrue(r.err().contains("was cut off: the link to localhost:") && r.err().contains("the whole run was rolled back and nothing was written"), r.err());
        // the kit ended its own session from a second one: seed's lock and its transaction are gone now, not in a minute
        assertEquals("true", TestSupport.one(url, NO_ADVISORY_LOCK));
        assertEquals("0|0|0|0", TestSupport.seededCounts(url));
    }

    @Test
    void aMigrateWithNothingToDoWhoseReplyIsLostEndsWithinTheBound() throws Exception {
        String url = TestSupport.migrated();
        TestSupport.Result r = frozen(new migrate(), url, "flyway_schema_history", true, TestSupport.env());
        assertTrue(r.err().contains("lost the connection") && r.err().contains("the link to localhost:"), r.err());
    }

    @Test
    void aFlywayMigrationWhoseReplyIsLostIsEndedOnTheServerAndSaysSo() throws Exception {
        String url = TestSupport.migrated();
        Path kit = TestSupport.kitWith("V5__stall.sql", "CREATE TABLE \"Partial\" (id int);\nSELECT 'rc-stall-marker';\n");
        TestSupport.Result r = frozen(new migrate(), url, "rc-stall-marker", true, TestSupport.env(), "--dir", kit.toString());
        assertTrue(r.err().contains("error: V5__stall.sql was cut off at line 2: the link to localhost:")
                && r.err().contains("has been idle in transaction for") && r.err().contains("the kit ended that session from a second connection")
                && r.err().contains("nothing from it was applied, and the file is not at fault"), r.err());
        assertTrue(r.out().contains("Applying V5__stall.sql ... failed"), r.out());
        // at once: the server rolled the migration back and released Flyway's lock (before: idle in transaction, holding both, for minutes)
        assertEquals("true", TestSupport.one(url, NO_ADVISORY_LOCK));
        assertEquals("0|0", TestSupport.one(url, "select (select count(*) from pg_tables where tablename = 'Partial'), (select count(*) from flyway_schema_history where version = '5')"));
    }

    /**
     * Half-open: the client is killed while its link is frozen, so the server is never told. Its
     * session sits idle in a transaction holding Flyway's lock; a re-run names it as the kit's own
     * orphan with how long it has left, and the server ends it within the writers' idle limit.
     */
    @Test
    void aClientGoneBehindAFrozenLinkLeavesNoLockPastTheBoundAndIsNamedAsAnOrphan() throws Exception {
        String url = TestSupport.migrated();
        Path kit = TestSupport.kitWith("V5__stall.sql", "CREATE TABLE \"Partial\" (id int);\nSELECT 'rc-stall-marker';\n");
        try (StallProxy link = new StallProxy(url, "rc-stall-marker", false)) {
            TestSupport.Proc p = TestSupport.launch(TestSupport.env("DIRECT_URL", link.url(url)), "migrate.java", "--dir", kit.toString());
            link.awaitFrozen(Duration.ofMinutes(2));
            long frozeAt = System.nanoTime();
            p.process().destroyForcibly(); // kill -9: the server hears nothing, the frozen relay keeps its socket open
            p.process().waitFor();
            // a session of the kit idle in a transaction for seconds has lost its client (the kit's own are idle there only between statements)
            TestSupport.waitUntil(url, "select exists (select 1 from pg_stat_activity where application_name = 'rc-dbkit migrate' and state = 'idle in transaction'"
                    + " and clock_timestamp() - state_change > interval '6 s')", "the orphan has been idle in its transaction for 6 s");
            TestSupport.Result again = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString(), "--lock-wait", "0s");
            assertEquals(4, again.code(), again.all());
            assertTrue(again.err().contains("application \"rc-dbkit migrate\"") && again.err().contains("an orphan of the kit's own, idle in a transaction for")
                    && again.err().contains("the server ends it within") && again.err().contains("or end it now with select pg_terminate_backend("), again.err());
            TestSupport.waitUntil(url, NO_ADVISORY_LOCK, "the server ended the orphan", Duration.ofSeconds(90));
            long ms = (System.nanoTime() - frozeAt) / 1_000_000;
            System.out.println("     orphan's lock held after its client died: " + ms + " ms");
            assertTrue(ms <= SessionLimits.WRITER.toMillis() + 15_000, "the orphan held the lock for " + ms + " ms");
        }
        TestSupport.Result done = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString());
        assertEquals(0, done.code(), done.all());
    }
}
