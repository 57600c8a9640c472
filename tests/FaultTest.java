import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Faults, each against a real PostgreSQL and each ending with the database checked by plain SQL. */
class FaultTest {

    @BeforeAll
    static void noticeDeadClients() {
        // a backend busy for a client that was killed notices within half a second (PostgreSQL 14+)
        String url = TestSupport.freshDatabase();
        TestSupport.exec(url, "alter system set client_connection_check_interval = '500ms'");
        TestSupport.exec(url, "select pg_reload_conf()");
    }

    static TestSupport.Proc start(Map<String, String> env, String... args) throws IOException {
        return TestSupport.launch(env, args);
    }

    /** Runs work while another session holds a lock that seed's insert into PointConfig must wait for. */
    static <T> T withPointConfigLocked(String url, java.util.concurrent.Callable<T> work) throws Exception {
        try (Connection blocker = TestSupport.server().admin(TestSupport.databaseName(url))) {
            blocker.setAutoCommit(false);
            blocker.createStatement().execute("lock table \"PointConfig\" in share mode");
            try {
                return work.call();
            } finally {
                blocker.rollback();
            }
        }
    }

    static final String SEED_WAITS = TestSupport.waitsForALock("rc-dbkit seed");

    /** A fault case begins (counted for the figures) on a freshly migrated database; its url. */
    static String faultCase() {
        Figures.faultCases.incrementAndGet();
        return TestSupport.migrated();
    }

    /** The case survived, and the seeded tables hold `counts` (TestSupport.seededCounts). */
    static void survivedWithCounts(String url, String counts) {
        assertEquals(counts, TestSupport.seededCounts(url));
        survived();
    }

    static void survived() {
        Figures.faultSurvived.incrementAndGet();
    }

    static Path kitWithSlowMigration(int seconds) throws IOException {
        Path kit = TestSupport.kitWith("V5__slow.sql", "CREATE TABLE \"Partial\" (id int);\nSELECT pg_sleep(" + seconds + ");\n");
        return kit;
    }

    static final String NO_BACKEND_SLEEPING = "select not exists (select 1 from pg_stat_activity where query like '%pg_sleep%' and pid <> pg_backend_pid())";

