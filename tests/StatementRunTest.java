import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The rehearsal's second copy, statement by statement: what each statement locks, over how many of
 * the copy's rows and for how long, which tables' rows it reads or writes (PostgreSQL's own
 * counters), and what it destroys (the drop trigger's report, counted before the statement).
 */
class StatementRunTest {

    /** A database standing for the copy, with the schema and rows given; its sessions are superuser's, as the rehearsal's are. */
    private static String copy(String setup) {
        return RehearseTest.target(setup);
    }

    private static Connection connect(String url) throws SQLException {
        return RehearseTest.connect(url);
    }

    /** A copy holding table t (id, a) with n rows, all copied. */
    private static String withT(int n) {
        return copy("create table t (id int primary key, a int); insert into t select g, g from generate_series(1, " + n + ") g");
    }

    /** The oid of a table in the copy. */
    private static long oid(String url, String table) {
        return Long.parseLong(TestSupport.one(url, "select '" + table + "'::regclass::oid"));
    }

    /** The tables given as copied, with their rows now. */
    private static Map<Long, Long> copied(String url, String... tables) {
        Map<Long, Long> rows = new HashMap<>();
        for (String t : tables) rows.put(oid(url, t), Long.parseLong(TestSupport.one(url, "select count(*) from " + t)));
        return rows;
    }

    private static List<StatementRun.Measured> run(String url, Map<Long, Long> copied, boolean inTransaction, String... statements) throws Exception {
        List<LockReport.Step> steps = new ArrayList<>();
        for (int i = 0; i < statements.length; i++) steps.add(new LockReport.Step(i + 1, statements[i]));
        try (Connection c = connect(url)) {
            return new StatementRun(c, copied, "public", true).migration("V9__x.sql", steps, inTransaction);
        }
    }

    private static LockReport.Lock lockOn(StatementRun.Measured m, String relation) {
        return m.locks().stream().filter(l -> l.relation().equals(relation)).findFirst().orElseThrow(() -> new AssertionError(m.toString()));
    }

    @Test
    void aRewriteHoldsAccessExclusiveOverTheCopysRowsUntilTheMigrationCommits() throws Exception {
        String url = withT(5000);
        List<StatementRun.Measured> r = run(url, copied(url, "t"), true,
                "ALTER TABLE t ADD COLUMN c int DEFAULT random()::int",
                "ALTER TABLE t ADD COLUMN d int DEFAULT 0",
                "create index t_a on t (a)");
        LockReport.Lock rewrite = lockOn(r.get(0), "\"public\".\"t\"");
        assertEquals("AccessExclusiveLock", rewrite.mode());
        assertEquals(5000L, rewrite.rows());
        assertTrue(rewrite.onCopy() && rewrite.rewritten(), rewrite.toString());
        // held from line 1 to the commit: every statement's time after it
        assertEquals(r.get(0).ms() + r.get(1).ms() + r.get(2).ms(), rewrite.heldMs());
        assertTrue(rewrite.sentence().matches("holds AccessExclusiveLock on table \"public\"\\.\"t\" for [0-9.]+ m?s over 5,000 rows on the copy, rewritten: "
                + "blocks every read and write until the migration commits"), rewrite.sentence());
        assertEquals(Set.of(oid(url, "t")), r.get(0).reads(), "a rewrite reads every row");
        // the same lock again is held already, and a constant default neither rewrites nor reads a row
        assertTrue(r.get(1).locks().stream().noneMatch(l -> l.relation().equals("\"public\".\"t\"")), r.get(1).toString());
        assertEquals(Set.of(), r.get(1).reads());
        LockReport.Lock index = lockOn(r.get(2), "\"public\".\"t_a\"");
        assertNull(index.rows());
        assertEquals("AccessExclusiveLock on index \"public\".\"t_a\" (new in this run): nothing uses it yet", index.sentence());
        assertEquals("1", TestSupport.one(url, "select count(*) from pg_attribute where attrelid = 't'::regclass and attname = 'd'"), "the copy keeps the migration");
    }

    @Test
    void eachStatementOnItsOwnHoldsItsLockForItsOwnTime() throws Exception {
        String url = withT(300);
        // a migration that runs outside a transaction: each statement commits on its own
        String[] migration = SqlScript.split("""
                create index t_a on t (a);
                CREATE INDEX CONCURRENTLY t_a2 ON t (a);
                alter table t add constraint t_a_positive check (a > 0) not valid;
                alter table t validate constraint t_a_positive""").stream().map(SqlScript.Statement::sql).toArray(String[]::new);
        List<StatementRun.Measured> r = run(url, copied(url, "t"), false, migration);
        assertEquals(List.of("AccessExclusiveLock null", "ShareLock 300"), r.get(0).locks().stream().map(l -> l.mode() + " " + l.rows()).toList());
        assertEquals(r.get(0).ms(), r.get(0).locks().get(1).heldMs());
        assertTrue(r.get(1).notMeasured().contains("ShareUpdateExclusiveLock"), r.get(1).toString());
        assertEquals("AccessExclusiveLock", r.get(2).locks().get(0).mode());
        assertEquals(Set.of(), r.get(2).reads(), "NOT VALID reads no row");
        assertEquals("ShareUpdateExclusiveLock", r.get(3).locks().get(0).mode());
        assertEquals(Set.of(oid(url, "t")), r.get(3).reads(), "VALIDATE reads every row");
        assertEquals("true", TestSupport.one(url, "select indisvalid from pg_index where indexrelid = 't_a2'::regclass"));
        // in one transaction, a weaker lock on a table the migration holds already says since when
        String again = withT(300);
        List<StatementRun.Measured> q = run(again, copied(again, "t"), true, "alter table t add column d int default 0", "create index t_a on t (a)");
        assertEquals("ShareLock on table \"public\".\"t\" (300 rows on the copy): held already: AccessExclusiveLock since line 1", lockOn(q.get(1), "\"public\".\"t\"").sentence());
    }

    @Test
    void theTablesAStatementReadsAreThoseWhoseRowsDecideIt() throws Exception {
        String url = copy("""
                create table parent (id int primary key); create table child (id int primary key, p int references parent on delete cascade, n text);
                create table other (id int); insert into parent values (1), (2); insert into child values (1, 1, 'a'), (2, 2, null), (3, 2, null)""");
        long parent = oid(url, "parent"), child = oid(url, "child");
        List<StatementRun.Measured> r = run(url, copied(url, "parent", "child", "other"), true,
                "alter table child add column m text",
                "alter table child alter column n set default 'x'",
                "delete from parent where id = 2",
                "alter table child alter column n set not null",
                "alter table child add constraint child_p2 foreign key (p) references parent (id)");
        assertEquals(Set.of(), r.get(0).reads());
        assertEquals(Set.of(), r.get(1).reads());
        assertEquals(Set.of(parent, child), r.get(2).reads(), "the cascade deletes from child");
        assertEquals("deletes 1 row of \"parent\"; deletes 2 rows of \"child\"", r.get(2).destroys());
        assertEquals(Set.of(child), r.get(3).reads());
        assertEquals(Set.of(parent, child), r.get(4).reads());
    }

    @Test
    void whatEachStatementDestroysIsCountedAsItWasBefore() throws Exception {
        String url = copy("""
                create type "AdminRole" as enum ('ADMIN', 'SUPER'); create table "Admin" (id int primary key, role "AdminRole");
                create table "FeatureFlag" (id int primary key, description text); create table "Log" (id int); create table "Old" (id int);
                create view "OldView" as select * from "Old";
                insert into "Admin" values (1, 'ADMIN'), (2, null); insert into "FeatureFlag" select g, case when g % 2 = 0 then 'd' end from generate_series(1, 16) g;
                insert into "Log" select generate_series(1, 1200); insert into "Old" values (1), (2), (3)""");
        List<StatementRun.Measured> r = run(url, copied(url, "\"Admin\"", "\"FeatureFlag\"", "\"Log\"", "\"Old\""), true,
                "ALTER TABLE \"FeatureFlag\" DROP COLUMN \"description\"",
                "DROP TYPE \"AdminRole\" CASCADE",
                "DROP TABLE \"Old\" CASCADE",
                "TRUNCATE \"Log\"",
                "UPDATE \"FeatureFlag\" SET id = id + 100 WHERE id < 4",
                "CREATE TABLE \"New\" (id int)",
                "DROP TABLE \"New\"");
        assertEquals("drops column \"FeatureFlag\".\"description\" (8 non-null values)", r.get(0).destroys());
        assertEquals("drops type \"AdminRole\" with column \"Admin\".\"role\" (1 non-null value)", r.get(1).destroys());
        assertEquals("drops table \"Old\" (3 rows) with view \"OldView\"", r.get(2).destroys());
        assertEquals("empties \"Log\" (1,200 rows)", r.get(3).destroys());
        assertEquals("updates 3 rows of \"FeatureFlag\"", r.get(4).destroys());
        assertEquals("drops table \"New\" (0 rows)", r.get(6).destroys());
        assertEquals("0|0", TestSupport.one(url, "select (select count(*) from pg_class where relname in ('Old', 'New')), (select count(*) from \"Log\")"), "each statement ran once, to its end");
        // a table whose rows were not copied: its counts on the copy are not the target's
        String bare = copy("create table \"Big\" (id int, note text); insert into \"Big\" values (1, 'x')");
        List<StatementRun.Measured> q = run(bare, Map.of(), true, "ALTER TABLE \"Big\" DROP COLUMN note", "DELETE FROM \"Big\" WHERE id > 0");
        assertEquals("drops column \"Big\".\"note\" (its rows were not copied)", q.get(0).destroys());
        assertEquals("deletes rows of \"Big\" (its rows were not copied)", q.get(1).destroys());
    }

    @Test
    void aStatementThatFailsLeavesTheCopyAsItWasAndSaysWhatItRead() throws Exception {
        String url = copy("create table t (id int primary key, a int); insert into t values (1, null), (2, 2)");
        try (Connection c = connect(url)) {
            StatementRun run = new StatementRun(c, copied(url, "t"), "public", true);
            StatementRun.Failed f = assertThrows(StatementRun.Failed.class, () -> run.migration("V9__x.sql",
                    List.of(new LockReport.Step(1, "alter table t add column b int"), new LockReport.Step(3, "alter table t alter column a set not null")), true));
            assertEquals(3, f.line);
            assertEquals("23502", ((SQLException) f.getCause()).getSQLState());
            assertEquals(Set.of(oid(url, "t")), f.reads);
            assertEquals(1, f.before.size());
        }
        assertEquals("0", TestSupport.one(url, "select count(*) from pg_attribute where attrelid = 't'::regclass and attname = 'b'"));
    }

    @Test
    void theTargetsEstimateStandsForTheRowsOfATableNotCopied() throws SQLException {
        String target = copy("create table t (id int); insert into t select generate_series(1, 250); analyze t");
        String before = TestSupport.fingerprint(target);
        try (Connection c = connect(target)) {
            assertEquals(Map.of("\"public\".\"t\"", 250L), LockReport.targetRows(c, java.time.Duration.ofSeconds(5), List.of("\"public\".\"t\"", "\"public\".\"nope\"")));
        }
        assertEquals(before, TestSupport.fingerprint(target));
        LockReport.Lock l = new LockReport.Lock("\"public\".\"t\"", "table", "AccessExclusiveLock", "\"public\".\"t\"", 250L, false, true, null, 3);
        assertEquals("holds AccessExclusiveLock on table \"public\".\"t\" (about 250 rows on the target, not copied, so not timed), rewritten: blocks every read and write until the migration commits", l.sentence());
    }
}
