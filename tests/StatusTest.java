import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.api.MigrationInfo;
import org.junit.jupiter.api.Test;

/** status.java: read-only, every state, the right exit code, valid JSON each time. */
class StatusTest {

    /** The one JSON document status printed. */
    static JsonNode json(TestSupport.Result r) throws Exception {
        JsonNode doc = Console.JSON.readTree(r.out());
        assertTrue(doc.isObject(), "not one JSON document: " + r.all());
        return doc;
    }

    @Test
    void anUnmigratedDatabaseIsPendingAndStatusCreatesNothing() throws Exception {
        String url = TestSupport.freshDatabase();
        TestSupport.Result r = TestSupport.run(new status(), TestSupport.adminEnv(url));
        assertEquals(1, r.code(), r.all());
        assertTrue(r.out().contains("[ ] 1      admin and configuration"), r.out());
        assertTrue(r.out().contains("not checked: schema not migrated"), r.out());
        assertTrue(r.out().contains("Work is pending: 4 migrations to apply (run migrate)"), r.out());
        assertEquals(List.of(), TestSupport.rows(url, "select tablename from pg_tables where schemaname = 'public'"));
        JsonNode doc = json(TestSupport.run(new status(), TestSupport.adminEnv(url), "--json"));
        assertEquals(1, doc.get("exitCode").asInt());
        assertEquals("pending", doc.get("migrations").get("entries").get(0).get("state").asText());
        assertEquals(List.of(), TestSupport.rows(url, "select tablename from pg_tables where schemaname = 'public'"));
    }

