import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The migration lock and interrupts, on both engines: a migrate that finds the lock held says at
 * once for whom and how long it waits; Ctrl-C cancels on the server, frees the lock and says what
 * was applied (exit 130); a session the server ends is not blamed on the file; status run while a
 * migrate applies says so, and names the migration and what it waits for (issue 29 item 4).
 */
class MigrateLockTest {

    static final String SLEEPING = "select exists (select 1 from pg_stat_activity where query like '%pg_sleep(60)%' and pid <> pg_backend_pid())";
    static final String NO_SLEEP = "select not exists (select 1 from pg_stat_activity where query like '%pg_sleep%' and pid <> pg_backend_pid())";
    static final String NO_ADVISORY_LOCK = "select count(*) from pg_locks where locktype = 'advisory'";

    static Path flywayKitWithSlowV5() throws Exception {
        Path kit = TestSupport.kitWith("V5__slow.sql", "CREATE TABLE \"Partial\" (id int);\nSELECT pg_sleep(60);\n");
        return kit;
    }

    /** A Prisma folder: 01_init applies at once, 02_slow sleeps a minute in its transaction. */
    static Path prismaFolderWithSlowSecond() throws Exception {
        return TestSupport.prismaFolder("01_init", "CREATE TABLE \"Done\" (id int);\n", "02_slow", "CREATE TABLE \"Partial\" (id int);\nSELECT pg_sleep(60);\n");
    }

    /** Ctrl-C at a terminal: SIGINT to the process and everything it started. */
    static void interrupt(Process p) throws Exception {
        List<String> pids = new ArrayList<>();
        pids.add(String.valueOf(p.pid()));
        p.toHandle().descendants().forEach(h -> pids.add(String.valueOf(h.pid())));
        List<String> cmd = new ArrayList<>(List.of("kill", "-INT"));
        cmd.addAll(pids);
        assertEquals(0, new ProcessBuilder(cmd).inheritIO().start().waitFor());
    }

