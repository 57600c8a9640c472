import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.junit.jupiter.api.Test;

/**
 * Ordinary migrations are applied in the kit's session with Flyway's bookkeeping written by the
 * kit: what it leaves must be exactly what Flyway leaves, and Flyway itself must accept it.
 */
class DirectMigrationsTest {

    static final String HISTORY = "select installed_rank, version, description, type, script, checksum, installed_by, success from flyway_schema_history order by installed_rank";
    static final String HISTORY_TABLE = "select column_name || ' ' || data_type || ' ' || coalesce(character_maximum_length::text, '') || ' ' || is_nullable || ' ' || coalesce(column_default, '')"
            + " from information_schema.columns where table_name = 'flyway_schema_history' order by ordinal_position";
    static final String HISTORY_INDEXES = "select indexname || ' ' || indexdef from pg_indexes where tablename = 'flyway_schema_history' order by 1";

    /** A kit whose new migrations hold what trips a statement splitter, and a dotted version. */
    static Path awkwardKit() throws Exception {
        Path kit = TestSupport.kitCopy();
        Files.writeString(kit.resolve("migrations/V5__awkward_statements.sql"), """
                -- a function whose body holds semicolons, and strings that look like statements
                CREATE FUNCTION "touch"() RETURNS trigger AS $body$
                BEGIN
                  NEW."updatedAt" := now(); -- not the end;
                  RETURN NEW;
                END
                $body$ LANGUAGE plpgsql;
                /* a block comment; with /* a nested one; */ inside */
                INSERT INTO "FeatureFlag" (key, description) VALUES ('semi', E'it\\'s; fine'), ('quote', 'a '';'' b');
                -- only a comment after the last statement
                """);
        Files.writeString(kit.resolve("migrations/V5_1__dotted_version.sql"), "ALTER TABLE \"Team\" ADD COLUMN \"motto\" TEXT;\n");
        return kit;
    }

    /** How the schema of one database differs from another's, as status --schema would say it. */
    static List<String> schemaDifferences(String expectedUrl, String actualUrl) throws Exception {
        try (Connection expected = TestSupport.server().admin(TestSupport.databaseName(expectedUrl));
                Connection actual = TestSupport.server().admin(TestSupport.databaseName(actualUrl))) {
            return SchemaSnapshot.compare(SchemaSnapshot.read(expected), SchemaSnapshot.read(actual));
        }
    }

    static Flyway flyway(String url, Path kit) {
        return Flyway.configure().dataSource("jdbc:postgresql://localhost:" + TestSupport.server().port() + "/" + TestSupport.databaseName(url), EmbeddedServer.USER, TestSupport.server().password)
                .locations("filesystem:" + kit.resolve("migrations")).load();
    }

    @Test
    void whatTheKitWritesIsWhatFlywayWritesAndFlywayAcceptsIt() throws Exception {
        Path kit = awkwardKit();
        String direct = TestSupport.freshDatabase();
        TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", direct), "--dir", kit.toString(), "--verbose");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("Applied 6 migrations"), r.out());
        assertTrue(r.err().contains("debug: applying 6 migrations in this session"), r.err());
        assertFalse(r.err().contains("debug: flyway:"), "Flyway did not apply these:\n" + r.err());
        // the same files through Flyway itself (--target takes the Flyway path)
        String byFlyway = TestSupport.freshDatabase();
        TestSupport.Result f = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", byFlyway), "--dir", kit.toString(), "--target", "5.1", "--verbose");
        assertEquals(0, f.code(), f.all());
        assertTrue(f.err().contains("debug: flyway: Successfully applied 6 migrations"), f.err());

        assertEquals(TestSupport.rows(byFlyway, HISTORY), TestSupport.rows(direct, HISTORY));
        assertEquals(List.of("5|awkward statements|V5__awkward_statements.sql", "5.1|dotted version|V5_1__dotted_version.sql"),
                TestSupport.rows(direct, "select version || '|' || description || '|' || script from flyway_schema_history where installed_rank > 4 order by installed_rank"));
        assertEquals(TestSupport.rows(byFlyway, HISTORY_TABLE), TestSupport.rows(direct, HISTORY_TABLE));
        assertEquals(TestSupport.rows(byFlyway, HISTORY_INDEXES), TestSupport.rows(direct, HISTORY_INDEXES));
        assertEquals(List.of(), schemaDifferences(byFlyway, direct));
        assertEquals(List.of("quote|a ';' b", "semi|it's; fine"), TestSupport.rows(direct, "select key || '|' || description from \"FeatureFlag\" where key in ('semi', 'quote') order by key"));

        // Flyway validates what the kit recorded, sees every migration as applied, and has nothing to do
        Flyway flyway = flyway(direct, kit);
        assertTrue(flyway.validateWithResult().validationSuccessful);
        for (MigrationInfo m : flyway.info().all()) assertEquals(MigrationState.SUCCESS, m.getState(), m.getScript());
        assertEquals(0, flyway.migrate().migrationsExecuted);
        // and the kit's status agrees
        TestSupport.Result status = TestSupport.run(new status(), TestSupport.env("DIRECT_URL", direct), "--dir", kit.toString());
        assertTrue(status.out().contains("6 applied, 0 pending"), status.out());
    }

