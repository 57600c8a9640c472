import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * migrate --rehearse as an operator runs it: on a migrated database with rows, the prediction
 * (exit code and sentence) is compared with what the real migrate then does, and the target is
 * unchanged by every rehearsal (catalog and rows).
 */
class RehearseCommandTest {


    /** A migrated database with two members, one without a name. */
    private static String withMembers() {
        String url = TestSupport.migrated();
        TestSupport.exec(url, "insert into \"Member\" (email, name) values ('a@example.com', 'Ada'), ('b@example.com', null)");
        return url;
    }

    /** withMembers(), then `sql` on it. */
    private static String withMembers(String sql) {
        String url = withMembers();
        TestSupport.exec(url, sql);
        return url;
    }

    /** A rehearsal that exits with `code`; that run. */
    static TestSupport.Result rehearsed(int code, String url, Path kit, String... more) {
        TestSupport.Result r = rehearse(url, kit, more);
        assertEquals(code, r.code(), r.all());
        return r;
    }

    static TestSupport.Result rehearse(String url, Path kit, String... more) {
        String before = TestSupport.fingerprint(url);
        List<String> args = new java.util.ArrayList<>(List.of("--dir", kit.toString(), "--rehearse"));
        args.addAll(List.of(more));
        TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), args.toArray(String[]::new));
        assertEquals(before, TestSupport.fingerprint(url), "the rehearsal changed the target: " + r.all());
        return r;
    }

    static TestSupport.Result migrateFor(String url, Path kit, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("--dir", kit.toString()));
        args.addAll(List.of(more));
        return TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), args.toArray(String[]::new));
    }

    /** The rehearsal predicts exit 4 with its sentence, and the real run then fails alike; returns the rehearsal. */
    private static TestSupport.Result predictedToFailAndFails(String url, Path kit, String predicted, String real) {
        TestSupport.Result r = rehearsed(4, url, kit);
        assertTrue(r.err().contains(predicted), r.err());
        TestSupport.Result m = migrateFor(url, kit);
        assertEquals(4, m.code(), m.all());
        assertTrue(m.err().contains(real), m.err());
        return r;
    }

    @Test
    void setNotNullOverANullIsPredictedToFailAndTheRealRunFailsAlike() throws Exception {
        String url = withMembers();
        Path kit = TestSupport.kitWith("V5__name_required.sql", "-- every member has a name\n\nALTER TABLE \"Member\" ALTER COLUMN \"name\" SET NOT NULL;\n");
        // with the rows copied, the copy itself fails, with the server's message
        TestSupport.Result r = predictedToFailAndFails(url, kit,
                "V5__name_required.sql line 3: ALTER TABLE \"Member\" ALTER COLUMN \"name\" SET NOT NULL fails on the copy with the target's rows: column \"name\" of relation \"Member\" contains null values.",
                "V5__name_required.sql failed");
        assertTrue(r.err().contains("Nothing was applied to the target."), r.err());
        assertTrue(r.out().contains("copied 6 tables, 2 rows"), r.out());
        // with --no-rows, the check of the target's rows says it, with how many rows break it
        TestSupport.Result n = rehearsed(4, url, kit, "--no-rows");
        assertTrue(n.err().contains("V5__name_required.sql line 3: ALTER TABLE \"Member\" ALTER COLUMN \"name\" SET NOT NULL would fail: \"Member\" has 1 row with a null in \"name\""), n.err());
        assertTrue(n.out().contains("no rows copied (--no-rows)"), n.out());
    }

    @Test
    void setNotNullWithNoNullIsPredictedToApplyAndTheRealRunApplies() throws Exception {
        String url = withMembers("update \"Member\" set name = 'Bo' where name is null");
        Path kit = TestSupport.kitWith("V5__name_required.sql", "ALTER TABLE \"Member\" ALTER COLUMN \"name\" SET NOT NULL;\n");
        TestSupport.Result r = rehearsed(0, url, kit);
        assertTrue(r.out().contains("V5__name_required.sql") && r.out().contains("applies on the copy"), r.out());
        assertTrue(r.out().contains("AccessExclusiveLock") && r.out().contains("\"Member\""), r.out());
        assertTrue(r.out().contains("Rehearsal: the pending migration applies on the copy and passes: its statement is proven (it ran on the copy with the target's rows)"), r.out());
        assertTrue(r.out().matches("(?s).*line 1 \\([0-9.]+ m?s\\): holds AccessExclusiveLock on table \"public\"\\.\"Member\" for [0-9.]+ m?s over 2 rows on the copy: .*"), r.out());
        assertEquals(0, migrateFor(url, kit).code());
        assertEquals("NO", TestSupport.one(url, "select is_nullable from information_schema.columns where table_name = 'Member' and column_name = 'name'"));
    }

    @Test
    void aUniqueIndexOverDuplicatesIsPredictedToFail() throws Exception {
        String url = withMembers("update \"Member\" set name = 'Ada'");
        Path kit = TestSupport.kitWith("V5__unique_name.sql", "CREATE UNIQUE INDEX \"Member_name_key\" ON \"Member\"(\"name\");\n");
        predictedToFailAndFails(url, kit, "V5__unique_name.sql line 1: CREATE UNIQUE INDEX \"Member_name_key\" ON \"Member\"(\"name\") fails on the copy with the target's rows: could not create unique index", "V5__unique_name.sql failed at line 1");
    }

    @Test
    void aMigrationThatFailsOnTheSchemaIsCaughtOnTheCopyWithItsLine() throws Exception {
        String url = withMembers();
        // V3 made this index already: the copy fails exactly where the target would
        Path kit = TestSupport.kitWith("V5__again.sql", "ALTER TABLE \"Member\" ADD COLUMN \"nickname\" TEXT;\n\nCREATE UNIQUE INDEX \"Member_email_key\" ON \"Member\"(\"email\");\n");
        TestSupport.Result r = predictedToFailAndFails(url, kit, "V5__again.sql line 3: CREATE UNIQUE INDEX", "V5__again.sql failed at line 3");
        assertTrue(r.err().contains("already exists"), r.err());
    }

    @Test
    void aHandMadeChangeStopsTheRehearsalWithTheDrift() throws Exception {
        String url = withMembers("create index \"Member_name_idx\" on \"Member\"(name)");
        TestSupport.Result r = rehearsed(5, url, TestSupport.kitWith("V5__nickname.sql", "ALTER TABLE \"Member\" ADD COLUMN \"nickname\" TEXT;\n"));
        assertTrue(r.err().contains("index \"Member_name_idx\" is in the database but no migration creates it"), r.err());
        assertTrue(r.err().contains("a rehearsal on a copy would prove nothing"), r.err());
    }

    @Test
    void onAnEmptyDatabaseTheRehearsalWritesNothingNotEvenTheHistoryTable() {
        String url = TestSupport.freshDatabase();
        TestSupport.Result r = rehearsed(0, url, TestSupport.kitCopy());
        assertTrue(r.out().contains("all 4 pending migrations apply on the copy"), r.out());
        assertEquals("0", TestSupport.one(url, "select count(*) from pg_tables where schemaname = 'public'"));
    }

    @Test
    void thePrismaPathRehearsesAndPredictsAsWell() throws Exception {
        String url = TestSupport.freshDatabase();
        Path kit = Files.createTempDirectory("rehearse-prisma");
        Path dir = kit.resolve("prisma-migrations");
        Files.createDirectories(dir.resolve("20240101000000_init"));
        Files.writeString(dir.resolve("migration_lock.toml"), "provider = \"postgresql\"\n");
        Files.writeString(dir.resolve("20240101000000_init/migration.sql"), "CREATE TABLE \"User\" (\"id\" SERIAL PRIMARY KEY, \"email\" TEXT);\n");
        assertEquals(0, TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString(), "--prisma", dir.toString()).code());
        TestSupport.exec(url, "insert into \"User\" (email) values ('a@example.com'), (null)");
        Files.createDirectories(dir.resolve("20240201000000_email_required"));
        Files.writeString(dir.resolve("20240201000000_email_required/migration.sql"), "-- AlterTable\nALTER TABLE \"User\" ALTER COLUMN \"email\" SET NOT NULL;\n");
        TestSupport.Result r;
        // a deploy holding Prisma's lock neither waits for the rehearsal nor stops it: a rehearsal takes no lock on the target
        try (java.sql.Connection deploy = TestSupport.server().admin(TestSupport.databaseName(url))) {
            deploy.createStatement().execute("select pg_advisory_lock(" + PrismaMigrations.PRISMA_LOCK + ")");
            r = rehearse(url, kit, "--prisma", dir.toString(), "--lock-wait", "0s");
        }
        assertEquals(4, r.code(), r.all());
        assertFalse(r.err().contains("lock"), r.err());
        assertTrue(r.err().contains("20240201000000_email_required/migration.sql line 2"), r.err());
        assertFalse(r.err().contains("DRIFT"), r.err());
        TestSupport.Result real = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString(), "--prisma", dir.toString());
        assertEquals(4, real.code(), real.all());
    }

    @Test
    void aGrantToAPlatformRoleRehearsesAsItApplies() throws Exception {
        String url = withMembers();
        // a role of the platform's (not anon or authenticated: roles are cluster-wide, and those two make later tests' status check Data API exposure)
        TestSupport.exec(url, "do $$ begin if not exists (select 1 from pg_roles where rolname = 'reporting_reader') then create role reporting_reader nologin; end if; end $$");
        Path kit = TestSupport.kitWith("V5__grant.sql", "GRANT SELECT ON \"Team\" TO reporting_reader;\n");
        TestSupport.Result r = rehearsed(0, url, kit);
        assertEquals(0, migrateFor(url, kit).code());
    }
}
