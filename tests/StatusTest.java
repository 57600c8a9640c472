import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.api.MigrationInfo;
import org.junit.jupiter.api.Test;

/** status.java: read-only, every state, the right exit code, valid JSON each time. */
class StatusTest {

    private static JsonNode json(TestSupport.Result r) throws Exception {
        JsonNode doc = Console.JSON.readTree(r.out());
        assertNotNull(doc, r.all());
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
    void aDeletedSeedRowIsPendingAndAChangedFlagIsOnlyInformation() throws Exception {
        String url = TestSupport.seeded();
        TestSupport.exec(url, "update \"FeatureFlag\" set enabled = not enabled where key = 'maintenance_mode'");
        TestSupport.Result changed = TestSupport.run(new status(), TestSupport.adminEnv(url));
        assertEquals(0, changed.code(), changed.all());
        assertTrue(changed.out().contains("8 present, 0 missing, 1 changed (changed in the database; seed leaves them)"), changed.out());
        TestSupport.exec(url, "delete from \"PointConfig\" where action = 'resource_download'");
        TestSupport.Result r = TestSupport.run(new status(), TestSupport.adminEnv(url));
        assertEquals(1, r.code(), r.all());
        assertTrue(r.out().contains("3 present, 1 missing"), r.out());
        assertTrue(r.out().contains("1 seed row missing (run seed)"), r.out());
        assertEquals(1, json(TestSupport.run(new status(), TestSupport.adminEnv(url), "--json")).get("exitCode").asInt());
    }

    @Test
    void anAdminWhosePasswordChangedShowsAsChangedUpsertPending() {
        String url = TestSupport.seeded();
        Map<String, String> env = TestSupport.adminEnv(url);
        env.put("ADMIN_SEED_PASSWORD", "A-Different-Passphrase-77");
        TestSupport.Result r = TestSupport.run(new status(), env);
        assertEquals(1, r.code(), r.all());
        assertTrue(r.out().contains("1 present, 0 missing, 1 changed (seed will bring them back)"), r.out());
    }

    @Test
    void unsetSeedVariablesAreNotCheckedNotAnError() {
        String url = TestSupport.seeded();
        TestSupport.Result r = TestSupport.run(new status(), TestSupport.env("DIRECT_URL", url));
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("01_admin.json                not checked: ADMIN_SEED_EMAIL is not set"), r.out());
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
}