    @Test
    void aRealHistoryAsFlywayFilesGivesTheSchemaPrismasWayGives() throws Exception {
        Path documenso = PrismaTest.corpus("documenso");
        Path kit = Files.createTempDirectory("flyway-named-");
        Files.createDirectories(kit.resolve("migrations"));
        Files.createDirectories(kit.resolve("seeds"));
        int v = 0;
        try (var folders = Files.list(documenso)) {
            for (Path dir : folders.filter(d -> Files.isRegularFile(d.resolve("migration.sql"))).sorted().toList()) {
                Files.copy(dir.resolve("migration.sql"), kit.resolve("migrations/V" + (++v) + "__" + dir.getFileName().toString().replaceAll("[^A-Za-z0-9]", "_") + ".sql"));
            }
        }
        String direct = TestSupport.freshDatabase();
        TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", direct), "--dir", kit.toString(), "--allow-destructive", "--verbose");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.err().contains("debug: applying " + v + " migrations in this session"), r.err());
        String prisma = TestSupport.freshDatabase();
        assertEquals(0, TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", prisma), "--prisma", documenso.toString(), "--allow-destructive").code());
        assertEquals(List.of(), schemaDifferences(prisma, direct));
        assertTrue(flyway(direct, kit).validateWithResult().validationSuccessful);
    }

    @Test
    void afterFlywayTheKitContinuesTheSameHistory() throws Exception {
        Path kit = awkwardKit();
        String url = TestSupport.freshDatabase();
        assertEquals(0, TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString(), "--target", "3").code());
        TestSupport.Result rest = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString(), "--verbose");
        assertEquals(0, rest.code(), rest.all());
        assertTrue(rest.err().contains("debug: applying 3 migrations in this session"), rest.err());
        assertEquals(List.of("1|1", "2|2", "3|3", "4|4", "5|5", "6|5.1"), TestSupport.rows(url, "select installed_rank || '|' || version from flyway_schema_history order by installed_rank"));
        assertTrue(flyway(url, kit).validateWithResult().validationSuccessful);
    }

    @Test
    void flywaysOwnLockKeepsTheKitWaitingAndTheKitsKeepsFlywayWaiting() throws Exception {
        long key = DirectMigrations.lockKey("public");
        for (boolean throughFlyway : new boolean[] {false, true}) {
            String url = TestSupport.freshDatabase();
            try (Connection holder = TestSupport.server().admin(TestSupport.databaseName(url))) {
                holder.createStatement().execute("select pg_advisory_lock(" + key + ")");
                // --target 4 sends the run through Flyway; without it the kit applies directly
                String[] args = throughFlyway ? new String[] {"--target", "4"} : new String[0];
                CompletableFuture<TestSupport.Result> run = CompletableFuture.supplyAsync(() -> TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), args));
                Thread.sleep(2500);
                assertFalse(run.isDone(), "migrate must wait for the lock (through Flyway: " + throughFlyway + ")");
                assertEquals("0", TestSupport.one(url, "select count(*) from pg_tables where tablename in ('flyway_schema_history', 'Admin')"));
                holder.createStatement().execute("select pg_advisory_unlock(" + key + ")");
                TestSupport.Result r = run.get(90, TimeUnit.SECONDS);
                assertEquals(0, r.code(), r.all());
                assertEquals("4", TestSupport.one(url, "select count(*) from flyway_schema_history where success"));
            }
        }
    }

    @Test
    void aRunThatWaitedFindsTheWorkDoneAndSaysSo() throws Exception {
        String url = TestSupport.freshDatabase();
        Path folder = TestSupport.kitDir().resolve("migrations");
        try (Connection other = TestSupport.server().admin(TestSupport.databaseName(url))) {
            other.createStatement().execute("select pg_advisory_lock(" + DirectMigrations.lockKey("public") + ")");
            CompletableFuture<TestSupport.Result> run = CompletableFuture.supplyAsync(() -> TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url)));
            Thread.sleep(2500);
            assertFalse(run.isDone(), "migrate must wait for the other run");
            // the other run applies everything while this one waits
            DirectMigrations.Plan plan = DirectMigrations.plan(other, folder, MigrationHistory.read(other, folder));
            DirectMigrations.createHistory(other, plan.schema());
            int rank = 1;
            for (DirectMigrations.Pending p : plan.pending()) {
                for (DirectMigrations.Statement st : p.statements()) other.createStatement().execute(st.sql());
                DirectMigrations.record(other, plan.schema(), rank++, p, "other", 1);
            }
            other.createStatement().execute("select pg_advisory_unlock(" + DirectMigrations.lockKey("public") + ")");
            TestSupport.Result r = run.get(90, TimeUnit.SECONDS);
            assertEquals(0, r.code(), r.all());
            assertTrue(r.out().contains("another run applied the pending migrations first"), r.out());
            assertEquals("4|0", TestSupport.one(url, "select count(*) || '|' || count(*) filter (where installed_by <> 'other') from flyway_schema_history"));
        }
    }

    @Test
    void whatFlywayMustHandleStillGoesToFlyway() throws Exception {
        // a schema that already has tables but no history: Flyway's refusal, not an empty schema's treatment
        String url = TestSupport.freshDatabase();
        TestSupport.exec(url, "create table stray (id int)");
        TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--verbose");
        assertTrue(r.code() != 0, r.all());
        assertFalse(r.err().contains("in this session"), r.err());
        assertEquals("0", TestSupport.one(url, "select count(*) from pg_tables where tablename in ('flyway_schema_history', 'Admin')"));
        // what Flyway does for a migration beyond running it: COPY rows from the file, and the
        // role and search path put back before the next migration
        Path special = TestSupport.kitCopy();
        Files.writeString(special.resolve("migrations/V5__copy_rows.sql"), "COPY \"FeatureFlag\" (key, description) FROM STDIN;\nfrom_copy\tcopied\n\\.\n");
        Files.writeString(special.resolve("migrations/V6__other_path.sql"), "CREATE SCHEMA other;\nSET search_path TO other;\nCREATE TABLE \"inOther\" (id int);\n");
        Files.writeString(special.resolve("migrations/V7__after.sql"), "CREATE TABLE \"afterPath\" (id int);\n");
        String specialUrl = TestSupport.freshDatabase();
        TestSupport.Result s = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", specialUrl), "--dir", special.toString(), "--verbose");
        assertEquals(0, s.code(), s.all());
        assertFalse(s.err().contains("in this session"), s.err());
        assertEquals("copied", TestSupport.one(specialUrl, "select description from \"FeatureFlag\" where key = 'from_copy'"));
        assertEquals(List.of("other.inOther", "public.afterPath"), TestSupport.rows(specialUrl,
                "select schemaname || '.' || tablename from pg_tables where tablename in ('inOther', 'afterPath') order by 1"));
        assertTrue(DirectMigrations.needsFlyway(new DirectMigrations.Statement(1, "-- x\nset role admin")));
        assertTrue(DirectMigrations.needsFlyway(new DirectMigrations.Statement(1, "SELECT set_config('search_path', 'x', false)")));
        assertFalse(DirectMigrations.needsFlyway(new DirectMigrations.Statement(1, "SET LOCAL statement_timeout = 0")));
        assertFalse(DirectMigrations.needsFlyway(new DirectMigrations.Statement(1, "COPY (select 1) TO STDOUT")));
        // a script configuration Flyway reads
        Path configured = TestSupport.kitCopy();
        Files.writeString(configured.resolve("migrations/V5__outside.sql"), "-- flyway:executeInTransaction=false\nCREATE TABLE \"outside\" (id int);\n");
        TestSupport.Result c = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", TestSupport.freshDatabase()), "--dir", configured.toString(), "--verbose");
        assertEquals(0, c.code(), c.all());
        assertFalse(c.err().contains("in this session"), c.err());
        // a file renamed after it was applied: Flyway's validation refuses it, and so does the kit
        Path renamedKit = TestSupport.kitCopy();
        String renamedUrl = TestSupport.freshDatabase();
        assertEquals(0, TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", renamedUrl), "--dir", renamedKit.toString()).code());
        Files.move(renamedKit.resolve("migrations/V3__members_and_teams.sql"), renamedKit.resolve("migrations/V3__members_teams.sql"));
        Files.writeString(renamedKit.resolve("migrations/V5__later.sql"), "CREATE TABLE \"later\" (id int);\n");
        TestSupport.Result renamed = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", renamedUrl), "--dir", renamedKit.toString());
        assertEquals(5, renamed.code(), renamed.all());
        assertTrue(renamed.err().contains("V3__members_teams.sql was applied as migration 3 \"members and teams\", and its file now says \"members teams\""), renamed.err());
        assertEquals("0", TestSupport.one(renamedUrl, "select count(*) from pg_tables where tablename = 'later'"));
        TestSupport.Result renamedStatus = TestSupport.run(new status(), TestSupport.env("DIRECT_URL", renamedUrl), "--dir", renamedKit.toString());
        assertEquals(5, renamedStatus.code(), renamedStatus.all());
        assertTrue(renamedStatus.out().contains("V3__members_teams.sql was renamed after it was applied"), renamedStatus.out());
        // a migration in a subfolder, which Flyway finds: applied by Flyway, and status sees it
        Path nested = TestSupport.kitCopy();
        Files.createDirectories(nested.resolve("migrations/later"));
        Files.writeString(nested.resolve("migrations/later/V5__nested.sql"), "CREATE TABLE \"nested\" (id int);\n");
        String nestedUrl = TestSupport.freshDatabase();
        assertEquals(0, TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", nestedUrl), "--dir", TestSupport.kitDir().toString()).code());
        TestSupport.Result pendingNested = TestSupport.run(new status(), TestSupport.env("DIRECT_URL", nestedUrl), "--dir", nested.toString());
        assertEquals(1, pendingNested.code(), pendingNested.all());
        assertTrue(pendingNested.out().contains("[ ] 5      nested"), pendingNested.out());
        TestSupport.Result n = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", nestedUrl), "--dir", nested.toString(), "--verbose");
        assertEquals(0, n.code(), n.all());
        assertFalse(n.err().contains("in this session"), n.err());
        assertEquals("1", TestSupport.one(nestedUrl, "select count(*) from pg_tables where tablename = 'nested'"));
        TestSupport.Result nestedStatus = TestSupport.run(new status(), TestSupport.env("DIRECT_URL", nestedUrl), "--dir", nested.toString());
        assertTrue(nestedStatus.out().contains("[x] 5      nested") && nestedStatus.out().contains("5 applied, 0 pending"), nestedStatus.out());
        assertEquals("0", TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", nestedUrl), "--dir", nested.toString()).code() + "");
        // migrations/ as a link to the folder that holds them
        Path linked = Files.createTempDirectory("linked-kit-");
        Files.createDirectories(linked.resolve("seeds"));
        Files.createSymbolicLink(linked.resolve("migrations"), TestSupport.kitDir().resolve("migrations"));
        String linkedUrl = TestSupport.freshDatabase();
        TestSupport.Result l = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", linkedUrl), "--dir", linked.toString());
        assertEquals(0, l.code(), l.all());
        assertTrue(l.out().contains("Applied 4 migrations"), l.out());
        assertTrue(TestSupport.run(new status(), TestSupport.env("DIRECT_URL", linkedUrl), "--dir", linked.toString()).out().contains("4 applied, 0 pending"));
        // two files with one version
        Path kit = TestSupport.kitCopy();
        Files.writeString(kit.resolve("migrations/V4_0__same_version.sql"), "SELECT 1;\n");
        TestSupport.Result twice = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", TestSupport.freshDatabase()), "--dir", kit.toString());
        assertEquals(2, twice.code(), twice.all());
        assertTrue(twice.err().contains("two migrations have the same version 4") && twice.err().contains("V4_0__same_version.sql"), twice.err());
    }
}
