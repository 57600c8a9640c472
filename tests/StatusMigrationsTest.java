import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** status's Migrations part as an operator reads it: every state its own mark and JSON state, columns that stay aligned. */
class StatusMigrationsTest {

    /** A copy of the kit migrated into url, whose V3 was then renamed V3__members_teams.sql (same version and contents, another description). */
    static Path migratedThenRenamed(String url) throws Exception {
        Path kit = TestSupport.kitCopy();
        assertEquals(0, TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString()).code());
        Files.move(kit.resolve("migrations/V3__members_and_teams.sql"), kit.resolve("migrations/V3__members_teams.sql"));
        return kit;
    }

    @Test
    void aRenamedAppliedMigrationIsMarkedAndHasAStateOfItsOwn() throws Exception {
        String url = TestSupport.freshDatabase();
        Path kit = migratedThenRenamed(url);
        TestSupport.Result r = TestSupport.run(new status(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString());
        assertEquals(5, r.code(), r.all());
        String line = r.out().lines().filter(l -> l.contains(" members teams ")).findFirst().orElseThrow(() -> new AssertionError(r.out()));
        assertTrue(line.startsWith("  [!] 3      members teams") && line.contains("RENAMED after it was applied (applied as \"members and teams\""), line);
        assertEquals(1, r.out().lines().filter(l -> l.contains("members teams")).count(), "one line for the migration, not two: " + r.out());
        assertTrue(r.out().contains("4 applied, 0 pending; current version 4"), r.out());
        assertTrue(r.out().contains("Database disagrees with this repository: V3__members_teams.sql was renamed after it was applied."), r.out());
        JsonNode doc = StatusTest.json(TestSupport.run(new status(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString(), "--json"));
        assertEquals(5, doc.get("exitCode").asInt());
        JsonNode entry = doc.get("migrations").get("entries").get(2);
        assertEquals("V3__members_teams.sql", entry.get("script").asText());
        assertEquals("renamed", entry.get("state").asText());
        assertEquals("applied", doc.get("migrations").get("entries").get(1).get("state").asText());
    }

    @Test
    void aLongDescriptionWidensTheColumnForTheRun() throws Exception {
        String description = "backfill_member_tiers_from_the_legacy_billing_export_table_x"; // 60 characters
        assertEquals(60, description.length());
        Path kit = TestSupport.kitWith("V20240101120000__" + description + ".sql", "CREATE TABLE \"Tier\" (id int);\n");
        String url = TestSupport.freshDatabase();
        assertEquals(0, TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString()).code());
        TestSupport.Result r = TestSupport.run(new status(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString());
        List<String> lines = r.out().lines().filter(l -> l.startsWith("  [x] ")).toList();
        assertEquals(5, lines.size(), r.out());
        // the whole description is there, and the descriptions and the dates start in one column on every line
        assertTrue(lines.get(4).contains(description.replace('_', ' ')), r.out());
        java.util.regex.Pattern date = java.util.regex.Pattern.compile("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}");
        java.util.Set<Integer> dates = new java.util.TreeSet<>(), descriptions = new java.util.TreeSet<>();
        for (String l : lines) {
            java.util.regex.Matcher m = date.matcher(l);
            assertTrue(m.find(), l);
            dates.add(m.start());
            java.util.regex.Matcher d = java.util.regex.Pattern.compile("^  \\[x\\] \\S+ +").matcher(l);
            assertTrue(d.find(), l);
            descriptions.add(d.end());
        }
        assertEquals(1, dates.size(), "dates out of line:\n" + String.join("\n", lines));
        assertEquals(1, descriptions.size(), "descriptions out of line:\n" + String.join("\n", lines));
    }

    /** Another app's Prisma history, with a FeatureFlag table of its own shape: the kit's seed files do not fit it. */
    static String anotherAppMigrated(Path history) throws Exception {
        String url = TestSupport.freshDatabase();
        assertEquals(0, PrismaTest.migrate(url, history).code());
        return url;
    }

    @Test
    void aPrismaHistoryIsCheckedAloneWithNoSeedsOrADirWithoutSeeds() throws Exception {
        Path history = TestSupport.prismaFolder("20240101000000_init", "CREATE TABLE \"FeatureFlag\" (\"id\" SERIAL PRIMARY KEY, \"name\" TEXT NOT NULL);\n",
                "20240102000000_users", "CREATE TABLE \"User\" (\"id\" TEXT PRIMARY KEY);\n");
        String url = anotherAppMigrated(history);
        String before = TestSupport.fingerprint(url);
        // the kit's own seeds/ against another app's database: drift, as before
        assertEquals(5, TestSupport.run(new status(), TestSupport.adminEnv(url), "--prisma", history.toString()).code());
        TestSupport.Result alone = TestSupport.run(new status(), TestSupport.adminEnv(url), "--prisma", history.toString(), "--no-seeds");
        assertEquals(0, alone.code(), alone.all());
        assertTrue(alone.out().contains("[x] 20240102000000_users"), alone.out());
        assertTrue(alone.out().contains("Seeds\n  not checked: --no-seeds\n  admin                        not checked: --no-seeds"), alone.out());
        assertTrue(alone.out().strip().endsWith("Database is up to date."), alone.out());
        // a --dir with no seeds/ folder: the seeds are not checked, and that is said
        Path app = Files.createTempDirectory("another-app-");
        TestSupport.Result noFolder = TestSupport.run(new status(), TestSupport.adminEnv(url), "--dir", app.toString(), "--prisma", history.toString());
        assertEquals(0, noFolder.code(), noFolder.all());
        assertTrue(noFolder.out().contains("  not checked: no seeds/ folder in " + app.toAbsolutePath().normalize()), noFolder.out());
        JsonNode doc = StatusTest.json(TestSupport.run(new status(), TestSupport.adminEnv(url), "--dir", app.toString(), "--prisma", history.toString(), "--json"));
        assertEquals(0, doc.get("exitCode").asInt());
        assertEquals(0, doc.get("seeds").size());
        assertEquals("not checked", doc.get("admin").get("state").asText());
        assertTrue(doc.get("admin").get("reason").asText().startsWith("no seeds/ folder in "), doc.toString());
        assertEquals(2, doc.get("migrations").get("applied").asInt());
        // work on the history is still seen
        Files.createDirectories(history.resolve("20240103000000_more"));
        Files.writeString(history.resolve("20240103000000_more/migration.sql"), "CREATE TABLE \"More\" (\"id\" TEXT);\n");
        assertEquals(1, TestSupport.run(new status(), TestSupport.adminEnv(url), "--prisma", history.toString(), "--no-seeds").code());
        assertEquals(before, TestSupport.fingerprint(url));
    }

    /** A seed file that is not JSON is a finding of its line: the report goes on, and a drift found elsewhere still decides the exit code (5 before 2). */
    @Test
    void aSeedFileThatIsNotJsonIsAFindingAndADriftStillOutranksIt() throws Exception {
        Path kit = TestSupport.kitCopy();
        String url = TestSupport.seeded();
        Files.writeString(kit.resolve("seeds/02_feature_flags.json"), "{\"table\": \"FeatureFlag\",, }");
        TestSupport.Result r = TestSupport.run(new status(), TestSupport.adminEnv(url), "--dir", kit.toString());
        assertEquals(2, r.code(), r.all());
        assertEquals("", r.err(), "a finding of the report, not an error that stops it");
        assertTrue(r.out().contains("04_email_templates.json      \"EmailTemplate\"  10 present, 0 missing, 0 changed"), r.out());
        assertTrue(r.out().contains("Fix this folder's files first: 02_feature_flags.json is a seed file seed refuses (its line says why)."), r.out());
        // an applied migration whose file is gone: drift, exit 5, outranks the folder's problem
        Files.delete(kit.resolve("migrations/V4__row_level_security.sql"));
        TestSupport.Result drift = TestSupport.run(new status(), TestSupport.adminEnv(url), "--dir", kit.toString());
        assertEquals(5, drift.code(), drift.all());
        assertTrue(drift.out().contains("02_feature_flags.json is a seed file seed refuses"), drift.out());
    }

    @Test
    void aMisnamedMigrationFileIsAFindingAndTheRestOfTheReportStands() throws Exception {
        Path kit = TestSupport.kitCopy();
        String url = TestSupport.seeded();
        Files.writeString(kit.resolve("migrations/V5_misnamed.sql"), "CREATE TABLE \"x\" (id int);\n");
        TestSupport.Result r = TestSupport.run(new status(), TestSupport.adminEnv(url), "--dir", kit.toString());
        assertEquals(2, r.code(), r.all());
        assertEquals("", r.err(), "a finding of the report, not an error that stops it");
        assertTrue(r.out().contains("  [x] 4      row level security"), r.out());
        assertTrue(r.out().contains("  PROBLEM: migrations/ holds a file that is not named as a Flyway migration: V5_misnamed.sql; name each V<version>__<description>.sql"), r.out());
        assertTrue(r.out().contains("04_email_templates.json      \"EmailTemplate\"  10 present, 0 missing, 0 changed"), r.out());
        assertTrue(r.out().contains("Security (Supabase Data API"), r.out());
        assertTrue(r.out().contains("\n\nFix this folder's files first: migrations/ holds a file that is not named as a Flyway migration: V5_misnamed.sql.\n"), r.out());
        assertFalse(r.out().contains("Nothing was applied"), "status applies nothing anyway: " + r.out());
        JsonNode doc = StatusTest.json(TestSupport.run(new status(), TestSupport.adminEnv(url), "--dir", kit.toString(), "--json"));
        assertEquals(2, doc.get("exitCode").asInt());
        assertEquals(1, doc.get("migrations").get("problems").size());
        assertEquals("invalid", doc.get("findings").get(0).get("severity").asText());
        // pending work beside it: still 2 (migrate would refuse the folder); a disagreement beside it: 5
        TestSupport.exec(url, "delete from flyway_schema_history where version = '4'");
        assertEquals(2, TestSupport.run(new status(), TestSupport.adminEnv(url), "--dir", kit.toString()).code());
        Files.writeString(kit.resolve("migrations/V1__admin_and_configuration.sql"), "-- edited\n", java.nio.file.StandardOpenOption.APPEND);
        assertEquals(5, TestSupport.run(new status(), TestSupport.adminEnv(url), "--dir", kit.toString()).code());
    }

    @Test
    void theFolderOutranksPendingWorkALostReportOutranksTheFolder() {
        java.util.function.Function<StatusReport.Severity, StatusReport.Finding> f = s -> new StatusReport.Finding(s, "x");
        assertEquals(2, StatusReport.exitCode(List.of(f.apply(StatusReport.Severity.PENDING), f.apply(StatusReport.Severity.INVALID))));
        assertEquals(3, StatusReport.exitCode(List.of(f.apply(StatusReport.Severity.INVALID), f.apply(StatusReport.Severity.UNREACHABLE))));
        assertEquals(5, StatusReport.exitCode(List.of(f.apply(StatusReport.Severity.INVALID), f.apply(StatusReport.Severity.DRIFT))));
        assertEquals(6, StatusReport.exitCode(List.of(f.apply(StatusReport.Severity.INVALID), f.apply(StatusReport.Severity.SECURITY))));
    }

    @Test
    void aLinkThatLeadsNowhereOrBackToItselfIsNamedNeverSkipped() throws Exception {
        Path kit = TestSupport.kitCopy();
        Files.createSymbolicLink(kit.resolve("migrations/V5__loop.sql"), Path.of("V5__loop.sql"));
        Path gone = kit.resolve("elsewhere/V6__gone.sql");
        Files.createSymbolicLink(kit.resolve("migrations/V6__gone.sql"), gone);
        String url = TestSupport.freshDatabase();
        TestSupport.Result m = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString());
        assertEquals(2, m.code(), m.all());
        assertEquals(1, m.err().strip().lines().count(), m.err());
        assertTrue(m.err().contains("migrations/V5__loop.sql is a link that leads back to itself (a link loop)"), m.err());
        assertTrue(m.err().contains("migrations/V6__gone.sql is a link to " + gone + ", which does not exist"), m.err());
        assertTrue(m.err().strip().endsWith("Nothing was applied."), m.err());
        assertEquals(List.of(), TestSupport.rows(url, "select tablename from pg_tables where schemaname = 'public'"));
        TestSupport.Result st = TestSupport.run(new status(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString());
        assertEquals(2, st.code(), st.all());
        assertTrue(st.out().contains("  [ ] 4      row level security"), st.out());
        assertTrue(st.out().contains("  PROBLEM: migrations/V5__loop.sql is a link that leads back to itself"), st.out());
        assertTrue(st.out().contains("  PROBLEM: migrations/V6__gone.sql is a link to "), st.out());
    }

    @Test
    void aPrismaFolderWithoutMigrationSqlIsRefusedWherePrismaWouldStop() throws Exception {
        Path history = TestSupport.prismaFolder("20240101000000_init", "CREATE TABLE \"A\" (\"id\" INTEGER);\n");
        Files.createDirectories(history.resolve("20240102000000_more"));
        Files.writeString(history.resolve("20240102000000_more/migrations.sql"), "CREATE TABLE \"B\" (\"id\" INTEGER);\n");
        String url = TestSupport.freshDatabase();
        String before = TestSupport.fingerprint(url);
        TestSupport.Result m = PrismaTest.migrate(url, history);
        assertEquals(2, m.code(), m.all());
        assertTrue(m.err().contains("20240102000000_more/ holds no migration.sql (it holds migrations.sql: misspelt?), and `prisma migrate deploy` stops at such a folder (P3015)"), m.err());
        assertTrue(m.err().strip().endsWith("Nothing was applied."), m.err());
        assertEquals(before, TestSupport.fingerprint(url), "refused before the first migration, not after it");
        TestSupport.Result st = TestSupport.run(new status(), TestSupport.env("DIRECT_URL", url), "--prisma", history.toString(), "--no-seeds");
        assertEquals(2, st.code(), st.all());
        assertTrue(st.out().contains("  [ ] 20240101000000_init"), st.out());
        assertTrue(st.out().contains("  PROBLEM: 20240102000000_more/ holds no migration.sql"), st.out());
    }
}
