import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** migrate.java against a real PostgreSQL: each outcome, its exit code and its sentence. */
class MigrateTest {

    static final List<String> APP_TABLES = List.of("Admin", "EmailTemplate", "FeatureFlag", "Member", "PointConfig", "Team");

    @Test
    void takesAnEmptyDatabaseToTheCurrentSchemaThenSaysUpToDate() {
        String url = TestSupport.freshDatabase();
        TestSupport.Result first = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url));
        assertEquals(0, first.code(), first.all());
        assertTrue(first.out().contains("Applying V1__admin_and_configuration.sql ... applied in"), first.out());
        assertTrue(first.out().contains("Applied 4 migrations"), first.out());
        assertTrue(first.out().contains("postgresql://kit:****@localhost:"), first.out());
        assertEquals(String.join(",", APP_TABLES), String.join(",", TestSupport.rows(url,
                "select tablename from pg_tables where schemaname = 'public' and tablename <> 'flyway_schema_history' order by 1")));
        assertEquals(List.of("1|true", "2|true", "3|true", "4|true"), TestSupport.rows(url, "select version, success from flyway_schema_history order by installed_rank"));

        TestSupport.Result second = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url));
        assertEquals(0, second.code(), second.all());
        assertTrue(second.out().contains("Database is up to date at version 4; nothing to apply."), second.out());
        assertEquals("4", TestSupport.one(url, "select count(*) from flyway_schema_history"));
    }

    @Test
    void schemaFollowsPrismaConventions() {
        String url = TestSupport.migrated();
        List<String> constraints = TestSupport.rows(url, "select conname from pg_constraint where conrelid = '\"Admin\"'::regclass order by 1");
        assertEquals(List.of("Admin_pkey"), constraints);
        assertEquals(List.of("Admin_email_key", "Admin_pkey"), TestSupport.rows(url, "select indexname from pg_indexes where tablename = 'Admin' order by 1"));
        assertEquals(List.of("ADMIN", "SUPER_ADMIN"), TestSupport.rows(url, "select enumlabel from pg_enum e join pg_type t on t.oid = e.enumtypid where typname = 'AdminRole' order by enumsortorder"));
        // ids and timestamps default in the database, because seeding does not go through Prisma Client
        TestSupport.exec(url, "insert into \"FeatureFlag\" (key) values ('x')");
        assertEquals("true|true|true", TestSupport.one(url, "select id is not null, \"createdAt\" is not null, \"updatedAt\" is not null from \"FeatureFlag\""));
    }

    @Test
    void dryRunListsPendingAndChangesNothingNotEvenTheHistoryTable() {
        String url = TestSupport.freshDatabase();
        TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dry-run");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("Would apply V1__admin_and_configuration.sql"), r.out());
        assertTrue(r.out().contains("4 migrations would be applied; nothing was changed"), r.out());
        assertEquals(List.of(), TestSupport.rows(url, "select tablename from pg_tables where schemaname = 'public'"));
        assertEquals("0", TestSupport.one(url, "select count(*) from pg_type where typname = 'AdminRole'"));
    }

    @Test
    void targetStopsAtTheGivenVersion() {
        String url = TestSupport.freshDatabase();
        TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--target", "2");
        assertEquals(0, r.code(), r.all());
        assertEquals(List.of("1", "2"), TestSupport.rows(url, "select version from flyway_schema_history order by installed_rank"));
        assertEquals("0", TestSupport.one(url, "select count(*) from pg_tables where tablename = 'Member'"));
    }

    @Test
    void aBrokenMigrationIsRolledBackNamedAndExit4() throws Exception {
        Path kit = TestSupport.kitCopy();
        Files.writeString(kit.resolve("migrations/V5__broken.sql"), String.join("\n",
                "CREATE TABLE \"Half\" (\"id\" TEXT PRIMARY KEY);",
                "-- ${NOT_A_PLACEHOLDER} must not break the run",
                "INSERT INTO \"Nope\" VALUES (1);", ""));
        String url = TestSupport.freshDatabase();
        TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString());
        assertEquals(4, r.code(), r.all());
        assertTrue(r.err().contains("error: V5__broken.sql failed at line 3: relation \"Nope\" does not exist"), r.err());
        assertTrue(r.err().contains("rolled back"), r.err());
        assertEquals(1, r.err().lines().filter(l -> l.startsWith("error:")).count(), r.err());
        // nothing of V4 is left behind; V1-V3 stay applied
        assertEquals("0", TestSupport.one(url, "select count(*) from pg_tables where tablename = 'Half'"));
        assertEquals(List.of("1|true", "2|true", "3|true", "4|true"), TestSupport.rows(url, "select version, success from flyway_schema_history order by installed_rank"));
    }

    @Test
    void placeholdersInCommentsAndStringsAreLeftAlone() throws Exception {
        Path kit = TestSupport.kitCopy();
        Files.writeString(kit.resolve("migrations/V5__placeholder_text.sql"),
                "-- ${whatever}\nINSERT INTO \"FeatureFlag\" (key, description) VALUES ('tpl', 'Hello ${name}');\n");
        String url = TestSupport.freshDatabase();
        TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString());
        assertEquals(0, r.code(), r.all());
        assertEquals("Hello ${name}", TestSupport.one(url, "select description from \"FeatureFlag\" where key = 'tpl'"));
    }

    @Test
    void anEditedAppliedMigrationIsExit5AndNothingRuns() throws Exception {
        Path kit = TestSupport.kitCopy();
        String url = TestSupport.freshDatabase();
        assertEquals(0, TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString()).code());
        Files.writeString(kit.resolve("migrations/V2__email_templates.sql"), "\n-- an edit\n", java.nio.file.StandardOpenOption.APPEND);
        Files.writeString(kit.resolve("migrations/V5__more.sql"), "CREATE TABLE \"More\" (id int);\n");
        String before = TestSupport.fingerprint(url);
        TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString());
        assertEquals(5, r.code(), r.all());
        assertTrue(r.err().contains("V2__email_templates.sql was edited after it was applied"), r.err());
        assertTrue(r.err().contains("new migration"), r.err());
        assertEquals(before, TestSupport.fingerprint(url));
        assertEquals("0", TestSupport.one(url, "select count(*) from pg_tables where tablename = 'More'"));
    }

    @Test
    void anAppliedMigrationMissingHereIsExit5() throws Exception {
        Path kit = TestSupport.kitCopy();
        String url = TestSupport.freshDatabase();
        assertEquals(0, TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString()).code());
        Files.delete(kit.resolve("migrations/V3__members_and_teams.sql"));
        TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString());
        assertEquals(5, r.code(), r.all());
        assertTrue(r.err().contains("migration 3 (members and teams) is applied in the database but its file is missing"), r.err());
        // the newest one missing (Flyway calls it a "future" migration) is the same drift
        Files.copy(TestSupport.kitDir().resolve("migrations/V3__members_and_teams.sql"), kit.resolve("migrations/V3__members_and_teams.sql"));
        Files.delete(kit.resolve("migrations/V4__row_level_security.sql"));
        TestSupport.Result newest = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString());
        assertEquals(5, newest.code(), newest.all());
        assertTrue(newest.err().contains("migration 4 (row level security) is applied in the database but its file is missing"), newest.err());
    }

    @Test
    void refusesATransactionPoolerWithTheSessionModeUrl() {
        String url = TestSupport.freshDatabase();
        String pooled = "postgresql://postgres.abcdefgh:Pooler-Secret-1@aws-0-eu-central-1.pooler.supabase.com:6543/postgres?pgbouncer=true";
        TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DATABASE_URL", pooled));
        assertEquals(2, r.code(), r.all());
        assertTrue(r.err().contains("DATABASE_URL points at a transaction pooler (port 6543), which cannot run migrations; set DIRECT_URL"), r.err());
        assertTrue(r.err().contains("postgresql://postgres.abcdefgh:****@aws-0-eu-central-1.pooler.supabase.com:5432/postgres"), r.err());
        assertFalse(r.all().contains("Pooler-Secret-1"));
        // pgbouncer=true on a normal port is a pooler too; DIRECT_URL next to it wins
        TestSupport.Result flagged = TestSupport.run(new migrate(), TestSupport.env("DATABASE_URL", url + "?pgbouncer=true"));
        assertEquals(2, flagged.code(), flagged.all());
        TestSupport.Result direct = TestSupport.run(new migrate(), TestSupport.env("DATABASE_URL", url + "?pgbouncer=true", "DIRECT_URL", url));
        assertEquals(0, direct.code(), direct.all());
    }

    @Test
    void connectionFailuresAreOneSentenceAndExit3() {
        String url = TestSupport.freshDatabase();
        String pw = TestSupport.server().password;
        int port = TestSupport.server().port();
        String[][] cases = {
            {"postgresql://kit:" + pw + "@localhost:1/x", "refused the connection"},
            {"postgresql://kit:wrong-password@localhost:" + port + "/" + TestSupport.databaseName(url), "password authentication failed for user \"kit\""},
            {"postgresql://kit:" + pw + "@localhost:" + port + "/no_such_db", "database \"no_such_db\" does not exist"},
            {"postgresql://kit:" + pw + "@no-such-host.invalid:5432/x", "unknown host \"no-such-host.invalid\""},
        };
        for (String[] c : cases) {
            TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", c[0]));
            assertEquals(3, r.code(), r.all());
            assertTrue(r.err().contains(c[1]), r.err());
            assertEquals(1, r.err().lines().filter(l -> l.startsWith("error:")).count(), r.err());
            assertFalse(r.all().contains("wrong-password"), r.all());
        }
    }

    @Test
    void waitRetriesUntilTheDatabaseAnswersThenGivesUp() {
        long t = System.nanoTime();
        TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", "postgresql://kit:x@localhost:1/x"), "--wait", "2s");
        long ms = (System.nanoTime() - t) / 1_000_000;
        assertEquals(3, r.code(), r.all());
        assertTrue(r.err().contains("Waiting up to 2.0 s"), r.err());
        assertTrue(r.err().contains("gave up after waiting"), r.err());
        assertTrue(ms >= 1500, "waited only " + ms + " ms");
    }

    @Test
    void badInputsAreExit2WithOneSentence() throws Exception {
        Path empty = Files.createTempDirectory("nokit");
        String url = TestSupport.freshDatabase();
        String[][] cases = {
            {"no database URL", null, "--dir", empty.toString()},
            {"no migrations/ folder", url, "--dir", empty.toString()},
            {"Unknown option", url, "--frobnicate"},
            {"is not a duration", url, "--wait", "soon"},
            {"is not a PostgreSQL URL", "mysql://u:p@h/d"},
        };
        for (String[] c : cases) {
            String[] args = java.util.Arrays.copyOfRange(c, 2, c.length);
            TestSupport.Result r = TestSupport.run(new migrate(), c[1] == null ? TestSupport.env() : TestSupport.env("DIRECT_URL", c[1]), args);
            assertEquals(2, r.code(), c[0] + ": " + r.all());
            assertTrue(r.err().contains(c[0]), r.err());
            assertTrue(r.err().startsWith("error: "), r.err());
        }
        assertEquals(List.of(), TestSupport.rows(url, "select tablename from pg_tables where schemaname = 'public'"));
    }

    @Test
    void jsonIsOneDocumentAndNoLibraryNoise() throws Exception {
        String url = TestSupport.freshDatabase();
        TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--json");
        assertEquals(0, r.code(), r.all());
        JsonNode doc = Console.JSON.readTree(r.out());
        assertEquals(4, doc.get("applied").size());
        assertEquals("4", doc.get("schemaVersion").asText());
        assertEquals("", r.err(), "nothing on stderr without --verbose");
        TestSupport.Result failed = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", "postgresql://kit:x@localhost:1/x"), "--json");
        assertEquals(3, Console.JSON.readTree(failed.out()).get("exitCode").asInt());
    }

    @Test
    void verboseShowsWhatRunsButNeverThePassword() {
        String url = TestSupport.freshDatabase();
        TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--verbose");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.err().contains("debug: applying 4 migrations in this session"), r.err());
        // what Flyway applies (here: up to a --target), Flyway's own log says
        TestSupport.Result flyway = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", TestSupport.freshDatabase()), "--verbose", "--target", "4");
        assertEquals(0, flyway.code(), flyway.all());
        assertTrue(flyway.err().contains("debug: flyway: Successfully applied 4 migrations"), flyway.err());
        // run() itself asserts that the server password appears nowhere
    }
}