    @Test
    void aSecondFlywayMigrateSaysWhoHoldsTheLockAndGivesUpAfterLockWait() throws Exception {
        String url = TestSupport.migrated();
        Path kit = flywayKitWithSlowV5();
        TestSupport.Running first = TestSupport.start(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString());
        try {
            TestSupport.waitUntil(url, SLEEPING, "V5 is running");
            long t = System.nanoTime();
            TestSupport.Result second = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString(), "--lock-wait", "2s");
            long ms = (System.nanoTime() - t) / 1_000_000;
            assertEquals(4, second.code(), second.all());
            assertTrue(second.err().contains("note: another session holds the migration lock (Flyway's advisory lock) (application \"rc-dbkit migrate\", client 127.0.0.1, process ")
                    && second.err().contains("waiting up to 2.0 s for it to finish (--lock-wait)"), second.err());
            assertTrue(second.err().contains("still held the migration lock (Flyway's advisory lock) after waiting 2.0 s; nothing was applied"), second.err());
            assertTrue(ms < 15_000, "gave up after " + ms + " ms");
        } finally {
            TestSupport.exec(url, "select pg_terminate_backend(pid) from pg_stat_activity where query like '%pg_sleep(60)%' and pid <> pg_backend_pid()");
            first.result();
        }
        assertEquals("0|0", TestSupport.one(url, "select (select count(*) from pg_tables where tablename = 'Partial'), (select count(*) from flyway_schema_history where version = '5')"));
    }

    @Test
    void aPrismaMigrateWaitsForPrismasLockPastLockTimeoutSaysForWhomAndGivesUpOnItsOwn() throws Exception {
        Path folder = PrismaTest.EDGE;
        String url = TestSupport.freshDatabase();
        try (Connection holder = TestSupport.server().admin(TestSupport.databaseName(url))) {
            holder.createStatement().execute("set application_name = 'prisma-deploy'");
            holder.createStatement().execute("select pg_advisory_lock(72707369)");
            long t = System.nanoTime();
            TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url),
                    "--dir", PrismaTest.emptyKit().toString(), "--prisma", folder.toString(), "--lock-timeout", "1s", "--lock-wait", "3s");
            long ms = (System.nanoTime() - t) / 1_000_000;
            // before: exit 3 "lost the connection ... canceling statement due to lock timeout" after --lock-timeout
            assertEquals(4, r.code(), r.all());
            assertTrue(r.err().contains("note: another session holds Prisma's migration lock (application \"prisma-deploy\"") && r.err().contains("waiting up to 3.0 s"), r.err());
            assertTrue(r.err().contains("still held Prisma's migration lock after waiting 3.0 s; nothing was applied"), r.err());
            assertFalse(r.err().contains("lost the connection"), r.err());
            assertTrue(ms >= 2_900, "waited " + ms + " ms, not --lock-wait");
            assertEquals("0", TestSupport.one(url, "select count(*) from pg_tables where tablename = '_prisma_migrations'"));
            // released while it waits (longer than --lock-timeout): it goes on and applies everything
            TestSupport.Running run = TestSupport.start(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", PrismaTest.emptyKit().toString(), "--prisma", folder.toString(),
                    "--lock-timeout", "1s", "--allow-destructive");
            // its wait for the lock outlasts --lock-timeout (1 s), which bounds statements, not this wait
            TestSupport.waitUntil(url, TestSupport.waitsForALock("rc-dbkit migrate", Duration.ofSeconds(2)), "migrate has waited 2 s for Prisma's lock", Duration.ofSeconds(30));
            holder.createStatement().execute("select pg_advisory_unlock(72707369)");
            TestSupport.Result ok = run.result();
            assertTrue(ok.err().contains("waiting up to 1 m for it to finish (--lock-wait)"), ok.err());
            assertEquals(0, ok.code(), ok.all());
        }
    }

    @Test
    void ctrlCDuringAFlywayMigrationCancelsItOnTheServerFreesTheLockAndExits130() throws Exception {
        String url = TestSupport.migrated();
        Path kit = flywayKitWithSlowV5();
        TestSupport.Proc p = TestSupport.launch(TestSupport.env("DIRECT_URL", url), "migrate.java", "--dir", kit.toString());
        TestSupport.waitUntil(url, SLEEPING, "V5 is running", Duration.ofMinutes(2));
        long t = System.nanoTime();
        interrupt(p.process());
        assertEquals(130, p.waitFor(), p.all());
        long ms = (System.nanoTime() - t) / 1_000_000;
        System.out.println("     Ctrl-C to exit 130: " + ms + " ms");
        assertTrue(ms < 10_000, "took " + ms + " ms to stop");
        // cancelled on the server, not left to sleep its minute
        TestSupport.waitUntil(url, NO_SLEEP, "pg_sleep was cancelled", Duration.ofSeconds(3));
        assertEquals("0", TestSupport.one(url, NO_ADVISORY_LOCK));
        assertEquals("0|0", TestSupport.one(url, "select (select count(*) from pg_tables where tablename = 'Partial'), (select count(*) from flyway_schema_history where version = '5')"));
        String err = p.stderr();
        assertTrue(err.contains("error: migrate was interrupted while applying V5__slow.sql: its statement was cancelled on the server and its session closed, so the migration lock is free; V5__slow.sql was rolled back and nothing from it was applied"), err);
        assertEquals(1, err.lines().filter(l -> l.startsWith("error:")).count(), err);
        TestSupport.assertNoSecrets(p.all(), TestSupport.env("DIRECT_URL", url));
    }

    @Test
    void ctrlCDuringAPrismaMigrationSaysWhatWasAppliedAndExits130() throws Exception {
        String url = TestSupport.freshDatabase();
        Path folder = prismaFolderWithSlowSecond();
        TestSupport.Proc p = TestSupport.launch(TestSupport.env("DIRECT_URL", url), "migrate.java", "--dir", PrismaTest.emptyKit().toString(), "--prisma", folder.toString());
        TestSupport.waitUntil(url, SLEEPING, "02_slow is running", Duration.ofMinutes(2));
        interrupt(p.process());
        assertEquals(130, p.waitFor(), p.all());
        TestSupport.waitUntil(url, NO_SLEEP, "pg_sleep was cancelled", Duration.ofSeconds(3));
        assertEquals("0", TestSupport.one(url, NO_ADVISORY_LOCK));
        assertEquals("01_init", TestSupport.one(url, "select string_agg(migration_name, ',') from _prisma_migrations"));
        assertEquals("0", TestSupport.one(url, "select count(*) from pg_tables where tablename = 'Partial'"));
        assertTrue(p.stderr().contains("migrate was interrupted while applying 02_slow/migration.sql")
                && p.stderr().contains("was rolled back and nothing from it was applied; 1 migration (01_init/migration.sql) was applied before it and stay"), p.stderr());
    }

    @Test
    void aPrismaSessionTheServerEndsIsNotBlamedOnTheFile() throws Exception {
        String url = TestSupport.freshDatabase();
        Path folder = prismaFolderWithSlowSecond();
        TestSupport.Running run = TestSupport.start(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", PrismaTest.emptyKit().toString(), "--prisma", folder.toString());
        TestSupport.waitUntil(url, SLEEPING, "02_slow is running");
        TestSupport.exec(url, "select pg_terminate_backend(pid) from pg_stat_activity where query like '%pg_sleep(60)%' and pid <> pg_backend_pid()");
        TestSupport.Result r = run.result();
        assertEquals(3, r.code(), r.all());
        assertTrue(r.err().contains("02_slow/migration.sql was interrupted") && r.err().contains("because the server ended the session or went away")
                && r.err().contains("nothing from it was applied, and the file is not at fault: re-running migrate is safe"), r.err());
        assertFalse(r.err().contains("Fix the file"), r.err());
        assertEquals("01_init", TestSupport.one(url, "select string_agg(migration_name, ',') from _prisma_migrations"));
    }

    @Test
    void aRoleThatCannotSeeOtherSessionsIsToldWhatCanBeSeen() throws Exception {
        String url = TestSupport.freshDatabase();
        String db = TestSupport.databaseName(url);
        String asDeployer = TestSupport.asNewRole(url, "app_deployer", "Deploy-Pw-7731");
        TestSupport.exec(url, "grant create on database " + db + " to app_deployer");
        try (Connection holder = TestSupport.server().admin(db)) {
            holder.createStatement().execute("set application_name = 'prisma-deploy'");
            holder.createStatement().execute("select pg_advisory_lock(72707369)");
            TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", asDeployer),
                    "--dir", PrismaTest.emptyKit().toString(), "--prisma", PrismaTest.EDGE.toString(), "--lock-wait", "0s");
            assertEquals(4, r.code(), r.all());
            // as on Supabase without pg_read_all_stats: another role's client address and times are hidden, its application and role are not
            assertTrue(r.err().contains("note: another session holds Prisma's migration lock (application \"prisma-deploy\", process ")
                    && r.err().contains("its client address and start time are hidden from this role (pg_read_all_stats shows them)")
                    && r.err().contains("--lock-wait is 0s, so not waiting for it."), r.err());
            assertFalse(r.all().contains("Deploy-Pw-7731"), r.all());
        }
        assertEquals("0", TestSupport.one(url, "select count(*) from pg_tables where tablename = '_prisma_migrations'"));
    }

    /** A Flyway migrate waiting behind the app's open transaction: status says a migrate is running, which migration, and what it waits for; exit 1, not "run migrate". */
    @Test
    void statusDuringAFlywayMigrateSaysAMigrateIsRunningNamesTheMigrationAndWhatItWaitsFor() throws Exception {
        String url = TestSupport.migrated();
        Path kit = ProgressTest.kitAddingANickname();
        try (Connection app = ProgressTest.appInATransactionOn(url, "Member")) {
            TestSupport.Running running = TestSupport.start(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString(), "--lock-timeout", "60s");
            TestSupport.waitUntil(url, TestSupport.waitsForALock("rc-dbkit migrate"), "V5 waits for the app's lock");
            TestSupport.Result r = TestSupport.run(new status(), TestSupport.adminEnv(url), "--dir", kit.toString());
            TestSupport.Result json = TestSupport.run(new status(), TestSupport.adminEnv(url), "--dir", kit.toString(), "--json");
            app.rollback();
            assertEquals(0, running.result().code());
            assertEquals(1, r.code(), r.all());
            assertTrue(r.out().contains("[~] 5      nickname") && r.out().contains("being applied now by the migrate below"), r.out());
            assertTrue(r.out().contains("A migrate is running now: process ") && r.out().contains("(application \"rc-dbkit migrate\", role kit, client ")
                    && r.out().contains("applying V5__nickname.sql (waiting for AccessExclusiveLock on \"Member\", held by process ")
                    && r.out().contains("application \"billing-api\""), r.out());
            assertFalse(r.out().contains("run migrate)"), r.out());
            JsonNode doc = Console.JSON.readTree(json.out());
            assertEquals(1, doc.path("exitCode").asInt(), json.out());
            assertTrue(doc.path("verdict").asText().startsWith("A migrate is running now: process "), json.out());
            assertEquals("5", doc.path("migrations").path("inFlight").path("migration").asText(), json.out());
            assertEquals("applying", doc.path("migrations").path("entries").path(4).path("state").asText(), json.out());
            assertTrue(doc.path("migrations").path("inFlight").path("doing").asText().contains("billing-api"), json.out());
            assertEquals("running", doc.path("findings").path(0).path("severity").asText(), json.out());
        }
    }

    /** The Prisma path records its history row inside the migration's transaction, unseen by others: status finds the migration from the lock holder. */
    @Test
    void statusDuringAPrismaMigrateSaysAMigrateIsRunningAndNamesTheMigration() throws Exception {
        String url = TestSupport.freshDatabase();
        Path folder = prismaFolderWithSlowSecond();
        TestSupport.Running running = TestSupport.start(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", PrismaTest.emptyKit().toString(), "--prisma", folder.toString());
        try {
            TestSupport.waitUntil(url, SLEEPING, "02_slow is running");
            TestSupport.Result r = TestSupport.run(new status(), TestSupport.env("DIRECT_URL", url), "--dir", PrismaTest.emptyKit().toString(), "--prisma", folder.toString());
            assertEquals(1, r.code(), r.all());
            assertTrue(r.out().contains("[~] 02_slow") && r.out().contains("A migrate is running now: process ") && r.out().contains("applying 02_slow/migration.sql"), r.out());
            assertFalse(r.out().contains("run migrate)"), r.out());
        } finally {
            TestSupport.exec(url, "select pg_terminate_backend(pid) from pg_stat_activity where query like '%pg_sleep(60)%' and pid <> pg_backend_pid()");
            running.result();
        }
    }
}