    @Test
    void upToDateAfterMigrateAndSeed() throws Exception {
        String url = TestSupport.seeded();
        TestSupport.Result r = TestSupport.run(new status(), TestSupport.adminEnv(url));
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("[x] 3      members and teams"), r.out());
        assertTrue(r.out().contains("02_feature_flags.json        \"FeatureFlag\"    8 present, 0 missing, 0 changed"), r.out());
        assertTrue(r.out().contains(TestSupport.ADMIN_EMAIL + " exists, role SUPER_ADMIN"), r.out());
        assertTrue(r.out().strip().endsWith("Database is up to date."), r.out());
        JsonNode doc = json(TestSupport.run(new status(), TestSupport.adminEnv(url), "--json"));
        assertEquals(0, doc.get("exitCode").asInt());
        assertEquals("4", doc.get("migrations").get("currentVersion").asText());
        assertEquals("present", doc.get("admin").get("state").asText());
        assertEquals(false, doc.get("target").get("transactionPooler").asBoolean());
        assertTrue(doc.toString().indexOf("argon2") < 0, "never the hash");
    }

    @Test
    void aFlagChangedInTheDatabaseIsOnlyInformation() throws Exception {
        String url = TestSupport.seeded();
        TestSupport.exec(url, "update \"FeatureFlag\" set enabled = not enabled where key = 'maintenance_mode'");
        TestSupport.Result changed = TestSupport.run(new status(), TestSupport.adminEnv(url));
        assertEquals(0, changed.code(), changed.all());
        assertTrue(changed.out().contains("8 present, 0 missing, 1 changed (changed in the database; seed leaves them)"), changed.out());
    }

    @Test
    void aDeletedSeedRowIsPending() throws Exception {
        String url = TestSupport.seeded();
        TestSupport.exec(url, "delete from \"PointConfig\" where action = 'resource_download'");
        TestSupport.Result r = TestSupport.run(new status(), TestSupport.adminEnv(url));
        assertEquals(1, r.code(), r.all());
        assertTrue(r.out().contains("3 present, 1 missing"), r.out());
        assertTrue(r.out().contains("1 seed row missing (run seed)"), r.out());
        assertEquals(1, json(TestSupport.run(new status(), TestSupport.adminEnv(url), "--json")).get("exitCode").asInt());
    }

    @Test
    void unsetSeedVariablesAreNotCheckedNotAnError() {
        String url = TestSupport.seeded();
        TestSupport.Result r = TestSupport.run(new status(), TestSupport.env("DIRECT_URL", url));
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("01_admin.json                not checked: ADMIN_SEED_EMAIL and ADMIN_SEED_PASSWORD are not set"), r.out());
        assertTrue(r.out().contains("admin                        not checked: ADMIN_SEED_EMAIL is not set"), r.out());
    }

    @Test
    void anEditedAppliedMigrationIsDriftExit5() throws Exception {
        Path kit = TestSupport.kitCopy();
        String url = TestSupport.freshDatabase();
        assertEquals(0, TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString()).code());
        Files.writeString(kit.resolve("migrations/V1__admin_and_configuration.sql"), "-- edited\n", java.nio.file.StandardOpenOption.APPEND);
        TestSupport.Result r = TestSupport.run(new status(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString());
        assertEquals(5, r.code(), r.all());
        assertTrue(r.out().contains("[!] 1") && r.out().contains("EDITED after it was applied"), r.out());
        assertTrue(r.out().contains("Database disagrees with this repository: V1__admin_and_configuration.sql was edited after it was applied."), r.out());
        JsonNode doc = json(TestSupport.run(new status(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString(), "--json"));
        assertEquals(5, doc.get("exitCode").asInt());
        assertEquals("edited", doc.get("migrations").get("entries").get(0).get("state").asText());
    }

    @Test
    void anAppliedMigrationWhoseFileIsGoneIsDrift() throws Exception {
        Path kit = TestSupport.kitCopy();
        String url = TestSupport.freshDatabase();
        assertEquals(0, TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString()).code());
        Files.delete(kit.resolve("migrations/V3__members_and_teams.sql"));
        TestSupport.Result missing = TestSupport.run(new status(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString());
        assertTrue(missing.out().contains("migration 3 is applied but missing from migrations/"), missing.out());
    }

    @Test
    void aMissingSeedColumnIsDriftExit5() {
        String url = TestSupport.seeded();
        TestSupport.exec(url, "alter table \"FeatureFlag\" drop column category");
        TestSupport.Result r = TestSupport.run(new status(), TestSupport.adminEnv(url));
        assertEquals(5, r.code(), r.all());
        assertTrue(r.out().contains("names the column \"category\", which table \"FeatureFlag\" does not have"), r.out());
    }

    @Test
    void anUnreachableHostIsExit3WithValidJson() throws Exception {
        TestSupport.Result r = TestSupport.run(new status(), TestSupport.env("DIRECT_URL", "postgresql://kit:pw-not-shown@localhost:1/x"), "--json");
        assertEquals(3, r.code(), r.all());
        assertEquals(3, json(r).get("exitCode").asInt());
        assertTrue(r.err().contains("refused the connection"), r.err());
    }

    @Test
    void statusRunsInAReadOnlyTransaction() {
        String url = TestSupport.seeded();
        TestSupport.exec(url, "create or replace function public.ro_probe() returns trigger language plpgsql as $$ begin raise exception 'wrote'; end $$");
        // a read-only transaction shows up as such in pg_stat_activity only while running; instead check
        // that status leaves no trace: no new objects and the same data
        String before = TestSupport.fingerprint(url) + TestSupport.rows(url, "select count(*) from pg_class");
        assertEquals(0, TestSupport.run(new status(), TestSupport.adminEnv(url)).code());
        assertEquals(before, TestSupport.fingerprint(url) + TestSupport.rows(url, "select count(*) from pg_class"));
    }

    @Test
    void checksumsAgreeWithFlywaysOwn() {
        String url = TestSupport.migrated();
        Console console = new Console(new java.io.PrintWriter(new java.io.StringWriter()), new java.io.PrintWriter(new java.io.StringWriter()), false, false);
        Database db = new Database(DatabaseTarget.parse(url, "test"), "test", java.time.Duration.ZERO, console);
        java.nio.file.Path folder = MigrationHistory.folder(TestSupport.kitDir());
        Map<String, Integer> flyway = new HashMap<>();
        for (MigrationInfo m : org.flywaydb.core.Flyway.configure().dataSource(db.dataSource()).locations("filesystem:" + folder).load().info().all()) flyway.put(m.getVersion().toString(), m.getResolvedChecksum());
        List<MigrationFile> ours = MigrationHistory.files(folder);
        assertEquals(flyway.size(), ours.size());
        for (MigrationFile f : ours) assertEquals(flyway.get(f.version), f.flywayChecksum(), f.script);
        // and for the awkward cases: CRLF, a BOM, no final newline
        assertEquals(MigrationFile.flywayChecksum("a\nb\n".getBytes()), MigrationFile.flywayChecksum("a\r\nb\r\n".getBytes()));
        assertEquals(MigrationFile.flywayChecksum("a\nb".getBytes()), MigrationFile.flywayChecksum("\uFEFFa\nb".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    // ---- issue 19, point 5: what status must not say ----

    @Test
    void withoutTheAdminVariableAMissingAdminIsStillPending() throws Exception {
        String url = TestSupport.migrated();
        TestSupport.Result seeded = TestSupport.run(new seed(), TestSupport.env("DIRECT_URL", url), "--skip", "admin");
        assertEquals(0, seeded.code(), seeded.all());
        assertEquals("0", TestSupport.one(url, "select count(*) from \"Admin\""));
        TestSupport.Result r = TestSupport.run(new status(), TestSupport.env("DIRECT_URL", url));
        assertEquals(1, r.code(), r.all());
        assertTrue(r.out().contains("admin                        not checked: ADMIN_SEED_EMAIL is not set, and there is no admin with the seeded role SUPER_ADMIN (run seed)"), r.out());
        assertTrue(r.out().contains("Work is pending: no admin with the seeded role SUPER_ADMIN (run seed)."), r.out());
        JsonNode doc = json(TestSupport.run(new status(), TestSupport.env("DIRECT_URL", url), "--json"));
        assertEquals(1, doc.get("exitCode").asInt());
        assertEquals("absent", doc.get("admin").get("state").asText());
    }

    @Test
    void withoutTheAdminVariableAnAdminWithAnotherRoleIsPending() throws Exception {
        String url = TestSupport.seeded();
        TestSupport.exec(url, "update \"Admin\" set role = 'ADMIN'");
        TestSupport.Result r = TestSupport.run(new status(), TestSupport.env("DIRECT_URL", url));
        assertEquals(1, r.code(), r.all());
        assertTrue(r.out().contains("no admin with the seeded role SUPER_ADMIN (run seed)"), r.out());
    }

    @Test
    void aPrismaMigrationUnderWayIsBeingAppliedNotFailed() throws Exception {
        String url = TestSupport.freshDatabase();
        assertEquals(0, PrismaTest.migrate(url, PrismaTest.EDGE, "--target", "03_functions").code());
        try (Connection prisma = TestSupport.server().admin(TestSupport.databaseName(url))) {
            // what Prisma's schema engine has done a moment into 04_own_transaction: lock held, row recorded, not finished
            prisma.createStatement().execute("select pg_advisory_lock(72707369)");
            prisma.createStatement().execute("insert into _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count)"
                    + " values ('00000000-0000-4000-8000-0000000000aa', 'x', '04_own_transaction', now(), 0)");
            TestSupport.Result r = PrismaTest.status(url, PrismaTest.EDGE);
            assertEquals(1, r.code(), r.all());
            assertTrue(r.out().contains("[~] 04_own_transaction") && r.out().contains("being applied"), r.out());
            assertTrue(r.out().contains("3 applied, 2 pending, 1 being applied; current version 03_functions"), r.out());
            assertFalse(r.out().contains("[F]") || r.out().contains("FAILED"), r.out());
            assertTrue(r.out().contains("A migrate is running now: process ") && r.out().contains("applying 04_own_transaction/migration.sql"), r.out());
        }
    }

    @Test
    void anUnfinishedPrismaRowWithNobodyHoldingTheLockIsFailed() throws Exception {
        String url = TestSupport.freshDatabase();
        assertEquals(0, PrismaTest.migrate(url, PrismaTest.EDGE, "--target", "03_functions").code());
        TestSupport.exec(url, "insert into _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count)"
                + " values ('00000000-0000-4000-8000-0000000000aa', 'x', '04_own_transaction', now(), 0)");
        TestSupport.Result r = PrismaTest.status(url, PrismaTest.EDGE);
        assertEquals(5, r.code(), r.all());
        assertTrue(r.out().contains("[F] 04_own_transaction"), r.out());
    }

    // ---- issue 17, point 2: the most severe finding wins, and both renderings carry the same findings ----

    @Test
    void theRuleRanksSecurityThenDriftThenALostConnectionThenPendingWork() {
        List<StatusReport.Severity> ranked = List.of(StatusReport.Severity.PENDING, StatusReport.Severity.UNREACHABLE, StatusReport.Severity.DRIFT, StatusReport.Severity.SECURITY);
        List<Integer> codes = List.of(1, 3, 5, 6);
        assertEquals(0, StatusReport.exitCode(List.of()));
        for (int mask = 1; mask < 16; mask++) {
            List<StatusReport.Finding> findings = new ArrayList<>();
            int expected = 0;
            for (int i = 0; i < 4; i++) {
                if ((mask & (1 << i)) == 0) continue;
                findings.add(new StatusReport.Finding(ranked.get(i), "finding " + i));
                expected = codes.get(i);
            }
            assertEquals(expected, StatusReport.exitCode(findings), findings.toString());
            List<StatusReport.Finding> reversed = new ArrayList<>(findings);
            java.util.Collections.reverse(reversed);
            assertEquals(expected, StatusReport.exitCode(reversed), "the order of the findings does not matter: " + findings);
        }
    }

    @Test
    void pendingWorkAloneIsExit1() throws Exception {
        String url = TestSupport.seeded();
        TestSupport.exec(url, "delete from \"PointConfig\" where action = 'resource_download'");
        JsonNode doc = bothWays(1, TestSupport.adminEnv(url));
        assertEquals(List.of("pending"), severities(doc));
    }

    @Test
    void aLostConnectionOutranksPendingWork() throws Exception {
        String url = TestSupport.seeded();
        Path kit = TestSupport.kitWith("V5__later.sql", "create table later (id int);\n");
        Map<String, String> env = TestSupport.env("DIRECT_URL", url);
        TestSupport.Result human = cutOffWhileReading(url, "FeatureFlag", env, "--dir", kit.toString());
        assertEquals(3, human.code(), human.all());
        assertTrue(human.err().contains("lost the connection to ") && human.err().contains("while reading the seeds"), human.err());
        JsonNode doc = json(cutOffWhileReading(url, "FeatureFlag", env, "--dir", kit.toString(), "--json"));
        assertEquals(List.of("pending", "unreachable"), severities(doc));
        assertSameFindings(human, doc);
    }

    /**
     * The seed rows, the admin and the exposure are asked in one flight: when it is cut off, the
     * seeds section still shows every file, and what the catalog had already refuted stays drift.
     */
    @Test
    void aFlightCutOffKeepsTheSeedFilesAndTheirDriftFindings() throws Exception {
        String url = TestSupport.seeded();
        Path kit = TestSupport.kitCopy();
        Files.writeString(kit.resolve("seeds/05_extra_flags.json"), "{\"table\": \"FeatureFlag\", \"key\": [\"key\"], \"rows\": [{\"key\": \"extra\", \"noSuchColumn\": 1}]}\n");
        Map<String, String> env = TestSupport.env("DIRECT_URL", url);
        TestSupport.Result human = cutOffWhileReading(url, "FeatureFlag", env, "--dir", kit.toString());
        // before: the seeds section went with the flight, and with it the drift: exit 3
        assertEquals(5, human.code(), human.all());
        assertTrue(human.out().contains("05_extra_flags.json") && human.out().contains("PROBLEM: "), human.out());
        assertTrue(human.out().contains(String.format("  %-28s not read: the report stopped first", "02_feature_flags.json")), human.out());
        assertTrue(human.err().contains("while reading the seeds, the admin and the Data API exposure"), human.err());
        JsonNode doc = json(cutOffWhileReading(url, "FeatureFlag", env, "--dir", kit.toString(), "--json"));
        assertEquals(List.of("drift", "unreachable"), severities(doc));
        assertEquals("not read", doc.get("seeds").get(1).get("state").asText(), doc.toString());
        assertSameFindings(human, doc);
    }

    /** Seed tables whose rows row-level security hides from the role: said, not taken for missing rows to seed. */
    @Test
    void seedRowsHiddenByRowLevelSecurityAreNotCheckedNotMissing() throws Exception {
        String asReader = readerOfASeededDatabase("seed_reader", "Seed-Reader-8142");
        TestSupport.Result r = TestSupport.run(new status(), TestSupport.adminEnv(asReader));
        // before: every seed row missing and the admin absent, "Work is pending: ... (run seed)", exit 1
        assertEquals(3, r.code(), r.all());
        assertTrue(r.out().contains("not checked: row-level security hides the rows of \"FeatureFlag\" from role seed_reader"), r.out());
        assertTrue(r.out().contains("not checked: row-level security hides the rows of \"Admin\" from role seed_reader"), r.out());
        assertFalse(r.out().contains("missing (run seed)") || r.out().contains("does not exist (run seed)"), r.out());
        assertTrue(r.out().contains("(run status as the tables' owner)"), r.out());
    }

    /** The admin's rows hidden by row-level security are said as such even when no seed file could be checked (each waits on a variable). */
    @Test
    void anAdminHiddenByRowLevelSecurityIsSaidWhenNoSeedFileWasChecked() throws Exception {
        String asReader = readerOfASeededDatabase("admin_reader", "Admin-Reader-5306");
        Path kit = TestSupport.kitCopy();
        for (String file : List.of("02_feature_flags.json", "03_point_configs.json", "04_email_templates.json")) Files.delete(kit.resolve("seeds/" + file));
        TestSupport.Result r = TestSupport.run(new status(), TestSupport.env("DIRECT_URL", asReader, "ADMIN_SEED_EMAIL", TestSupport.ADMIN_EMAIL), "--dir", kit.toString());
        // before: "<email> does not exist (run seed)", then "Database is up to date.", exit 0
        assertEquals(3, r.code(), r.all());
        assertTrue(r.out().contains("not checked: row-level security hides the rows of \"Admin\" from role admin_reader"), r.out());
        assertFalse(r.out().contains("does not exist (run seed)"), r.out());
    }

    /** A seeded database as a role that may read every table but owns none, so row-level security hides the seed tables' rows from it. */
    private static String readerOfASeededDatabase(String role, String password) {
        String url = TestSupport.seeded();
        TestSupport.exec(url, "alter table flyway_schema_history disable row level security");
        String asReader = TestSupport.asNewRole(url, role, password);
        TestSupport.exec(url, "grant select on all tables in schema public to " + role);
        return asReader;
    }

    /** A history the role may not read: the target it did learn is still reported. */
    @Test
    void aHistoryThatCannotBeReadStillReportsTheTarget() throws Exception {
        String url = TestSupport.migrated();
        TestSupport.Result r = TestSupport.run(new status(), TestSupport.env("DIRECT_URL", TestSupport.asNewRole(url, "status_blind", "Status-Blind-3317")));
        // issue 27 item 10: the role is what must change, so exit 2 with what to do, never "run status again"
        assertEquals(2, r.code(), r.all());
        assertTrue(r.out().startsWith("Target\n  postgresql://status_blind:****@"), r.out());
        assertTrue(r.err().contains("error: role status_blind may not read the migrations (permission denied for table flyway_schema_history)"), r.err());
    }

    @Test
    void driftOutranksALostConnection() throws Exception {
        Path kit = TestSupport.kitCopy();
        String url = TestSupport.freshDatabase();
        Map<String, String> env = TestSupport.env("DIRECT_URL", url);
        assertEquals(0, TestSupport.run(new migrate(), env, "--dir", kit.toString()).code());
        Files.writeString(kit.resolve("migrations/V1__admin_and_configuration.sql"), "-- edited\n", java.nio.file.StandardOpenOption.APPEND);
        TestSupport.Result human = cutOffWhileReading(url, "FeatureFlag", env, "--dir", kit.toString());
        assertEquals(5, human.code(), human.all());
        JsonNode doc = json(cutOffWhileReading(url, "FeatureFlag", env, "--dir", kit.toString(), "--json"));
        assertEquals(List.of("drift", "unreachable"), severities(doc));
        assertSameFindings(human, doc);
    }

    @Test
    void driftOutranksPendingWork() throws Exception {
        Path kit = TestSupport.kitCopy();
        String url = TestSupport.freshDatabase();
        assertEquals(0, TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString()).code());
        Files.writeString(kit.resolve("migrations/V2__email_templates.sql"), "-- edited\n", java.nio.file.StandardOpenOption.APPEND);
        JsonNode doc = bothWays(5, TestSupport.adminEnv(url), "--dir", kit.toString());
        assertEquals(List.of("drift", "pending"), severities(doc));
    }

    @Test
    void aSecurityFindingOutranksDriftAndPendingWork() throws Exception {
        Path kit = TestSupport.kitCopy();
        String url = SupabaseTest.supabaseLikeDatabase();
        assertEquals(0, TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString()).code());
        Files.writeString(kit.resolve("migrations/V1__admin_and_configuration.sql"), "-- edited\n", java.nio.file.StandardOpenOption.APPEND);
        TestSupport.exec(url, "set role kit; create table \"ApiKey\" (id text primary key, \"secretToken\" text); reset role");
        JsonNode doc = bothWays(6, TestSupport.adminEnv(url), "--dir", kit.toString());
        assertEquals(List.of("drift", "pending", "security"), severities(doc));
    }

    /** status as people read it and as --json, the same exit code, and the same findings in both. */
    private static JsonNode bothWays(int code, Map<String, String> env, String... args) throws Exception {
        TestSupport.Result human = TestSupport.run(new status(), env, args);
        assertEquals(code, human.code(), human.all());
        List<String> withJson = new ArrayList<>(List.of(args));
        withJson.add("--json");
        JsonNode doc = json(TestSupport.run(new status(), env, withJson.toArray(String[]::new)));
        assertEquals(code, doc.get("exitCode").asInt());
        assertSameFindings(human, doc);
        return doc;
    }

    /** The human report ends with one sentence per severity found; they are exactly what the JSON document's findings give. */
    private static void assertSameFindings(TestSupport.Result human, JsonNode doc) {
        List<StatusReport.Finding> findings = new ArrayList<>();
        doc.get("findings").forEach(f -> findings.add(new StatusReport.Finding(StatusReport.Severity.valueOf(f.get("severity").asText().toUpperCase(java.util.Locale.ROOT)), f.get("finding").asText())));
        String out = human.out().strip();
        List<String> verdict = List.of(out.substring(out.lastIndexOf("\n\n") + 2).split("\n"));
        assertEquals(StatusReport.verdict(findings), verdict, human.out());
        assertEquals(doc.get("verdict").asText(), verdict.get(0));
        assertEquals(human.code(), doc.get("exitCode").asInt());
    }

    private static List<String> severities(JsonNode doc) {
        java.util.TreeSet<String> set = new java.util.TreeSet<>();
        doc.get("findings").forEach(f -> set.add(f.get("severity").asText()));
        return List.copyOf(set);
    }

    /**
     * status run while another session holds an exclusive lock on a table it reads, and its session
     * ended by the server as soon as it waits there: the connection is lost part-way through the report.
     */
    private static TestSupport.Result cutOffWhileReading(String url, String table, Map<String, String> env, String... args) throws Exception {
        try (Connection holder = TestSupport.server().admin(TestSupport.databaseName(url))) {
            holder.setAutoCommit(false);
            holder.createStatement().execute("lock table \"" + table + "\" in access exclusive mode");
            CompletableFuture<TestSupport.Result> run = CompletableFuture.supplyAsync(() -> TestSupport.run(new status(), env, args));
            String pid = null;
            for (int i = 0; i < 600 && pid == null && !run.isDone(); i++) {
                pid = TestSupport.one(url, "select pid from pg_stat_activity where datname = current_database() and application_name = 'rc-dbkit status' and wait_event_type = 'Lock'");
                if (pid == null) Thread.sleep(50);
            }
            assertNotNull(pid, "status never waited for the lock on " + table);
            TestSupport.exec(url, "select pg_terminate_backend(" + pid + ")");
            TestSupport.Result r = run.get(60, TimeUnit.SECONDS);
            holder.rollback();
            return r;
        }
    }
}
