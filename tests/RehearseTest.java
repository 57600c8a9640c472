import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The rehearsal's checks of the target's rows: the data checks predict, read-only, whether a
 * statement fails on the target's rows, and the real statement on that target then does what was
 * predicted. (What a statement locks and destroys on the copy: StatementRunTest.)
 */
class RehearseTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    /** A target set up with the SQL given; the checks' connection is the login role's, like migrate's. */
    static String target(String setup) {
        String url = TestSupport.freshDatabase();
        TestSupport.exec(url, setup);
        return url;
    }

    static Connection connect(String url) throws SQLException {
        return TestSupport.server().admin(TestSupport.databaseName(url));
    }

    /** Predictions for a migration's statements, in order, each file line 1, 2, ...; the target must be unchanged after. */
    private static List<DataChecks.Prediction> predict(String url, String... statements) throws SQLException {
        String before = TestSupport.fingerprint(url);
        List<DataChecks.Prediction> all = new ArrayList<>();
        try (Connection c = connect(url)) {
            DataChecks checks = new DataChecks(c, TIMEOUT, Set.of());
            for (int i = 0; i < statements.length; i++) all.addAll(checks.check("V9__rehearse.sql", i + 1, statements[i]));
            assertTrue(c.getAutoCommit(), "the connection is left as it was");
        }
        assertEquals(before, TestSupport.fingerprint(url), "the checks changed the target");
        return all;
    }

    /**
     * Runs the statements on the target in one transaction, as a migration does (each on its own when
     * one cannot run in a transaction); returns the server's error as "SQLSTATE message", or null.
     */
    private static String apply(String url, String... statements) throws SQLException {
        try (Connection c = connect(url)) {
            c.setAutoCommit(SqlScript.split(String.join(";\n", statements)).stream().anyMatch(MigrationFile::needsNoTransaction));
            try (Statement st = c.createStatement()) {
                for (String s : statements) st.execute(s);
                if (!c.getAutoCommit()) c.commit();
                return null;
            } catch (SQLException e) {
                if (!c.getAutoCommit()) c.rollback();
                return e.getSQLState() + " " + e.getMessage();
            }
        }
    }

    /**
     * One data check, both ways: the violating target is predicted to fail, naming the statement,
     * file, line, table and count, and the real migration fails there; the clean one is predicted
     * to pass and the real migration succeeds.
     */
    private static void bothWays(String schema, String violating, String clean, long count, String table, String... migration) throws SQLException {
        String bad = target(schema + ";" + violating);
        List<DataChecks.Prediction> p = predict(bad, migration);
        List<DataChecks.Prediction> fails = p.stream().filter(DataChecks.Prediction::fails).toList();
        assertEquals(1, fails.size(), "one predicted failure: " + p);
        DataChecks.Prediction f = fails.get(0);
        assertEquals(count, f.count(), f.sentence());
        assertEquals(table, f.table(), f.sentence());
        String statement = SqlScript.shorten(migration[f.line() - 1].replaceAll("--[^\n]*\n", ""));
        assertTrue(f.sentence().startsWith("V9__rehearse.sql line " + f.line() + ": " + statement.substring(0, 30)), f.sentence());
        assertTrue(f.sentence().contains(" would fail: " + table + " has " + (count == 1 ? "" : count + " ")), f.sentence());
        String error = apply(bad, migration);
        assertTrue(error != null, "the real migration succeeded although a failure was predicted: " + f.sentence());
        assertTrue(error.startsWith("22") || error.startsWith("23"), "the real migration fails on the data: " + error);

        String good = target(schema + ";" + clean);
        List<DataChecks.Prediction> q = predict(good, migration);
        assertFalse(q.isEmpty(), "a check was made");
        assertTrue(q.stream().allMatch(x -> x.verdict() == DataChecks.Verdict.PASSES), "predicted to pass: " + q);
        assertNull(apply(good, migration), "the real migration fails although it was predicted to pass");
    }

    @Test
    void setNotNullOverNulls() throws SQLException {
        bothWays("create table \"User\" (id int primary key, email text)",
                "insert into \"User\" values (1, 'a'), (2, null), (3, null)",
                "insert into \"User\" values (1, 'a'), (2, 'b')",
                2, "\"public\".\"User\"", "ALTER TABLE \"public\".\"User\" ALTER COLUMN \"email\" SET NOT NULL");
    }

    @Test
    void uniqueIndexOverDuplicatesWhileNullsStayDistinct() throws SQLException {
        bothWays("create table \"User\" (id int primary key, email text)",
                "insert into \"User\" values (1, 'a'), (2, 'a'), (3, 'b'), (4, 'b'), (5, 'c'), (6, null), (7, null)",
                "insert into \"User\" values (1, 'a'), (2, 'b'), (3, null), (4, null)",
                2, "\"User\"", "-- CreateIndex\nCREATE UNIQUE INDEX \"User_email_key\" ON \"User\"(\"email\")");
    }

    @Test
    void uniqueNullsNotDistinct() throws SQLException {
        bothWays("create table members (id int primary key, team int, nick text)",
                "insert into members values (1, 1, null), (2, 1, null)",
                "insert into members values (1, 1, null), (2, 2, null), (3, 1, 'x')",
                1, "\"members\"", "alter table only members add constraint members_team_nick unique nulls not distinct (team, nick)");
    }

    @Test
    void partialExpressionUniqueIndexCountsOnlyItsRows() throws SQLException {
        bothWays("create table \"Account\" (id int primary key, email text, deleted_at timestamptz)",
                "insert into \"Account\" values (1, 'A@x', null), (2, 'a@x', null), (3, 'a@X', now())",
                "insert into \"Account\" values (1, 'A@x', now()), (2, 'a@x', null), (3, 'a@X', now())",
                1, "\"Account\"", "create unique index concurrently if not exists account_email on \"Account\" using btree (lower(email) text_pattern_ops desc) where deleted_at is null");
    }

    @Test
    void primaryKeyOverDuplicatesOrNulls() throws SQLException {
        bothWays("create table \"Tag\" (name text, kind text)",
                "insert into \"Tag\" values ('a', 'x'), ('a', 'x'), ('b', null)",
                "insert into \"Tag\" values ('a', 'x'), ('a', 'y')",
                1, "\"Tag\"", "ALTER TABLE \"Tag\" ADD CONSTRAINT \"Tag_pkey\" PRIMARY KEY (\"name\", \"kind\")");
    }

    @Test
    void foreignKeyOverOrphans() throws SQLException {
        bothWays("create table \"User\" (id int primary key); create table \"Post\" (id int primary key, \"authorId\" int)",
                "insert into \"User\" values (1); insert into \"Post\" values (1, 1), (2, 99), (3, null)",
                "insert into \"User\" values (1); insert into \"Post\" values (1, 1), (3, null)",
                1, "\"Post\"", "-- AddForeignKey\nALTER TABLE \"Post\" ADD CONSTRAINT \"Post_authorId_fkey\" FOREIGN KEY (\"authorId\") REFERENCES \"User\"(\"id\") ON DELETE RESTRICT ON UPDATE CASCADE");
    }

    @Test
    void foreignKeyMatchFullRefusesHalfNullKeys() throws SQLException {
        bothWays("create table parent (a int, b int, primary key (a, b)); create table child (a int, b int)",
                "insert into parent values (1, 1); insert into child values (1, 1), (1, null), (null, null)",
                "insert into parent values (1, 1); insert into child values (1, 1), (null, null)",
                1, "\"child\"", "alter table child add foreign key (a, b) references public.parent (a, b) match full");
    }

    @Test
    void checkConstraintWithNullsPassingAsPostgresDoes() throws SQLException {
        bothWays("create table \"Team\" (id int primary key, seats int)",
                "insert into \"Team\" values (1, 5), (2, 0), (3, null)",
                "insert into \"Team\" values (1, 5), (3, null)",
                1, "\"Team\"", "ALTER TABLE \"Team\" ADD CONSTRAINT \"Team_seats_check\" CHECK (\n  \"seats\" > 0 -- a team has seats\n)");
        bothWays("create table t (id int primary key, seats int)",
                "insert into t values (1, 500)", "insert into t values (1, 5)",
                1, "\"t\"", "alter table t add check (seats < 100)");
    }

    @Test
    void typeChangesThatSomeValueCannotTake() throws SQLException {
        bothWays("create table \"Item\" (id int primary key, qty text)",
                "insert into \"Item\" values (1, '1'), (2, 'two'), (3, null)",
                "insert into \"Item\" values (1, '1'), (2, ' 22 '), (3, null)",
                1, "\"Item\"", "ALTER TABLE \"Item\" ALTER COLUMN \"qty\" SET DATA TYPE INTEGER USING \"qty\"::integer");
        bothWays("create table \"Item\" (id int primary key, big bigint)",
                "insert into \"Item\" values (1, 1), (2, 3000000000)",
                "insert into \"Item\" values (1, 1), (2, 2000000000)",
                1, "\"Item\"", "alter table \"Item\" alter column big type int4");
        bothWays("create table \"Item\" (id int primary key, name text)",
                "insert into \"Item\" values (1, 'abc'), (2, 'abcd'), (3, 'abcde')",
                "insert into \"Item\" values (1, 'abc'), (2, null)",
                2, "\"Item\"", "ALTER TABLE \"Item\" ALTER COLUMN \"name\" SET DATA TYPE VARCHAR(3)");
    }

    @Test
    void prismaEnumChangeOverARemovedLabel() throws SQLException {
        bothWays("create type \"Role\" as enum ('USER', 'ADMIN', 'GUEST'); create table \"User\" (id int primary key, role \"Role\")",
                "insert into \"User\" values (1, 'USER'), (2, 'GUEST'), (3, null)",
                "insert into \"User\" values (1, 'USER'), (2, 'ADMIN'), (3, null)",
                1, "\"User\"",
                "CREATE TYPE \"Role_new\" AS ENUM ('USER', 'ADMIN')",
                "ALTER TABLE \"User\" ALTER COLUMN \"role\" TYPE \"Role_new\" USING (\"role\"::text::\"Role_new\")",
                "ALTER TYPE \"Role\" RENAME TO \"Role_old\"",
                "ALTER TYPE \"Role_new\" RENAME TO \"Role\"",
                "DROP TYPE \"Role_old\"");
    }

    @Test
    void requiredColumnWithoutDefaultOnATableWithRows() throws SQLException {
        bothWays("create table \"Folder\" (id int primary key)",
                "insert into \"Folder\" values (1)", "select 1",
                1, "\"Folder\"", "-- AlterTable\nALTER TABLE \"Folder\" ADD COLUMN     \"type\" TEXT NOT NULL,\nADD COLUMN \"note\" TEXT");
        String url = target("create table \"Folder\" (id int primary key); insert into \"Folder\" values (1)");
        assertEquals(List.of(), predict(url, "ALTER TABLE \"Folder\" ADD COLUMN \"type\" TEXT NOT NULL DEFAULT 'x'",
                "ALTER TABLE \"Folder\" ADD COLUMN \"n\" serial NOT NULL", "ALTER TABLE \"Folder\" ADD COLUMN \"m\" int"));
    }

    @Test
    void aColumnTheRunAddsWithoutADefaultIsNullInEveryRow() throws SQLException {
        String[] migration = {"ALTER TABLE \"T\" ADD COLUMN \"slug\" TEXT", "CREATE UNIQUE INDEX \"T_slug_key\" ON \"T\"(\"slug\")",
                "ALTER TABLE \"T\" ADD COLUMN \"pid\" INTEGER", "ALTER TABLE \"T\" ADD CONSTRAINT \"T_pid_fkey\" FOREIGN KEY (\"pid\") REFERENCES \"P\"(\"id\")",
                "ALTER TABLE \"T\" ALTER COLUMN \"slug\" SET NOT NULL"};
        bothWays("create table \"T\" (id int primary key); create table \"P\" (id int primary key)",
                "insert into \"T\" values (1), (2)", "select 1", 2, "\"T\"", migration);
        String url = target("create table \"T\" (id int primary key); create table \"P\" (id int primary key); insert into \"T\" values (1), (2)");
        String[] backfilled = {migration[0], "UPDATE \"T\" SET \"slug\" = 't' || \"id\"", migration[1], migration[4]};
        List<DataChecks.Prediction> p = predict(url, backfilled);
        assertEquals(List.of(DataChecks.Verdict.CANNOT_TELL, DataChecks.Verdict.CANNOT_TELL), p.stream().map(DataChecks.Prediction::verdict).toList(), p.toString());
        assertNull(apply(url, backfilled));
    }

    @Test
    void notValidConstraintsAndPlainStatementsNeedNoCheck() throws SQLException {
        String url = target("create table p (id int primary key); create table c (id int, p int, n int); insert into c values (1, 7, -1)");
        String[] migration = {"alter table c add constraint c_p foreign key (p) references p (id) not valid",
                "alter table c add constraint c_n check (n > 0) not valid", "create index c_id on c (id)", "create table d (x int)"};
        assertEquals(List.of(), predict(url, migration));
        assertNull(apply(url, migration));
    }

    @Test
    void aTableTheRunCreatesHoldsNoRowsAndAParentTheRunCreatesIsEmpty() throws SQLException {
        String url = target("create table post (id int primary key, author int); insert into post values (1, 5), (2, null)");
        String[] migration = {"create table \"Author\" (id int primary key, email text)",
                "create unique index author_email on \"Author\" (email)",
                "alter table \"Author\" alter column email set not null",
                "alter table post add constraint post_author foreign key (author) references \"Author\" (id)"};
        List<DataChecks.Prediction> p = predict(url, migration);
        assertEquals(3, p.size(), p.toString());
        assertEquals(DataChecks.Verdict.PASSES, p.get(0).verdict());
        assertEquals(DataChecks.Verdict.PASSES, p.get(1).verdict());
        assertEquals(DataChecks.Verdict.FAILS, p.get(2).verdict(), p.get(2).sentence());
        assertEquals(1, p.get(2).count());
        assertTrue(apply(url, migration) != null);
        // IF NOT EXISTS may keep a table that holds rows: its rows are asked
        String kept = target("create table post (id int primary key, author int); insert into post values (1, 5), (2, 5)");
        List<DataChecks.Prediction> q = predict(kept, "create table if not exists post (id int primary key, author int)", "create unique index post_author on post (author)");
        assertEquals(DataChecks.Verdict.FAILS, q.get(0).verdict(), q.toString());
    }

    @Test
    void rowsChangedByAnEarlierStatementCannotBeToldFromToday() throws SQLException {
        String url = target("create table \"User\" (id int primary key, email text); insert into \"User\" values (1, null)");
        String[] migration = {"UPDATE \"User\" SET \"email\" = 'u' || \"id\" WHERE \"email\" IS NULL",
                "ALTER TABLE \"User\" ALTER COLUMN \"email\" SET NOT NULL"};
        List<DataChecks.Prediction> p = predict(url, migration);
        assertEquals(1, p.size());
        assertEquals(DataChecks.Verdict.CANNOT_TELL, p.get(0).verdict());
        assertTrue(p.get(0).sentence().contains("the statement at V9__rehearse.sql line 1 changes its rows first"), p.get(0).sentence());
        assertNull(apply(url, migration), "the real run succeeds: a failure would have been a false alarm");
    }

    @Test
    void theChecksCannotWrite() throws SQLException {
        String url = target("""
                create table audit (x int);
                create table t (id int primary key, seats int); insert into t values (1, 5);
                create function logs(v int) returns boolean language plpgsql as $$ begin insert into audit values (v); return true; end $$""");
        List<DataChecks.Prediction> p = predict(url, "alter table t add constraint t_logged check (logs(seats))");
        assertEquals(DataChecks.Verdict.CANNOT_TELL, p.get(0).verdict());
        assertTrue(p.get(0).detail().contains("read-only transaction"), p.get(0).detail());
        assertEquals("0", TestSupport.one(url, "select count(*) from audit"));
        try (Connection c = connect(url)) {
            SQLException e = assertThrows(SQLException.class, () -> DataChecks.readOnly(c, TIMEOUT, "insert into audit values (1) returning 1"));
            assertEquals("25006", e.getSQLState(), e.getMessage());
            assertThrows(SQLException.class, () -> DataChecks.readOnly(c, TIMEOUT, "with w as (delete from t returning 1) select count(*) from w"));
        }
        assertEquals("0", TestSupport.one(url, "select count(*) from audit"));
        assertEquals("1", TestSupport.one(url, "select count(*) from t"));
    }

    @Test
    void aCheckWaitsNoLongerThanItsTimeout() throws Exception {
        String url = target("create table busy (id int primary key, v text); insert into busy values (1, null)");
        try (Connection holder = connect(url); Connection c = connect(url)) {
            holder.setAutoCommit(false);
            try (Statement st = holder.createStatement()) {
                st.execute("lock table busy in access exclusive mode");
            }
            // the lock is held until the end: without its own timeouts the check would wait for ever; with
            // them (300 ms) it is back well within 10 s on any machine, lock still held
            List<DataChecks.Prediction> p = assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> new DataChecks(c, Duration.ofMillis(300), Set.of()).check("V9__x.sql", 3, "alter table busy alter column v set not null"));
            assertEquals(DataChecks.Verdict.CANNOT_TELL, p.get(0).verdict());
            // the server ended it: its lock_timeout or its statement_timeout, whichever fired first
            assertTrue(p.get(0).detail().contains("longer than 300 ms"), p.get(0).detail());
            holder.rollback();
        }
    }

    @Test
    void identifiersAreQuotedWhateverTheyHold() throws SQLException {
        bothWays("create table \"we\"\"ird\" (\"Col; drop table x\" text, \"select\" int)",
                "insert into \"we\"\"ird\" values ('a', 1), (null, 2)", "insert into \"we\"\"ird\" values ('a', 1)",
                1, "\"we\"\"ird\"", "alter table \"we\"\"ird\" alter \"Col; drop table x\" set not null");
        assertEquals("\"a\"\"b\"", SqlScript.identifier("a\"b"));
    }
}