    @Test
    void killMinus9OfMigrateMidMigrationLeavesNothingAndReleasesTheLock() throws Exception {
        String url = faultCase();
        Path kit = kitWithSlowMigration(60);
        TestSupport.Proc p = start(TestSupport.env("DIRECT_URL", url), "migrate.java", "--dir", kit.toString());
        TestSupport.waitUntil(url, "select exists (select 1 from pg_stat_activity where query like '%pg_sleep(60)%' and pid <> pg_backend_pid())", "V5 is running");
        p.process().destroyForcibly(); // SIGKILL
        p.process().waitFor(10, TimeUnit.SECONDS);
        TestSupport.waitUntil(url, NO_BACKEND_SLEEPING, "the server noticed the dead client");
        assertEquals("0", TestSupport.one(url, "select count(*) from pg_tables where tablename = 'Partial'"));
        assertEquals("0", TestSupport.one(url, "select count(*) from flyway_schema_history where version = '5'"));
        assertEquals("0", TestSupport.one(url, "select count(*) from pg_locks where locktype = 'advisory'"));
        Files.writeString(kit.resolve("migrations/V5__slow.sql"), "CREATE TABLE \"Partial\" (id int);\nSELECT pg_sleep(0);\n");
        TestSupport.Result again = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString());
        assertEquals(0, again.code(), again.all());
        assertEquals("1|1", TestSupport.one(url, "select (select count(*) from pg_tables where tablename = 'Partial'), (select count(*) from flyway_schema_history where version = '5')"));
        survived();
    }

    @Test
    void killMinus9OfSeedMidTransactionLeavesNoRows() throws Exception {
        String url = faultCase();
        withPointConfigLocked(url, () -> {
            TestSupport.Proc p = start(TestSupport.adminEnv(url), "seed.java");
            TestSupport.waitUntil(url, SEED_WAITS, "seed waits inside its transaction");
            p.process().destroyForcibly();
            return p.process().waitFor(10, TimeUnit.SECONDS);
        });
        TestSupport.waitUntil(url, "select not exists (select 1 from pg_stat_activity where application_name = 'rc-dbkit seed')", "the seed session ended");
        assertEquals("0|0|0|0", TestSupport.seededCounts(url));
        TestSupport.Result again = TestSupport.run(new seed(), TestSupport.adminEnv(url));
        assertEquals(0, again.code(), again.all());
        survivedWithCounts(url, "1|8|4|10");
    }

    /**
     * Issue 27 item 8: Ctrl-C (SIGINT) or SIGTERM while seed waits inside its transaction cancels the
     * wait on the server, closes the session (seed's lock goes with its transaction), says so in one
     * sentence and exits 130. Before: exit 130/143 with nothing said, the session waiting on for ~12 s.
     */
    @Test
    void seedInterruptedWhileItWaitsCancelsOnTheServerFreesTheLockAndSaysSo() throws Exception {
        for (String signal : List.of("-INT", "-TERM")) {
            String url = faultCase();
            TestSupport.Proc[] p = new TestSupport.Proc[1];
            withPointConfigLocked(url, () -> {
                p[0] = start(TestSupport.adminEnv(url), "seed.java");
                TestSupport.waitUntil(url, SEED_WAITS, "seed waits inside its transaction", java.time.Duration.ofMinutes(2));
                List<String> kill = new ArrayList<>(List.of("kill", signal, String.valueOf(p[0].process().pid())));
                p[0].process().toHandle().descendants().forEach(h -> kill.add(String.valueOf(h.pid())));
                assertEquals(0, new ProcessBuilder(kill).inheritIO().start().waitFor());
                assertEquals(130, p[0].waitFor(), p[0].all());
                // cancelled on the server and closed, not left waiting while the lock is held
                assertEquals("true", TestSupport.one(url, "select not exists (select 1 from pg_stat_activity where application_name = 'rc-dbkit seed')"), signal);
                return null;
            });
            String err = p[0].stderr();
            assertEquals(List.of("error: seed was interrupted: its statement was cancelled on the server and its session closed, so seed's lock is free"
                    + " and its transaction rolled back, so nothing was written. Run seed again."), err.lines().filter(l -> !l.isBlank()).toList(), signal + ": " + err);
            assertEquals("0", TestSupport.one(url, "select count(*) from pg_locks where locktype = 'advisory'"));
            assertEquals("0|0|0|0", TestSupport.seededCounts(url));
            assertEquals(0, TestSupport.run(new seed(), TestSupport.adminEnv(url)).code());
            survived();
        }
    }

    @Test
    void theServerTerminatingMigrateMidRun() throws Exception {
        String url = faultCase();
        Path kit = kitWithSlowMigration(60);
        TestSupport.Running run = TestSupport.start(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString());
        TestSupport.waitUntil(url, "select exists (select 1 from pg_stat_activity where query like '%pg_sleep(60)%' and pid <> pg_backend_pid())", "V5 is running");
        TestSupport.exec(url, "select pg_terminate_backend(pid) from pg_stat_activity where query like '%pg_sleep(60)%' and pid <> pg_backend_pid()");
        TestSupport.Result r = run.result();
        assertEquals(3, r.code(), r.all());
        assertTrue(r.err().contains("V5__slow.sql") && r.err().contains("terminat"), r.err());
        // the file was fine: the server ended the session, nothing of V5 is left, and running again is safe
        assertTrue(r.err().contains("because the server ended the session or went away")
                && r.err().contains("it ran in a transaction, so nothing from it was applied, and the file is not at fault: re-running migrate is safe"), r.err());
        assertFalse(r.err().contains("Fix the file"), r.err());
        assertEquals(1, r.err().lines().filter(l -> l.startsWith("error:")).count(), r.err());
        assertEquals("0|0", TestSupport.one(url, "select (select count(*) from pg_tables where tablename = 'Partial'), (select count(*) from flyway_schema_history where version = '5')"));
        Files.writeString(kit.resolve("migrations/V5__slow.sql"), "CREATE TABLE \"Partial\" (id int);\n");
        assertEquals(0, TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString()).code());
        survived();
    }

    @Test
    void theServerTerminatingSeedMidRun() throws Exception {
        String url = faultCase();
        TestSupport.Result r = withPointConfigLocked(url, () -> {
            TestSupport.Running run = TestSupport.start(new seed(), TestSupport.adminEnv(url));
            TestSupport.waitUntil(url, SEED_WAITS, "seed waits");
            TestSupport.exec(url, "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'rc-dbkit seed'");
            return run.result();
        });
        assertTrue(r.code() == 3 || r.code() == 4, r.all());
        assertTrue(r.err().contains("terminat") && r.err().contains("nothing was written"), r.err());
        assertEquals("0|0", TestSupport.one(url, "select (select count(*) from \"Admin\"), (select count(*) from \"FeatureFlag\")"));
        assertEquals(0, TestSupport.run(new seed(), TestSupport.adminEnv(url)).code());
        survived();
    }

    @Test
    void theServerRestartingWhileWaiting() throws Exception {
        Figures.faultCases.incrementAndGet();
        Path data = Files.createTempDirectory("restart-");
        // clean=false: zonky would otherwise delete the data folder when the server stops
        try (EmbeddedServer own = EmbeddedServer.start(17, data.resolve("pg"), false)) {
            String url = own.createDatabase("restart");
            own.stop();
            TestSupport.Running run = TestSupport.start(new migrate(), TestSupport.env("DIRECT_URL", url), "--wait", "60s");
            // it found the server down and waits: the server comes back only now
            run.awaitErr("refused the connection");
            assertTrue(run.err().toString().contains("Waiting up to 1 m for it"), run.err().toString());
            assertFalse(run.isDone(), "migrate must keep waiting while the server is down: " + run.err());
            own.startAgain();
            TestSupport.Result r = run.result();
            assertEquals(0, r.code(), r.all());
            assertTrue(r.out().contains("Applied 4 migrations"), r.out());
            try (Connection c = own.admin("restart")) {
                assertEquals(List.of("4"), TestSupport.rows(c, "select count(*) from flyway_schema_history where success"));
            }
        }
        survived();
    }

    @Test
    void twoThenFiveMigratesAtOnceApplyEachMigrationExactlyOnce() throws Exception {
        for (int n : new int[] {2, 5}) {
            Figures.faultCases.incrementAndGet();
            String url = TestSupport.freshDatabase();
            List<TestSupport.Proc> procs = new ArrayList<>();
            for (int i = 0; i < n; i++) procs.add(start(TestSupport.env("DIRECT_URL", url), "migrate.java"));
            int applied = 0;
            for (TestSupport.Proc p : procs) {
                assertEquals(0, p.waitFor(), p.all());
                Matcher m = Pattern.compile("Applied (\\d+) migration").matcher(p.all());
                if (m.find()) applied += Integer.parseInt(m.group(1));
                else assertTrue(p.all().contains("up to date"), p.all());
                Figures.concurrentRuns.incrementAndGet();
            }
            assertEquals(4, applied, "each migration applied exactly once across " + n + " runs");
            int dup = Integer.parseInt(TestSupport.one(url, "select count(*) - count(distinct version) from flyway_schema_history"));
            Figures.duplicates.addAndGet(dup);
            assertEquals(0, dup);
            assertEquals("4", TestSupport.one(url, "select count(*) from flyway_schema_history where success"));
            survived();
        }
    }

    @Test
    void fiveSeedsAtOnceNoDuplicatesTotalsAddUp() throws Exception {
        String url = faultCase();
        List<TestSupport.Proc> procs = new ArrayList<>();
        for (int i = 0; i < 5; i++) procs.add(start(TestSupport.adminEnv(url), "seed.java", "--json"));
        int inserted = 0;
        for (TestSupport.Proc p : procs) {
            assertEquals(0, p.waitFor(), p.all());
            inserted += Console.JSON.readTree(Files.readString(p.out())).get("inserted").asInt();
            Figures.concurrentRuns.incrementAndGet();
        }
        assertEquals(23, inserted);
        int dup = Integer.parseInt(TestSupport.one(url, "select (select count(*) - count(distinct key) from \"FeatureFlag\") + (select count(*) - count(distinct email) from \"Admin\")"));
        Figures.duplicates.addAndGet(dup);
        assertEquals(0, dup);
        survivedWithCounts(url, "1|8|4|10");
    }

    @Test
    void clientSideTroubleIsOneSentenceWithTheRightExitCode() throws Exception {
        String url = faultCase();
        Path kit = TestSupport.kitCopy();
        Files.createSymbolicLink(kit.resolve("seeds/99_gone.json"), kit.resolve("seeds/no-such-file.json"));
        TestSupport.Result unreadable = TestSupport.run(new seed(), TestSupport.adminEnv(url), "--dir", kit.toString());
        assertEquals(2, unreadable.code(), unreadable.all());
        assertTrue(unreadable.err().contains("99_gone.json cannot be read"), unreadable.err());
        Path noMigrations = Files.createTempDirectory("nomig");
        TestSupport.Result missing = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", noMigrations.toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("there is no migrations/ folder"), missing.err());
        // the kit writes nothing to its working folder, so a read-only one is fine
        Path fresh = TestSupport.kitCopy();
        String before = treeDigest(fresh);
        assertEquals(0, TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", TestSupport.freshDatabase()), "--dir", fresh.toString()).code());
        assertEquals(before, treeDigest(fresh));
        survived();
    }

    @Test
    void seedWaitingForItsLockSaysForWhomAndGivesUpAfterLockWait() throws Exception {
        String url = faultCase();
        try (Connection holder = TestSupport.server().admin(TestSupport.databaseName(url))) {
            holder.createStatement().execute("set application_name = 'ops-console'");
            holder.createStatement().execute("select pg_advisory_lock(" + Seeder.ADVISORY_LOCK + ")");
            long started = System.nanoTime();
            TestSupport.Running run = TestSupport.start(new seed(), TestSupport.adminEnv(url), "--lock-wait", "2s");
            TestSupport.Result r = run.result();
            long ms = (System.nanoTime() - started) / 1_000_000;
            assertEquals(4, r.code(), r.all());
            assertTrue(r.err().contains("note: another session holds seed's lock (application \"ops-console\"") && r.err().contains("waiting up to 2.0 s"), r.err());
            assertTrue(r.err().contains("error: another session (application \"ops-console\"") && r.err().contains("still held seed's lock after waiting 2.0 s; nothing was written"), r.err());
            assertFalse(r.err().contains("lost the connection"), r.err());
            assertTrue(ms >= 1900 && ms < 30_000, ms + " ms");
            assertEquals("0|0|0|0", TestSupport.seededCounts(url));
            // the lock released while seed waits: seed goes on and does its work
            TestSupport.Running second = TestSupport.start(new seed(), TestSupport.adminEnv(url));
            TestSupport.waitUntil(url, SEED_WAITS, "seed waits for its lock");
            holder.createStatement().execute("select pg_advisory_unlock(" + Seeder.ADVISORY_LOCK + ")");
            TestSupport.Result ok = second.result();
            assertEquals(0, ok.code(), ok.all());
            assertTrue(ok.err().contains("waiting up to 1 m for it to finish (--lock-wait)"), ok.err());
        }
        survivedWithCounts(url, "1|8|4|10");
    }

    @Test
    void aFifoOrADeviceAsASeedFileIsOneSentenceNotAHang() throws Exception {
        String url = faultCase();
        Path kit = TestSupport.kitCopy();
        Path fifo = kit.resolve("seeds/99_fifo.json");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        for (Cli command : List.of(new seed(), new status())) {
            TestSupport.Running run = TestSupport.start(command, TestSupport.adminEnv(url), "--dir", kit.toString());
            TestSupport.Result r = run.result(); // before: opening the FIFO blocked for ever
            assertEquals(2, r.code(), r.all());
            // seed stops there; status reads on, the file a finding of its line
            assertTrue((command instanceof status ? r.out() : r.err()).contains("99_fifo.json is not a regular file"), r.all());
        }
        Files.delete(fifo);
        Files.createSymbolicLink(kit.resolve("seeds/99_zero.json"), Path.of("/dev/zero"));
        TestSupport.Result zero = TestSupport.start(new seed(), TestSupport.adminEnv(url), "--dir", kit.toString()).result();
        assertEquals(2, zero.code(), zero.all());
        assertTrue(zero.err().contains("99_zero.json is a link to a file outside the seeds folder"), zero.err());
        survivedWithCounts(url, "0|0|0|0");
    }

    /** Six seed files of 14 MB each, and ten rows that share one 15 MB $file, with the script's own memory limit. */
    @Test
    void largeSeedDataIsRefusedWithinABudgetNeverAnOutOfMemoryError() throws Exception {
        String url = faultCase();
        Path kit = TestSupport.kitCopy();
        String text = "x".repeat(500_000);
        for (int i = 1; i <= 6; i++) {
            StringBuilder json = new StringBuilder("{\"table\": \"FeatureFlag\", \"key\": [\"key\"], \"rows\": [");
            for (int r = 0; r < 28; r++) json.append(r == 0 ? "" : ", ").append("{\"key\": \"big_" + i + "_" + r + "\", \"description\": \"" + text + "\"}");
            Files.writeString(kit.resolve("seeds/9" + i + "_big.json"), json.append("]}"));
        }
        TestSupport.Proc six = start(TestSupport.adminEnv(url), "seed.java", "--dir", kit.toString());
        assertEquals(2, six.waitFor(), six.all());
        assertTrue(six.stderr().contains("92_big.json is too large to read: with it, this run would read more than 24 MiB"), six.stderr());
        assertFalse(six.all().contains("OutOfMemoryError"), six.all());
        for (int i = 1; i <= 6; i++) Files.delete(kit.resolve("seeds/9" + i + "_big.json"));
        Files.writeString(kit.resolve("seeds/big.html"), "y".repeat(15 * 1000 * 1000));
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 10; i++) rows.append(i == 0 ? "" : ", ").append("{\"key\": \"shared_" + i + "\", \"description\": {\"$file\": \"big.html\"}}");
        Files.writeString(kit.resolve("seeds/99_shared.json"), "{\"table\": \"FeatureFlag\", \"key\": [\"key\"], \"rows\": [" + rows + "]}");
        TestSupport.Proc shared = start(TestSupport.adminEnv(url), "seed.java", "--dir", kit.toString());
        assertEquals(2, shared.waitFor(), shared.all());
        assertTrue(shared.stderr().contains("99_shared.json row 2 column \"description\" file big.html is too large to read"), shared.stderr());
        assertFalse(shared.all().contains("OutOfMemoryError"), shared.all());
        survivedWithCounts(url, "0|0|0|0");
    }

    static String treeDigest(Path dir) throws Exception {
        StringBuilder sb = new StringBuilder();
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted().toList()) {
                sb.append(dir.relativize(p)).append(Files.isRegularFile(p) ? ":" + Files.size(p) + ":" + Files.getLastModifiedTime(p) : "").append('\n');
            }
        }
        return sb.toString();
    }
}
