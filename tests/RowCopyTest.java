import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The rows of a target into a copy of its schema: every value as it is, from one read-only snapshot,
 * sequences at the target's values, the target unchanged; and what is left out, and why: the budget
 * (a table with rows only with the tables it references), --no-rows, row-level security or privileges
 * that hide rows from the role, a lock the live app holds, rows the copy refuses.
 */
class RowCopyTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private static final String SCHEMA = """
            create type mood as enum ('ok', 'sad');
            create table parent (id int generated always as identity primary key, name text not null, doubled int generated always as (id * 2) stored);
            create table child (id bigserial primary key, parent int references parent, doc jsonb, blob bytea, tags text[], m mood, at timestamptz, note text);
            create table lonely (id int)""";

    private static final String ROWS = """
            insert into parent (name) select 'p' || g from generate_series(1, 50) g;
            insert into child (parent, doc, blob, tags, m, at, note) select g % 50 + 1, jsonb_build_object('k', g, 'nested', jsonb_build_array(g, 'x')),
                decode(md5(g::text), 'hex'), array['a', 'b"c', null], case when g % 2 = 0 then 'ok'::mood end, '2026-01-01'::timestamptz + g * interval '1 s',
                case when g % 3 = 0 then E'tab\\there, quote '' and \\\\ back, ünïcødé' end from generate_series(1, 300) g""";

    /** A target with the schema and rows, and a copy of its schema without rows; returns their URLs. */
    private static String[] targetAndCopy(String extraSchema, String extraRows) {
        String target = TestSupport.freshDatabase();
        TestSupport.exec(target, SCHEMA + ";" + extraSchema);
        TestSupport.exec(target, ROWS + ";" + extraRows + "; analyze");
        String copy = TestSupport.freshDatabase();
        TestSupport.exec(copy, SCHEMA + ";" + extraSchema);
        return new String[] {target, copy};
    }

    private static Connection admin(String url) throws SQLException {
        return TestSupport.server().admin(TestSupport.databaseName(url));
    }

    private static RowCopy.Result copy(String[] dbs, Connection target, long budget, boolean noRows) throws SQLException {
        String before = TestSupport.fingerprint(dbs[0]);
        RowCopy.Result r;
        try (Connection copy = admin(dbs[1])) {
            r = RowCopy.copy(target, copy, Set.of("child"), budget, noRows ? "--no-rows" : null, TIMEOUT);
        }
        assertTrue(target.getAutoCommit(), "the target's session is left as it was");
        assertEquals(before, TestSupport.fingerprint(dbs[0]), "the copy changed the target");
        return r;
    }

    private static String checksum(String url, String table) {
        return TestSupport.one(url, "select count(*) || ' ' || md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from " + table + " t");
    }

    private static String reason(RowCopy.Result r, String table) {
        for (RowCopyPlan.Table t : r.plan().tables) if (t.name().equals(table)) return r.plan().notCopied.get(t.oid());
        throw new AssertionError("no table " + table);
    }

    @Test
    void everyValueComesAcrossAsItIsWithTheSequencesWhereTheTargetHasThem() throws Exception {
        String[] dbs = targetAndCopy("", "");
        RowCopy.Result r;
        try (Connection target = admin(dbs[0])) {
            r = copy(dbs, target, 200L << 20, false);
        }
        for (String table : List.of("parent", "child", "lonely")) assertEquals(checksum(dbs[0], table), checksum(dbs[1], table), table);
        assertEquals(350, r.totalRows());
        assertEquals(3, r.rows().size());
        assertTrue(r.bytes() > 10_000, "bytes streamed: " + r.bytes());
        assertTrue(r.lines().get(0).matches("copied 3 tables, 350 rows, [0-9.]+ kB from one snapshot of the target in [0-9.]+ m?s"), r.lines().toString());
        // the next id on the copy is the target's next, for identity and serial alike
        assertEquals(TestSupport.one(dbs[0], "select nextval(pg_get_serial_sequence('child', 'id'))"), TestSupport.one(dbs[1], "select nextval(pg_get_serial_sequence('child', 'id'))"));
        assertEquals("51", TestSupport.one(dbs[1], "insert into parent (name) values ('new') returning id"));
        assertEquals("102", TestSupport.one(dbs[1], "select doubled from parent where id = 51"), "a generated column is computed on the copy");
    }

    @Test
    void aTableWithRowsComesOnlyWithTheTablesItReferences() throws Exception {
        String[] dbs = targetAndCopy("create table orphan (id int references parent); create table empty_child (id int references parent)", "");
        long parentBytes = Long.parseLong(TestSupport.one(dbs[0], "select pg_relation_size('parent')"));
        RowCopy.Result r;
        try (Connection target = admin(dbs[0])) {
            // room for parent alone, not for child and parent together
            r = copy(dbs, target, parentBytes, false);
        }
        assertEquals("over the --copy-budget of " + Amounts.bytes(parentBytes) + " with the tables it references", reason(r, "child"));
        assertEquals(null, reason(r, "parent"));
        assertEquals(null, reason(r, "empty_child"), "a table with no row needs no parent");
        assertEquals("0", TestSupport.one(dbs[1], "select count(*) from child"));
        assertEquals("50", TestSupport.one(dbs[1], "select count(*) from parent"));
        assertTrue(r.lines().stream().anyMatch(l -> l.startsWith("not copied, over the --copy-budget of " + Amounts.bytes(parentBytes) + " with the tables it references: \"child\" (")), r.lines().toString());
        // nothing fits: nothing comes, and no child without its parent
        try (Connection target = admin(dbs[0])) {
            String bare = TestSupport.freshDatabase();
            TestSupport.exec(bare, SCHEMA + "; create table orphan (id int references parent); create table empty_child (id int references parent)");
            RowCopy.Result none = copy(new String[] {dbs[0], bare}, target, 0, true);
            assertEquals("--no-rows", reason(none, "parent"));
            assertEquals(null, reason(none, "lonely"), "an empty table holds no row to bring");
            assertEquals("no rows copied (--no-rows): 3 tables of the target hold none; the others are checked against the target, read-only", none.lines().get(0));
        }
    }

    @Test
    void rowsHiddenFromTheRoleAreNeverCopied() throws Exception {
        String[] dbs = targetAndCopy("create table secret (id int); create table filtered (id int, owner text)",
                "insert into secret values (1); insert into filtered values (1, 'rc_copy_reader'), (2, 'someone')");
        String url = TestSupport.asNewRole(dbs[0], "rc_copy_reader", "reader-pass-1");
        TestSupport.exec(dbs[0], "grant select on parent, child, lonely, filtered to rc_copy_reader; alter table filtered enable row level security;"
                + " create policy mine on filtered using (owner = current_user)");
        RowCopy.Result r;
        try (Connection target = DriverManager.getConnection(DatabaseTarget.parse(url, "test").jdbcUrl(), DatabaseTarget.parse(url, "test").driverProperties("test"))) {
            r = copy(dbs, target, 200L << 20, false);
        }
        assertEquals("rc_copy_reader may not read all its columns", reason(r, "secret"));
        assertEquals("row-level security filters its rows for rc_copy_reader", reason(r, "filtered"));
        assertEquals("0|0", TestSupport.one(dbs[1], "select (select count(*) from secret), (select count(*) from filtered)"));
        assertEquals(checksum(dbs[0], "child"), checksum(dbs[1], "child"));
    }

    @Test
    void aTableTheLiveAppLocksIsLeftOutAndSaid() throws Exception {
        String[] dbs = targetAndCopy("", "");
        try (Connection live = admin(dbs[0]); Connection target = admin(dbs[0]); Connection copy = admin(dbs[1])) {
            live.setAutoCommit(false);
            live.createStatement().execute("lock table child in access exclusive mode");
            long t = System.nanoTime();
            RowCopy.Result r = RowCopy.copy(target, copy, Set.of("child"), 200L << 20, null, TIMEOUT);
            assertTrue(System.nanoTime() - t < Duration.ofSeconds(15).toNanos(), "bounded by the lock timeout");
            assertEquals("another session holds an ACCESS EXCLUSIVE lock on it", reason(r, "child"));
            assertEquals(null, reason(r, "parent"));
            live.rollback();
        }
        assertEquals("0", TestSupport.one(dbs[1], "select count(*) from child"));
        assertEquals("50", TestSupport.one(dbs[1], "select count(*) from parent"));
    }

    @Test
    void rowsTheCopyRefusesLeaveTheirTableEmptyAndSayWhyWithoutAValue() throws Exception {
        String[] dbs = targetAndCopy("", "");
        // the target holds a row its NOT VALID check refuses; the copy was built with the check
        TestSupport.exec(dbs[0], "insert into lonely values (-7); alter table lonely add constraint lonely_positive check (id > 0) not valid");
        TestSupport.exec(dbs[1], "alter table lonely add constraint lonely_positive check (id > 0) not valid");
        RowCopy.Result r;
        try (Connection target = admin(dbs[0])) {
            r = copy(dbs, target, 200L << 20, false);
        }
        assertEquals("the copy refused its rows (SQLSTATE 23514)", reason(r, "lonely"));
        assertEquals("0", TestSupport.one(dbs[1], "select count(*) from lonely"));
        assertEquals(checksum(dbs[0], "child"), checksum(dbs[1], "child"), "the snapshot goes on after a refused table");
        assertFalse(String.join("\n", r.lines()).contains("-7"), r.lines().toString());
    }
}
