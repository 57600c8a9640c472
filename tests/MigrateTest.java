import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
        Path kit = TestSupport.kitWith("V5__broken.sql", String.join("\n",
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
            assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        }
        assertEquals(List.of(), TestSupport.rows(url, "select tablename from pg_tables where schemaname = 'public'"));
    }

    /**
     * Repeatable migrations as Flyway judges them, in status and in migrate: applied, changed
     * (applied again, not drift), and gone (drift, whether or not anything else is pending).
     */
    @Test
    void repeatableMigrationsAreAppliedAgainWhenChangedAndDriftWhenGone() throws Exception {
        Path kit = TestSupport.kitCopy();
        Path view = kit.resolve("migrations/R__flag_count.sql");
        Files.writeString(view, "CREATE OR REPLACE VIEW \"FlagCount\" AS SELECT count(*) AS n FROM \"FeatureFlag\";\n");
        String url = TestSupport.freshDatabase();
        Map<String, String> env = TestSupport.adminEnv(url);
        assertEquals(0, TestSupport.run(new migrate(), env, "--dir", kit.toString()).code());
        assertEquals(0, TestSupport.run(new seed(), env, "--dir", kit.toString()).code());
        TestSupport.Result st = TestSupport.run(new status(), env, "--dir", kit.toString());
        assertEquals(0, st.code(), st.all());
        assertTrue(st.out().contains("[x] R      flag count") && st.out().contains("5 applied, 0 pending"), st.out());

        // changed: pending in status (before: up to date, exit 0), applied again by migrate (before: refused as edited, exit 5)
        Files.writeString(view, "CREATE OR REPLACE VIEW \"FlagCount\" AS SELECT count(*) AS n, 1 AS v FROM \"FeatureFlag\";\n");
        st = TestSupport.run(new status(), env, "--dir", kit.toString());
        assertEquals(1, st.code(), st.all());
        assertTrue(st.out().contains("[ ] R      flag count") && st.out().contains("changed since it was applied: migrate applies it again"), st.out());
        TestSupport.Result again = TestSupport.run(new migrate(), env, "--dir", kit.toString());
        assertEquals(0, again.code(), again.all());
        assertEquals("2", TestSupport.one(url, "select count(*) from flyway_schema_history where version is null"));
        assertEquals(0, TestSupport.run(new status(), env, "--dir", kit.toString()).code());

        // gone: drift in status and in migrate, with nothing else pending (before: up to date) and with a new migration
        Files.delete(view);
        st = TestSupport.run(new status(), env, "--dir", kit.toString());
        assertEquals(5, st.code(), st.all());
        assertTrue(st.out().contains("repeatable migration R__flag_count.sql is applied but missing from migrations/"), st.out());
        for (boolean withNew : List.of(false, true)) {
            if (withNew) Files.writeString(kit.resolve("migrations/V5__later.sql"), "CREATE TABLE \"Later\" (id int);\n");
            TestSupport.Result r = TestSupport.run(new migrate(), env, "--dir", kit.toString());
            assertEquals(5, r.code(), r.all());
            assertTrue(r.err().contains("repeatable migration R__flag_count.sql is applied in the database but its file is missing"), r.err());
            assertFalse(r.err().contains("changed while migrate was starting"), r.err());
        }
        assertEquals("0", TestSupport.one(url, "select count(*) from pg_tables where tablename = 'Later'"));
    }

    /**
     * A schema that Flyway creates (?schema= naming one that does not exist yet) leaves a marker row
     * without a version in its history: not a repeatable migration, neither for status nor for migrate.
     */
    @Test
    void theMarkerOfASchemaFlywayCreatedIsNoMigration() throws Exception {
        String url = TestSupport.freshDatabase() + "?schema=app_schema";
        Map<String, String> env = TestSupport.env("DIRECT_URL", url);
        TestSupport.Result m = TestSupport.run(new migrate(), env);
        assertEquals(0, m.code(), m.all());
        String plain = url.substring(0, url.indexOf('?'));
        assertEquals("SCHEMA", TestSupport.one(plain, "select type from app_schema.flyway_schema_history where version is null"));
        TestSupport.Result st = TestSupport.run(new status(), env);
        assertTrue(st.out().contains("4 applied, 0 pending") && !st.out().contains("R      "), st.out());
        assertEquals(1, st.code(), "only seed rows are pending: " + st.all());
        TestSupport.Result again = TestSupport.run(new migrate(), env);
        assertEquals(0, again.code(), again.all());
        assertTrue(again.out().contains("nothing to apply"), again.out());
    }

    /** A link inside migrations/ that leads back to it: named, not blamed on permissions; status says the same, as a finding of its report. */
    @Test
    void aLinkLoopInMigrationsIsNamedExit2() throws Exception {
        Path kit = TestSupport.kitCopy();
        Files.createSymbolicLink(kit.resolve("migrations/again"), kit.resolve("migrations"));
        String url = TestSupport.freshDatabase();
        for (Cli command : List.of(new migrate(), new status())) {
            TestSupport.Result r = TestSupport.run(command, TestSupport.env("DIRECT_URL", url), "--dir", kit.toString());
            assertEquals(2, r.code(), r.all());
            String said = command instanceof status ? r.out() : r.err();
            if (command instanceof migrate) assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(said.contains("holds a link that leads back into itself (" + kit.resolve("migrations/again") + ")"), r.all());
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
        assertTrue(r.err().contains("debug: flyway: Successfully applied 4 migrations"), r.err());
        // what Flyway applies (here: up to a --target), Flyway's own log says
        TestSupport.Result flyway = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", TestSupport.freshDatabase()), "--verbose", "--target", "4");
        assertEquals(0, flyway.code(), flyway.all());
        assertTrue(flyway.err().contains("debug: flyway: Successfully applied 4 migrations"), flyway.err());
        // run() itself asserts that the server password appears nowhere
    }

    // ---- one engine per format: Flyway executes every Flyway migration, the Prisma path each file whole ----

    static final String ATOMIC = String.join("\n",
            "-- a SQL-standard body: its semicolons are inside the function",
            "CREATE FUNCTION \"largerOf\"(a integer, b integer) RETURNS integer",
            "    LANGUAGE sql",
            "    BEGIN ATOMIC",
            "        SELECT CASE WHEN a > b THEN a ELSE b END;",
            "    END;",
            "CREATE TABLE \"AfterAtomic\" (\"id\" INTEGER PRIMARY KEY);", "");

    /** A CREATE TABLE that starts on line 2 with a wrong type on line 5. */
    static final String WRONG_TYPE = String.join("\n",
            "-- the type on line 5 does not exist",
            "CREATE TABLE \"Typed\" (",
            "    \"id\" TEXT PRIMARY KEY,",
            "    \"n\" INTEGER,",
            "    \"m\" NOT_A_TYPE",
            ");", "");

    @Test
    void aBeginAtomicFunctionThenATableApplyOnBothEngines() throws Exception {
        Path kit = TestSupport.kitWith("V5__atomic_function.sql", ATOMIC);
        String url = TestSupport.freshDatabase();
        TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString());
        assertEquals(0, r.code(), r.all());
        assertEquals("7|1", TestSupport.one(url, "select \"largerOf\"(7, 3) || '|' || (select count(*) from pg_tables where tablename = 'AfterAtomic')"));
        assertEquals("5|true", TestSupport.one(url, "select version || '|' || success from flyway_schema_history where version = '5'"));

        Path prisma = TestSupport.prismaFolder("01_atomic", ATOMIC);
        String purl = TestSupport.freshDatabase();
        TestSupport.Result p = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", purl), "--dir", PrismaTest.emptyKit().toString(), "--prisma", prisma.toString());
        assertEquals(0, p.code(), p.all());
        assertEquals("7|1", TestSupport.one(purl, "select \"largerOf\"(7, 3) || '|' || (select count(*) from pg_tables where tablename = 'AfterAtomic')"));
        PrismaTest.assertRecordedAsPrismaWould(purl, prisma);
    }

    @Test
    void aStatementThatCannotRunInATransactionIsRunAsFlywayRunsIt() throws Exception {
        Path kit = TestSupport.kitWith("V5__system_setting.sql", "ALTER SYSTEM SET log_min_duration_statement = '10s';\n");
        String url = TestSupport.freshDatabase();
        try {
            TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString());
            assertEquals(0, r.code(), r.all());
            assertTrue(r.err().contains("note: V5__system_setting.sql runs outside a transaction"), r.err());
            assertEquals("10s", TestSupport.one(url, "select setting from pg_file_settings where name = 'log_min_duration_statement'"));
            assertEquals("true", TestSupport.one(url, "select success from flyway_schema_history where version = '5'"));
            // when it fails: the kit's sentence, exit 4, and Flyway's history says failed as Flyway writes it
            Files.writeString(kit.resolve("migrations/V6__bad_setting.sql"), "ALTER SYSTEM SET work_mem = 'lots';\n");
            TestSupport.Result bad = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString());
            assertEquals(4, bad.code(), bad.all());
            assertTrue(bad.err().contains("error: V6__bad_setting.sql failed at line 1: invalid value for parameter \"work_mem\": \"lots\"; it ran outside a transaction"), bad.err());
            assertEquals(1, bad.err().lines().filter(l -> l.startsWith("error:")).count(), bad.err());
        } finally {
            TestSupport.exec(url, "ALTER SYSTEM RESET log_min_duration_statement");
        }
        // one file that mixes both is refused before anything runs, as Flyway would refuse it
        Path mixed = TestSupport.kitCopy();
        Files.writeString(mixed.resolve("migrations/V5__mixed.sql"), "CREATE TABLE \"Mixed\" (id int);\nALTER SYSTEM SET work_mem = '8MB';\n");
        String murl = TestSupport.freshDatabase();
        TestSupport.Result m = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", murl), "--dir", mixed.toString());
        assertEquals(2, m.code(), m.all());
        assertTrue(m.err().contains("V5__mixed.sql mixes statements that need a transaction with ones that cannot run in one"), m.err());
        assertEquals(List.of(), TestSupport.rows(murl, "select tablename from pg_tables where schemaname = 'public'"));
    }

    @Test
    void anErrorNamesTheLineTheServerPointsAtOnBothEngines() throws Exception {
        Path kit = TestSupport.kitWith("V5__typed.sql", WRONG_TYPE);
        String url = TestSupport.freshDatabase();
        TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString());
        assertEquals(4, r.code(), r.all());
        assertTrue(r.err().contains("error: V5__typed.sql failed at line 5: type \"not_a_type\" does not exist; it was rolled back"), r.err());

        Path prisma = TestSupport.prismaFolder("01_first", "CREATE TABLE \"First\" (id int);\n", "02_typed", WRONG_TYPE);
        String purl = TestSupport.freshDatabase();
        TestSupport.Result p = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", purl), "--dir", PrismaTest.emptyKit().toString(), "--prisma", prisma.toString());
        assertEquals(4, p.code(), p.all());
        assertTrue(p.err().contains("error: 02_typed/migration.sql failed at line 5: type \"not_a_type\" does not exist; it was rolled back"), p.err());
        assertEquals(List.of("01_first"), TestSupport.rows(purl, "select migration_name from _prisma_migrations"));
        assertEquals("0", TestSupport.one(purl, "select count(*) from pg_tables where tablename = 'Typed'"));
    }

    @Test
    void thePrismaPathSendsEachFileWholeInThreeRoundTrips() throws Exception {
        String[] files = new String[20];
        for (int i = 0; i < 10; i++) {
            files[2 * i] = String.format("%02d_table", i);
            files[2 * i + 1] = "CREATE TABLE \"T" + i + "\" (id int);\nCREATE INDEX \"T" + i + "_idx\" ON \"T" + i + "\"(id);\nINSERT INTO \"T" + i + "\" VALUES (1), (2);\n";
        }
        Path ten = TestSupport.prismaFolder(files);
        Path two = TestSupport.prismaFolder(java.util.Arrays.copyOf(files, 4));
        // the median of three runs each: on a loaded machine the relay can see two answers as one
        long[] cost = new long[2];
        try (DelayProxy relay = RoundTripTest.counter(TestSupport.freshDatabase())) {
            for (int k = 0; k < 2; k++) {
                long[] runs = new long[3];
                for (int n = 0; n < 3; n++) {
                    String url = RoundTripTest.through(relay, TestSupport.freshDatabase());
                    relay.takeRoundTrips();
                    TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", PrismaTest.emptyKit().toString(), "--prisma", (k == 0 ? two : ten).toString());
                    assertEquals(0, r.code(), r.all());
                    runs[n] = relay.takeRoundTrips();
                }
                java.util.Arrays.sort(runs);
                cost[k] = runs[1];
            }
        }
        double perMigration = (cost[1] - cost[0]) / 8.0;
        System.out.println("     round trips, Prisma path: 2 migrations " + cost[0] + ", 10 migrations " + cost[1] + ", " + perMigration + " per migration");
        assertTrue(perMigration <= 3.0, "round trips per migration: " + perMigration);
        // the same files as Flyway migrations, for the record: Flyway's own bookkeeping is Flyway's cost
        long[] flyway = new long[3];
        try (DelayProxy relay = RoundTripTest.counter(TestSupport.freshDatabase())) {
            for (int k = 0; k < 2; k++) {
                Path kit = Files.createTempDirectory("flyway-rt-");
                Files.createDirectories(kit.resolve("migrations"));
                Files.createDirectories(kit.resolve("seeds"));
                for (int i = 0; i < (k == 0 ? 2 : 10); i++) Files.writeString(kit.resolve("migrations/V" + (i + 1) + "__table.sql"), files[2 * i + 1]);
                String url = RoundTripTest.through(relay, TestSupport.freshDatabase());
                relay.takeRoundTrips();
                assertEquals(0, TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString()).code());
                flyway[k] = relay.takeRoundTrips();
                if (k == 1) {
                    assertEquals(0, TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString()).code());
                    flyway[2] = relay.takeRoundTrips();
                }
            }
        }
        System.out.println("     round trips, Flyway: 2 migrations " + flyway[0] + ", 10 migrations " + flyway[1] + ", " + (flyway[1] - flyway[0]) / 8.0
                + " per migration (3 statements each); nothing to do " + flyway[2]);
    }

    // ---- moved from the direct path's tests: what Flyway handles, and the kit's checks around it ----

    @Test
    void whatFlywayHandlesBeyondRunningStatementsStillHolds() throws Exception {
        // a schema that already has tables but no history: Flyway's refusal
        String url = TestSupport.freshDatabase();
        TestSupport.exec(url, "create table stray (id int)");
        TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url));
        assertEquals(4, r.code(), r.all());
        assertTrue(r.err().contains("error: Flyway failed: Found non-empty schema(s) \"public\" but no schema history table"), r.err());
        assertEquals("0", TestSupport.one(url, "select count(*) from pg_tables where tablename in ('flyway_schema_history', 'Admin')"));
        // COPY rows from the file, and the role and search path put back before the next migration
        Path special = TestSupport.kitCopy();
        Files.writeString(special.resolve("migrations/V5__copy_rows.sql"), "COPY \"FeatureFlag\" (key, description) FROM STDIN;\nfrom_copy\tcopied\n\\.\n");
        Files.writeString(special.resolve("migrations/V6__other_path.sql"), "CREATE SCHEMA other;\nSET search_path TO other;\nCREATE TABLE \"inOther\" (id int);\n");
        Files.writeString(special.resolve("migrations/V7__after.sql"), "CREATE TABLE \"afterPath\" (id int);\n");
        String specialUrl = TestSupport.freshDatabase();
        TestSupport.Result s = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", specialUrl), "--dir", special.toString());
        assertEquals(0, s.code(), s.all());
        assertEquals("copied", TestSupport.one(specialUrl, "select description from \"FeatureFlag\" where key = 'from_copy'"));
        assertEquals(List.of("other.inOther", "public.afterPath"), TestSupport.rows(specialUrl,
                "select schemaname || '.' || tablename from pg_tables where tablename in ('inOther', 'afterPath') order by 1"));
        // a script configuration Flyway reads
        Path configured = TestSupport.kitCopy();
        Files.writeString(configured.resolve("migrations/V5__outside.sql"), "-- flyway:executeInTransaction=false\nCREATE TABLE \"outside\" (id int);\n");
        TestSupport.Result c = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", TestSupport.freshDatabase()), "--dir", configured.toString());
        assertEquals(0, c.code(), c.all());
    }

    @Test
    void aFileRenamedAfterItWasAppliedIsDrift() throws Exception {
        String renamedUrl = TestSupport.freshDatabase();
        Path renamedKit = StatusMigrationsTest.migratedThenRenamed(renamedUrl);
        Files.writeString(renamedKit.resolve("migrations/V5__later.sql"), "CREATE TABLE \"later\" (id int);\n");
        TestSupport.Result renamed = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", renamedUrl), "--dir", renamedKit.toString());
        assertEquals(5, renamed.code(), renamed.all());
        assertTrue(renamed.err().contains("V3__members_teams.sql was applied as migration 3 \"members and teams\", and its file now says \"members teams\""), renamed.err());
        assertEquals("0", TestSupport.one(renamedUrl, "select count(*) from pg_tables where tablename = 'later'"));
        TestSupport.Result renamedStatus = TestSupport.run(new status(), TestSupport.env("DIRECT_URL", renamedUrl), "--dir", renamedKit.toString());
        assertEquals(5, renamedStatus.code(), renamedStatus.all());
        assertTrue(renamedStatus.out().contains("V3__members_teams.sql was renamed after it was applied"), renamedStatus.out());
    }

    @Test
    void aMigrationInASubfolderAndAMigrationsFolderThatIsALink() throws Exception {
        Path nested = TestSupport.kitCopy();
        Files.createDirectories(nested.resolve("migrations/later"));
        Files.writeString(nested.resolve("migrations/later/V5__nested.sql"), "CREATE TABLE \"nested\" (id int);\n");
        String nestedUrl = TestSupport.freshDatabase();
        assertEquals(0, TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", nestedUrl)).code());
        TestSupport.Result pendingNested = TestSupport.run(new status(), TestSupport.env("DIRECT_URL", nestedUrl), "--dir", nested.toString());
        assertEquals(1, pendingNested.code(), pendingNested.all());
        assertTrue(pendingNested.out().contains("[ ] 5      nested"), pendingNested.out());
        TestSupport.Result n = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", nestedUrl), "--dir", nested.toString());
        assertEquals(0, n.code(), n.all());
        assertEquals("1", TestSupport.one(nestedUrl, "select count(*) from pg_tables where tablename = 'nested'"));
        TestSupport.Result nestedStatus = TestSupport.run(new status(), TestSupport.env("DIRECT_URL", nestedUrl), "--dir", nested.toString());
        assertTrue(nestedStatus.out().contains("[x] 5      nested") && nestedStatus.out().contains("5 applied, 0 pending"), nestedStatus.out());
        assertEquals(0, TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", nestedUrl), "--dir", nested.toString()).code());
        // migrations/ as a link to the folder that holds them
        Path linked = Files.createTempDirectory("linked-kit-");
        Files.createDirectories(linked.resolve("seeds"));
        Files.createSymbolicLink(linked.resolve("migrations"), TestSupport.kitDir().resolve("migrations"));
        String linkedUrl = TestSupport.freshDatabase();
        TestSupport.Result l = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", linkedUrl), "--dir", linked.toString());
        assertEquals(0, l.code(), l.all());
        assertTrue(l.out().contains("Applied 4 migrations"), l.out());
        assertTrue(TestSupport.run(new status(), TestSupport.env("DIRECT_URL", linkedUrl), "--dir", linked.toString()).out().contains("4 applied, 0 pending"));
    }

    @Test
    void twoFilesWithOneVersionAreNamedFromTheKitsOwnListAndNothingIsApplied() throws Exception {
        Path kit = TestSupport.kitWith("V4_0__same_version.sql", "SELECT 1;\n");
        String url = TestSupport.freshDatabase();
        TestSupport.Result twice = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString());
        assertEquals(2, twice.code(), twice.all());
        assertTrue(twice.err().contains("two migrations have the same version 4 (V4_0__same_version.sql, V4__row_level_security.sql)")
                || twice.err().contains("two migrations have the same version 4 (V4__row_level_security.sql, V4_0__same_version.sql)"), twice.err());
        assertEquals(List.of(), TestSupport.rows(url, "select tablename from pg_tables where schemaname = 'public'"));
    }

    @Test
    void aRealHistoryAsFlywayFilesGivesTheSchemaThePrismaPathGives() throws Exception {
        Path documenso = PrismaTest.corpus("documenso");
        Path kit = Files.createTempDirectory("flyway-named-");
        Files.createDirectories(kit.resolve("migrations"));
        Files.createDirectories(kit.resolve("seeds"));
        int v = 0;
        try (var folders = Files.list(documenso)) {
            for (Path d : folders.filter(d -> Files.isRegularFile(d.resolve("migration.sql"))).sorted().toList()) {
                Files.copy(d.resolve("migration.sql"), kit.resolve("migrations/V" + (++v) + "__" + d.getFileName().toString().replaceAll("[^A-Za-z0-9]", "_") + ".sql"));
            }
        }
        String byFlyway = TestSupport.freshDatabase();
        long t = System.nanoTime();
        TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", byFlyway), "--dir", kit.toString(), "--allow-destructive");
        long flywayMs = (System.nanoTime() - t) / 1_000_000;
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("Applied " + v + " migrations"), r.out());
        String byPrisma = TestSupport.freshDatabase();
        t = System.nanoTime();
        assertEquals(0, TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", byPrisma), "--prisma", documenso.toString(), "--allow-destructive").code());
        long prismaMs = (System.nanoTime() - t) / 1_000_000;
        System.out.println("     " + v + " migrations: Flyway " + flywayMs + " ms, the Prisma path " + prismaMs + " ms");
        try (java.sql.Connection a = TestSupport.server().admin(TestSupport.databaseName(byPrisma));
                java.sql.Connection b = TestSupport.server().admin(TestSupport.databaseName(byFlyway))) {
            assertEquals(List.of(), SchemaSnapshot.compare(SchemaSnapshot.read(a), SchemaSnapshot.read(b)));
        }
    }

    @Test
    void misnamedFilesAndATargetThatNamesNoMigrationAreRefusedBeforeAnythingIsApplied() throws Exception {
        Path kit = TestSupport.kitCopy();
        for (String name : List.of("V5_misnamed.sql", "v6__lowercase.sql", "U7__undo.sql")) Files.writeString(kit.resolve("migrations").resolve(name), "CREATE TABLE \"x\" (id int);\n");
        String url = TestSupport.freshDatabase();
        for (String[] args : List.of(new String[] {"--dry-run"}, new String[0])) {
            List<String> all = new java.util.ArrayList<>(List.of("--dir", kit.toString()));
            all.addAll(List.of(args));
            TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), all.toArray(String[]::new));
            assertEquals(2, r.code(), r.all());
            assertTrue(r.err().contains("V5_misnamed.sql") && r.err().contains("v6__lowercase.sql") && r.err().contains("U7__undo.sql")
                    && r.err().contains("V<version>__<description>.sql"), r.err());
            assertEquals(1, r.err().lines().filter(l -> l.startsWith("error:")).count(), r.err());
        }
        TestSupport.Result st = TestSupport.run(new status(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString());
        assertEquals(2, st.code(), st.all());
        assertTrue(st.out().contains("V5_misnamed.sql"), st.out());
        assertEquals(List.of(), TestSupport.rows(url, "select tablename from pg_tables where schemaname = 'public'"));
        // a --target that names no migration, on both engines
        TestSupport.Result target = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--target", "7");
        assertEquals(2, target.code(), target.all());
        assertTrue(target.err().contains("--target 7 names no migration"), target.err());
        TestSupport.Result typo = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", PrismaTest.emptyKit().toString(), "--prisma", PrismaTest.EDGE.toString(), "--target", "03_typo");
        assertEquals(2, typo.code(), typo.all());
        assertTrue(typo.err().contains("--target 03_typo names no migration"), typo.err());
        assertEquals(List.of(), TestSupport.rows(url, "select tablename from pg_tables where schemaname = 'public'"));
    }

    @Test
    void namesAndDescriptionsAreReadByFlywaysRules() throws Exception {
        Path kit = TestSupport.kitWith("V5.sql", "CREATE TABLE \"five\" (id int);\n");
        Files.writeString(kit.resolve("migrations/V6__.sql"), "CREATE TABLE \"six\" (id int);\n");
        Files.writeString(kit.resolve("migrations/V7__" + "a_long_description".repeat(12) + ".sql"), "CREATE TABLE \"seven\" (id int);\n");
        String url = TestSupport.freshDatabase();
        TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString());
        assertEquals(0, r.code(), r.all());
        assertEquals("3", TestSupport.one(url, "select count(*) from pg_tables where tablename in ('five', 'six', 'seven')"));
        TestSupport.Result again = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString());
        assertEquals(0, again.code(), again.all());
        assertTrue(again.out().contains("Database is up to date at version 7; nothing to apply."), again.out());
        TestSupport.Result st = TestSupport.run(new status(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString());
        assertTrue(st.out().contains("7 applied, 0 pending"), st.out());
        assertEquals(1, st.code(), "only seed rows are pending: " + st.all());
    }

    @Test
    void aRoleThatMayNotReadTheHistoryIsToldWhichPrivilegeToGrant() {
        String url = TestSupport.migrated();
        String asBlind = TestSupport.asNewRole(url, "history_blind", "Blind-Pw-4821");
        String before = TestSupport.fingerprint(url);
        TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", asBlind));
        // before: exit 3, "lost the connection ... permission denied for table flyway_schema_history"
        assertEquals(2, r.code(), r.all());
        // the kit gave the history row-level security, so granting privileges would not be enough: the owner is named instead
        assertTrue(r.err().contains("error: role history_blind lacks the SELECT, INSERT, UPDATE, DELETE privileges on table flyway_schema_history")
                && r.err().contains("nothing was applied") && r.err().contains("run migrate as the table's owner, kit (on Supabase, the postgres role);"
                + " the table has row-level security, so privileges granted to history_blind would still show it none of its rows."), r.err());
        assertFalse(r.all().contains("Blind-Pw-4821"), r.all());
        assertEquals(before, TestSupport.fingerprint(url), "nothing changed");
    }

    /**
     * The privileges granted as that sentence says are not enough while the history has row-level
     * security (the kit gives it some): the rows stay hidden, and every migration would look
     * pending (Flyway would run V1 again). Said, with the role to run as; as that role it works.
     */
    @Test
    void aRoleFromWhichRowLevelSecurityHidesTheHistoryIsToldSoAndWhomToRunAs() {
        String url = TestSupport.migrated();
        String asGrantee = TestSupport.asNewRole(url, "history_grantee", "Grantee-Pw-5390");
        TestSupport.exec(url, "grant select, insert, update, delete on flyway_schema_history to history_grantee");
        String before = TestSupport.fingerprint(url);
        String hidden = "error: table flyway_schema_history has row-level security and belongs to role kit, so role history_grantee sees none of its rows"
                + " and every migration would look pending: run the kit as kit (on Supabase, the postgres role), which also keeps the tables migrations create owned by kit.";
        for (Cli command : List.of(new migrate(), new status())) {
            TestSupport.Result r = TestSupport.run(command, TestSupport.env("DIRECT_URL", asGrantee));
            // before: migrate ran V1 again (exit 4), status said 4 migrations pending (exit 1)
            assertEquals(2, r.code(), r.all());
            assertEquals(hidden, r.err().strip(), r.all());
        }
        assertEquals(before, TestSupport.fingerprint(url), "nothing changed");
        TestSupport.Result asOwner = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url));
        assertEquals(0, asOwner.code(), asOwner.all());
        assertTrue(asOwner.out().contains("nothing to apply"), asOwner.out());
    }

    /** A role that may read the history but not write it: said before Flyway runs anything, not blamed on the migration. */
    @Test
    void aRoleThatMayOnlyReadTheHistoryIsToldBeforeAnythingRuns() throws Exception {
        String url = TestSupport.migrated();
        TestSupport.exec(url, "alter table flyway_schema_history disable row level security");
        String asReader = TestSupport.asNewRole(url, "history_reader", "Reader-Pw-6604");
        TestSupport.exec(url, "grant select on flyway_schema_history to history_reader");
        Path kit = TestSupport.kitWith("V5__reader_table.sql", "CREATE TABLE \"ReaderTable\" (id int);\n");
        String before = TestSupport.fingerprint(url);
        TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", asReader), "--dir", kit.toString());
        // before: Flyway ran V5, failed to record it, rolled it back, and the sentence blamed V5__reader_table.sql
        assertEquals(2, r.code(), r.all());
        assertEquals("error: role history_reader lacks the INSERT, UPDATE, DELETE privileges on table flyway_schema_history, the migration history that migrate reads"
                + " and writes, so nothing was applied: run migrate as the table's owner (on Supabase, the postgres role), or have the owner run:"
                + " GRANT SELECT, INSERT, UPDATE, DELETE ON flyway_schema_history TO history_reader;", r.err().strip());
        assertEquals(before, TestSupport.fingerprint(url), "nothing changed");
        // with nothing to apply, reading is all it needs; the history's row-level security it may not give is said
        TestSupport.Result noop = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", asReader));
        assertEquals(0, noop.code(), noop.all());
        assertTrue(noop.err().contains("could not enable row-level security on the history table (must be owner of table flyway_schema_history)"), noop.err());
    }

    @Test
    void aFailedMigratesJsonListsTheMigrationsItAppliedFirst() throws Exception {
        String url = TestSupport.migrated();
        Path kit = TestSupport.kitWith("V5__nickname.sql", "ALTER TABLE \"Member\" ADD COLUMN \"nickname\" TEXT;\n");
        Files.writeString(kit.resolve("migrations/V6__broken.sql"), "ALTER TABLE \"Member\" ADD COLUMN \"age\" not_a_type;\n");
        TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString(), "--json");
        assertEquals(4, r.code(), r.all());
        JsonNode doc = Console.JSON.readTree(r.out());
        assertFalse(doc.get("ok").asBoolean(), r.out());
        assertEquals(1, doc.get("applied").size(), r.out());
        assertEquals("V5__nickname.sql", doc.get("applied").get(0).get("file").asText(), r.out());
        assertTrue(doc.get("error").asText().contains("V6__broken.sql failed"), r.out());
    }
}
