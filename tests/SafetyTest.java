import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Migrations that must not hurt a live app: lock timeouts, the risky-statement lint, confirmation. */
class SafetyTest {


    @Test
    void aLockHeldByLiveTrafficTimesOutRollsBackAndTheRerunWorks() throws Exception {
        String url = TestSupport.migrated();
        Path kit = TestSupport.kitWith("V5__member_nickname.sql", "ALTER TABLE \"Member\" ADD COLUMN \"nickname\" TEXT;\n");
        try (Connection live = TestSupport.server().admin(TestSupport.databaseName(url))) {
            live.setAutoCommit(false);
            live.createStatement().execute("lock table \"Member\" in access share mode");
            long t = System.nanoTime();
            TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString(), "--lock-timeout", "1s");
            long ms = (System.nanoTime() - t) / 1_000_000;
            assertEquals(4, r.code(), r.all());
            assertTrue(r.err().contains("V5__member_nickname.sql waited longer than 1.0 s for a lock that live traffic holds"), r.err());
            assertTrue(r.err().contains("nothing from it was applied") && r.err().contains("Re-running later is safe"), r.err());
            assertTrue(ms < 15_000, "took " + ms + " ms");
            assertEquals("0", TestSupport.one(url, "select count(*) from information_schema.columns where table_name = 'Member' and column_name = 'nickname'"));
            assertEquals("4", TestSupport.one(url, "select count(*) from flyway_schema_history"));
            live.rollback();
        }
        TestSupport.Result again = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString());
        assertEquals(0, again.code(), again.all());
        assertEquals("1", TestSupport.one(url, "select count(*) from information_schema.columns where table_name = 'Member' and column_name = 'nickname'"));
    }

    @Test
    void aStatementTimeoutIsHonoured() throws Exception {
        String url = TestSupport.migrated();
        Path kit = TestSupport.kitWith("V5__slow.sql", "SELECT pg_sleep(5);\n");
        TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString(), "--statement-timeout", "500ms");
        assertEquals(4, r.code(), r.all());
        assertTrue(r.err().contains("V5__slow.sql ran longer than the statement timeout of 500 ms"), r.err());
    }

    /** A migrated database after `sql`. */
    static String migratedWith(String sql) {
        String url = TestSupport.migrated();
        TestSupport.exec(url, sql);
        return url;
    }

    /** migrate on `url` with `kit`'s migrations, which exits with `code`; that run. */
    static TestSupport.Result migrate(String url, Path kit, int code) {
        TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString());
        assertEquals(code, r.code(), r.all());
        return r;
    }

    /** A migrated database whose tables hold rows, as a live one does: the lint judges tables with rows. */
    static String live() {
        String url = TestSupport.seeded();
        TestSupport.exec(url, "insert into \"Member\" (email, name) values ('m@example.com', 'M'); insert into \"Team\" (name, \"ownerId\") select 'T', id from \"Member\"");
        return url;
    }

    @Test
    void dataLosingStatementsStopTheRunUnlessAllowed() throws Exception {
        String url = live();
        Path kit = TestSupport.kitWith("V5__cleanup.sql", """
                -- tidy up
                DROP TABLE "PointConfig";
                ALTER TABLE "Member" DROP COLUMN "name";
                DELETE FROM "FeatureFlag";
                UPDATE "Admin" SET role = 'ADMIN' WHERE email = 'x';
                TRUNCATE "EmailTemplate";
                """);
        String before = TestSupport.fingerprint(url);
        TestSupport.Result dry = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString(), "--dry-run");
        assertEquals(2, dry.code(), dry.all());
        assertTrue(dry.err().contains("a real run would stop here too"), dry.err());
        TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString());
        assertEquals(2, r.code(), r.all());
        assertTrue(r.err().contains("data loss: V5__cleanup.sql line 2: DROP TABLE \"PointConfig\" drops a table and every row in it"), r.err());
        assertTrue(r.err().contains("V5__cleanup.sql line 3: ALTER TABLE \"Member\" DROP COLUMN \"name\" drops a column and its data"), r.err());
        assertTrue(r.err().contains("line 4: DELETE FROM \"FeatureFlag\" has no WHERE clause"), r.err());
        assertTrue(r.err().contains("line 6: TRUNCATE \"EmailTemplate\" deletes every row"), r.err());
        assertFalse(r.err().contains("line 5"), "an UPDATE with WHERE is fine: " + r.err());
        assertTrue(r.err().contains("error: 4 statements in the pending migrations would lose data, so nothing was applied"), r.err());
        assertEquals(before, TestSupport.fingerprint(url));
        TestSupport.Result allowed = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString(), "--allow-destructive");
        assertEquals(0, allowed.code(), allowed.all());
        assertTrue(allowed.err().contains("V5__cleanup.sql line 2: DROP TABLE \"PointConfig\" drops a table and every row in it; allowed by --allow-destructive."), allowed.err());
        assertFalse(allowed.err().contains("run with --allow-destructive"), "the flag was given: " + allowed.err());
        assertEquals("0", TestSupport.one(url, "select count(*) from pg_tables where tablename = 'PointConfig'"));
    }

    @Test
    void lockHeavyStatementsAreWarningsWithTheSaferWay() throws Exception {
        String url = live();
        Path kit = TestSupport.kitWith("V5__reshape.sql", """
                CREATE INDEX "Member_name_idx" ON "Member"("name");
                ALTER TABLE "Team" ALTER COLUMN "seats" TYPE BIGINT;
                ALTER TABLE "Member" ADD COLUMN "tier" TEXT NOT NULL;
                ALTER TABLE "Member" RENAME COLUMN "name" TO "fullName";
                CREATE TABLE "Fresh" ("id" TEXT NOT NULL);
                CREATE INDEX "Fresh_id_idx" ON "Fresh"("id");
                ALTER TABLE "Fresh" ADD COLUMN "n" INT NOT NULL;
                """);
        TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString(), "--dry-run");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.err().contains("warning: V5__reshape.sql line 1: CREATE INDEX \"Member_name_idx\" ON \"Member\"(\"name\") blocks writes to \"Member\" while the index builds; use CREATE INDEX CONCURRENTLY"), r.err());
        assertTrue(r.err().contains("line 2: ALTER TABLE \"Team\" ALTER COLUMN \"seats\" TYPE BIGINT rewrites the table"), r.err());
        assertTrue(r.err().contains("line 3: ALTER TABLE \"Member\" ADD COLUMN \"tier\" TEXT NOT NULL adds a NOT NULL column without a default"), r.err());
        assertTrue(r.err().contains("line 4: ALTER TABLE \"Member\" RENAME COLUMN \"name\" TO \"fullName\" renames while the running app"), r.err());
        assertEquals(4, r.err().lines().filter(l -> l.startsWith("warning:")).count(), "a new table is no live table: " + r.err());
    }

    @Test
    void aConcurrentIndexRunsOutsideATransactionAndTheKitSaysSo() throws Exception {
        String url = TestSupport.migrated();
        Path kit = TestSupport.kitWith("V5__member_name_index.sql", "CREATE INDEX CONCURRENTLY \"Member_name_idx\" ON \"Member\"(\"name\");\n");
        TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString());
        assertEquals(0, r.code(), r.all());
        assertTrue(r.err().contains("note: V5__member_name_index.sql runs outside a transaction"), r.err());
        assertFalse(r.err().contains("warning:"), r.err());
        assertEquals("1", TestSupport.one(url, "select count(*) from pg_indexes where indexname = 'Member_name_idx'"));
    }

    @Test
    void aRemoteDatabaseFromATerminalIsConfirmedFirst() {
        migrate m = new migrate();
        DatabaseTarget remote = DatabaseTarget.parse("postgresql://u:p@db.example.com:5432/postgres", "DIRECT_URL");
        TestSupport.Result unused = TestSupport.run(m, TestSupport.env(), "--help");
        StringBuilder asked = new StringBuilder();
        m.terminal = q -> { asked.append(q); return "n"; };
        KitException no = assertThrows(KitException.class, () -> m.confirm(remote, List.of(), 0));
        assertEquals(2, no.exitCode);
        assertTrue(no.getMessage().contains("not confirmed, so nothing was applied"), no.getMessage());
        assertTrue(asked.toString().contains("About to apply 0 migrations to postgresql://u:****@db.example.com:5432/postgres"), asked.toString());
        m.terminal = q -> "y";
        m.confirm(remote, List.of(), 0);
        m.terminal = q -> null; // no terminal: an SSH command or CI goes on without asking
        m.confirm(remote, List.of(), 0);
        m.terminal = q -> { throw new AssertionError("a local database is not asked about"); };
        m.confirm(DatabaseTarget.parse("postgresql://u:p@localhost/x", "t"), List.of(), 0);
    }

    @Test
    void theSplitterKnowsQuotesCommentsAndDollarBodies() {
        List<SqlScript.Statement> s = SqlScript.split(String.join("\n",
                "-- DROP TABLE in a comment;",
                "/* and DROP TABLE /* nested */ here; */",
                "CREATE FUNCTION f() RETURNS void AS $body$ BEGIN DELETE FROM x; END $body$ LANGUAGE plpgsql;",
                "INSERT INTO t VALUES ('it''s; fine', \"a;b\");",
                "SELECT 1"));
        assertEquals(3, s.size(), s.toString());
        assertEquals(3, s.get(0).line());
        assertTrue(s.get(0).sql().endsWith("LANGUAGE plpgsql"));
        assertEquals(4, s.get(1).line());
        assertTrue(MigrationLint.check(List.of(), new MigrationLint.Before(java.util.Set.of(), java.util.Set.of())).findings().isEmpty());
    }

    @Test
    void theSplitterKnowsBeginAtomicBodiesEscapedStringsAndLines() {
        String script = String.join("\n",
                "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql",
                "BEGIN ATOMIC",
                "  SELECT CASE WHEN a > 0 THEN a ELSE 0 END;",
                "  SELECT a;",
                "END;",
                "INSERT INTO t VALUES (E'it\\'s; fine', $tag1$ $$; $tag1$);",
                "BEGIN;",
                "DROP INDEX CONCURRENTLY x;");
        List<SqlScript.Statement> s = SqlScript.split(script);
        assertEquals(4, s.size(), s.toString());
        assertEquals(List.of(1, 6, 7, 8), s.stream().map(SqlScript.Statement::line).toList());
        assertTrue(s.get(0).sql().endsWith("END"), s.get(0).sql());
        assertEquals(script.indexOf("INSERT"), s.get(1).offset());
        assertEquals("begin", s.get(2).normalized());
        assertTrue(MigrationFile.needsNoTransaction(s.get(3)));
        assertFalse(MigrationFile.needsNoTransaction(s.get(0)));
        // a server position (characters from 1) inside a statement is a line of the file
        assertEquals(4, SqlScript.lineAt(script, SqlScript.offsetOf(script, s.get(0).offset(), script.indexOf("SELECT a") - s.get(0).offset() + 1)));
    }

    @Test
    void aTableThisRunCreatesThenRenamesHasNothingToLose() throws Exception {
        Path folder = TestSupport.prismaFolder(
                "01_create", "CREATE TABLE \"public\".\"Person\" (\"id\" TEXT PRIMARY KEY, \"nick\" TEXT, \"score\" INTEGER);\n",
                "02_rename", "ALTER TABLE \"Person\" RENAME TO \"Contact\";\n",
                "03_reshape", "ALTER TABLE \"Contact\" DROP COLUMN \"nick\";\nUPDATE \"Contact\" SET \"score\" = 0;\nALTER TABLE \"public\".\"Contact\" RENAME COLUMN \"score\" TO \"points\";\n");
        String url = TestSupport.freshDatabase();
        TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", PrismaTest.emptyKit().toString(), "--prisma", folder.toString());
        assertEquals(0, r.code(), r.all());
        assertFalse(r.err().contains("data loss") || r.err().contains("warning:"), r.err());
        assertEquals("1", TestSupport.one(url, "select count(*) from information_schema.columns where table_name = 'Contact' and column_name = 'points'"));
    }

    @Test
    void aDroppedColumnOfATableWithRowsStopsTheRunAlsoAfterARenameAnEmptyTableGetsANote() throws Exception {
        String url = TestSupport.migrated();
        TestSupport.exec(url, "insert into \"Member\" (email, name) values ('m@example.com', 'M')");
        Path renamedFirst = TestSupport.kitWith("V5__people.sql", "ALTER TABLE \"Member\" RENAME TO \"People\";\nALTER TABLE \"People\" DROP COLUMN \"name\";\n");
        String before = TestSupport.fingerprint(url);
        TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", renamedFirst.toString());
        assertEquals(2, r.code(), r.all());
        assertTrue(r.err().contains("data loss: V5__people.sql line 2: ALTER TABLE \"People\" DROP COLUMN \"name\" drops a column and its data"), r.err());
        assertEquals(before, TestSupport.fingerprint(url));
        // the same on a table that exists but holds no row: nothing to lose, a note, and it applies
        Path empty = TestSupport.kitWith("V5__team.sql", "ALTER TABLE \"Team\" DROP COLUMN \"seats\";\n");
        TestSupport.Result e = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", empty.toString());
        assertEquals(0, e.code(), e.all());
        assertTrue(e.err().contains("note: V5__team.sql line 1: ALTER TABLE \"Team\" DROP COLUMN \"seats\" drops a column and its data, but \"Team\" has no rows"), e.err());
        assertFalse(e.err().contains("data loss") || e.err().contains("warning:"), e.err());
    }

    /**
     * Issue 27 item 7: a column NULL in every row of a table that holds rows loses nothing when
     * dropped (a deploy interrupted after the app stopped writing it, resumed): a note, no flag. One
     * row with a value makes the same statement a finding again, and nothing is applied.
     */
    @Test
    void aDroppedColumnThatIsNullInEveryRowLosesNothingSoAResumedRunNeedsNoFlag() throws Exception {
        String url = migratedWith("insert into \"Member\" (email) values ('a@example.com'), ('b@example.com')");
        Path kit = TestSupport.kitWith("V5__drop_name.sql", "ALTER TABLE \"Member\" DROP COLUMN \"name\";\n");
        TestSupport.Result r = migrate(url, kit, 0);
        assertTrue(r.err().contains("note: V5__drop_name.sql line 1: ALTER TABLE \"Member\" DROP COLUMN \"name\" drops column \"name\" of \"Member\","
                + " which is NULL in every row, so nothing is lost and no finding is raised."), r.err());
        assertFalse(r.err().contains("data loss"), r.err());
        assertEquals("0", TestSupport.one(url, "select count(*) from information_schema.columns where table_name = 'Member' and column_name = 'name'"));
        // one row with a value: the drop loses it, so it stops the run, nothing applied
        String valued = TestSupport.migrated();
        TestSupport.exec(valued, "insert into \"Member\" (email) values ('a@example.com'); insert into \"Member\" (email, name) values ('b@example.com', 'B')");
        String before = TestSupport.fingerprint(valued);
        TestSupport.Result refused = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", valued), "--dir", kit.toString());
        assertEquals(2, refused.code(), refused.all());
        assertTrue(refused.err().contains("data loss: V5__drop_name.sql line 1:") && refused.err().contains("drops a column and its data"), refused.err());
        assertEquals(before, TestSupport.fingerprint(valued));
    }

    @Test
    void aDropOfSeveralTablesOrOfAnotherSchemasTableStopsTheRunWhateverTheFirstHolds() throws Exception {
        String url = TestSupport.migrated();
        TestSupport.exec(url, "create table empty_one (id int); create table keep (id int); insert into keep values (1);"
                + " create schema archive; create table archive.orders (id int); insert into archive.orders values (1)");
        for (String sql : List.of("drop table empty_one, keep;\n", "drop table archive.orders;\n", "truncate empty_one, keep;\n", "delete from archive.orders;\n")) {
            Path kit = TestSupport.kitWith("V5__drop.sql", sql);
            TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString());
            assertEquals(2, r.code(), sql + r.all());
            assertTrue(r.err().contains("would lose data"), r.err());
        }
        assertEquals("1", TestSupport.one(url, "select count(*) from keep"));
        assertEquals("1", TestSupport.one(url, "select count(*) from archive.orders"));
        assertEquals("4", TestSupport.one(url, "select count(*) from flyway_schema_history"));
    }

    /** A migrate with nothing to do that turns the history's row-level security back on says so: it is a change. */
    @Test
    void aNoOpRunThatProtectsTheHistoryAgainSaysSo() throws Exception {
        String url = TestSupport.migrated();
        TestSupport.exec(url, "alter table flyway_schema_history disable row level security");
        TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url));
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("nothing to apply"), r.out());
        assertTrue(r.err().contains("note: enabled row-level security on flyway_schema_history again (it was off)"), r.err());
        assertEquals("true", TestSupport.one(url, "select relrowsecurity from pg_class where relname = 'flyway_schema_history'"));
        TestSupport.Result again = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url));
        assertFalse(again.err().contains("row-level security"), again.err());
    }

    @Test
    void aRefusedRunWritesNothingNotEvenTheHistoryTablesSecurity() throws Exception {
        String url = migratedWith("create table keep (id int); insert into keep values (1); alter table flyway_schema_history disable row level security");
        Path kit = TestSupport.kitWith("V5__drop.sql", "drop table keep;\n");
        migrate(url, kit, 2);
        assertEquals("false", TestSupport.one(url, "select relrowsecurity from pg_class where relname = 'flyway_schema_history'"));
        // a run that applies enables it again
        assertEquals(0, TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString(), "--allow-destructive").code());
        assertEquals("true", TestSupport.one(url, "select relrowsecurity from pg_class where relname = 'flyway_schema_history'"));
    }

    // ------------------------------------------------------------------ the lint by statement kind: forms of every spelling

    /** A migration the lint must stop: exit 2 without --allow-destructive, each expected text said, nothing applied. */
    private static void stops(String url, String file, String sql, String... expected) throws Exception {
        Path kit = TestSupport.kitWith(file, sql);
        String before = TestSupport.fingerprint(url);
        TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString());
        assertEquals(2, r.code(), r.all());
        for (String e : expected) assertTrue(r.err().contains(e), e + "\n" + r.err());
        assertEquals(before, TestSupport.fingerprint(url), "nothing is applied");
    }

    /** A migration that is no finding: it applies without --allow-destructive, saying each expected text (a note, a warning). */
    private static void applies(String url, String file, String sql, String... expected) throws Exception {
        TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", TestSupport.kitWith(file, sql).toString());
        assertEquals(0, r.code(), r.all());
        assertFalse(r.err().contains("data loss"), r.err());
        for (String e : expected) assertTrue(r.err().contains(e), e + "\n" + r.err());
    }

    @Test
    void aColumnDroppedWithoutTheColumnKeywordStopsTheRun() throws Exception {
        String url = live();
        TestSupport.exec(url, "create table \"Archive\" (\"id\" int, \"note\" text)");
        stops(url, "V5__drop.sql", "ALTER TABLE \"Member\" DROP \"name\";\n",
                "data loss: V5__drop.sql line 1: ALTER TABLE \"Member\" DROP \"name\" drops a column and its data");
        // a constraint holds no data, and a table without rows has nothing to lose (a note)
        applies(url, "V5__drop.sql", "ALTER TABLE \"Member\" DROP CONSTRAINT IF EXISTS \"Member_nope\";\nALTER TABLE \"Archive\" DROP \"note\";\n",
                "note: V5__drop.sql line 2: ALTER TABLE \"Archive\" DROP \"note\" drops a column and its data, but \"Archive\" has no rows");
    }

    @Test
    void aTypeOrDomainDroppedWithCascadeStopsTheRunUnlessThisRunMadeIt() throws Exception {
        String url = live();
        TestSupport.exec(url, "create domain \"Email\" as text; alter table \"Member\" add column \"contact\" \"Email\"");
        stops(url, "V5__types.sql", "DROP TYPE \"SubscriptionStatus\" CASCADE;\nDROP DOMAIN \"Email\" CASCADE;\n",
                "data loss: V5__types.sql line 1: DROP TYPE \"SubscriptionStatus\" CASCADE also drops, in any table, every column that depends on it",
                "data loss: V5__types.sql line 2: DROP DOMAIN \"Email\" CASCADE also drops");
        // a type this run makes holds no column from before the run, unless the run converts one to it
        stops(url, "V5__types.sql", "CREATE DOMAIN \"FullName\" AS TEXT;\nALTER TABLE \"Member\" ALTER COLUMN \"name\" TYPE \"FullName\";\nDROP DOMAIN \"FullName\" CASCADE;\n",
                "data loss: V5__types.sql line 3: DROP DOMAIN \"FullName\" CASCADE also drops");
        applies(url, "V5__tier.sql", "CREATE TYPE \"Tier\" AS ENUM ('A', 'B');\nALTER TABLE \"Member\" ADD COLUMN \"tier\" \"Tier\";\nDROP TYPE \"Tier\" CASCADE;\n");
    }

    @Test
    void aWhereThatIsAlwaysTrueStopsTheRunARealOneDoesNot() throws Exception {
        String url = live();
        stops(url, "V5__all.sql", "DELETE FROM \"FeatureFlag\" WHERE true;\nUPDATE \"Member\" SET \"name\" = NULL WHERE 1=1;\n",
                "data loss: V5__all.sql line 1: DELETE FROM \"FeatureFlag\" WHERE true has a WHERE clause that is always true, so it deletes every row",
                "data loss: V5__all.sql line 2: UPDATE \"Member\" SET \"name\" = NULL WHERE 1=1 has a WHERE clause that is always true, so it overwrites every row");
        stops(url, "V5__all.sql", "DELETE FROM \"FeatureFlag\" WHERE (\"key\" = 'x' OR 'a' = 'a');\n", "line 1: DELETE FROM \"FeatureFlag\" WHERE (\"key\" = 'x' OR 'a' = 'a') has a WHERE clause that is always true");
        applies(url, "V5__some.sql", "DELETE FROM \"FeatureFlag\" WHERE \"key\" = 'no_such_flag' OR 1 = 2;\nUPDATE \"Member\" SET \"name\" = NULL WHERE \"email\" = 'nobody@example.com' AND true;\n");
    }

    @Test
    void aDeleteInsideACommonTableExpressionStopsTheRun() throws Exception {
        String url = live();
        stops(url, "V5__cte.sql", "WITH gone AS (DELETE FROM \"FeatureFlag\" RETURNING *) SELECT count(*) FROM gone;\n",
                "data loss: V5__cte.sql line 1: WITH gone AS (DELETE FROM \"FeatureFlag\" RETURNING *) SELECT count(*) FROM gone has no WHERE clause, so it deletes every row");
        // a real WHERE is no finding; neither is a table without rows (a note)
        TestSupport.exec(url, "create table \"Archive\" (\"id\" int)");
        applies(url, "V5__cte.sql", "WITH gone AS (DELETE FROM \"FeatureFlag\" WHERE \"key\" = 'no_such_flag' RETURNING *) SELECT count(*) FROM gone;\n"
                + "WITH gone AS (DELETE FROM \"Archive\" RETURNING *) SELECT count(*) FROM gone;\n", "note: V5__cte.sql line 2", "\"Archive\" has no rows");
    }

    @Test
    void aTypeChangeWhoseUsingDoesNotReadTheColumnStopsTheRun() throws Exception {
        String url = live();
        stops(url, "V5__retype.sql", "ALTER TABLE \"Member\" ALTER COLUMN \"name\" TYPE VARCHAR(100) USING NULL;\n",
                "data loss: V5__retype.sql line 1: ALTER TABLE \"Member\" ALTER COLUMN \"name\" TYPE VARCHAR(100) USING NULL changes a column's type with a USING expression that does not read the column");
        // converting the column's own values keeps them: only the rewrite's warning
        applies(url, "V5__retype.sql", "ALTER TABLE \"Member\" ALTER COLUMN \"name\" TYPE VARCHAR(100) USING left(\"name\", 100);\n",
                "warning: V5__retype.sql line 1: ALTER TABLE \"Member\" ALTER COLUMN \"name\" TYPE VARCHAR(100)", "rewrites the table under an exclusive lock");
        assertEquals("M", TestSupport.one(url, "select \"name\" from \"Member\""));
    }

    @Test
    void aTruncateWithCascadeStopsTheRunEvenOnAnEmptyTableThatATableWithRowsReferences() throws Exception {
        String url = live();
        TestSupport.exec(url, "create table parent (id int primary key); create table child (id int, parent_id int references parent (id));"
                + " insert into child values (1, null); create table lonely (id int)");
        stops(url, "V5__truncate.sql", "TRUNCATE parent CASCADE;\n",
                "data loss: V5__truncate.sql line 1: TRUNCATE parent CASCADE deletes every row of the table and, through CASCADE, of every table that references it");
        assertEquals("1", TestSupport.one(url, "select count(*) from child"));
        applies(url, "V5__truncate.sql", "TRUNCATE lonely;\n", "note: V5__truncate.sql line 1: TRUNCATE lonely deletes every row of the table, but \"lonely\" has no rows");
    }

    @Test
    void aDropOfADatabaseOrOfARolesObjectsStopsTheRunADropOfWhatHoldsNoRowsDoesNot() throws Exception {
        String url = live();
        String role = "rc_lint_owner_" + Long.toHexString(System.nanoTime());
        TestSupport.exec(url, "create role " + role + "; create table owned_rows (id int); insert into owned_rows values (1); alter table owned_rows owner to " + role);
        stops(url, "V5__owned.sql", "DROP OWNED BY " + role + ";\n", "data loss: V5__owned.sql line 1: DROP OWNED BY " + role + " drops every object the role owns");
        stops(url, "V5__database.sql", "DROP DATABASE IF EXISTS rc_lint_elsewhere;\n", "data loss: V5__database.sql line 1: DROP DATABASE IF EXISTS rc_lint_elsewhere drops a database");
        applies(url, "V5__views.sql", "CREATE VIEW flags AS SELECT \"key\" FROM \"FeatureFlag\";\nDROP VIEW flags CASCADE;\nDROP SEQUENCE IF EXISTS no_such_sequence CASCADE;\n");
        TestSupport.exec(url, "drop table owned_rows; drop role " + role);
    }
}
