import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * TestSupport.fingerprint is the suite's "nothing changed" (a refused migrate, a rehearsal, a
 * read-only status): it must come out different for every kind of change a script could make,
 * and the same when nothing was written.
 */
class FingerprintTest {

    @Test
    void everyKindOfChangeShowsAndReadingChangesNothing() {
        String url = TestSupport.freshDatabase();
        TestSupport.exec(url, """
                create type mood as enum ('ok');
                create table t (id int primary key, v text, n int);
                insert into t values (1, 'a', 1), (2, null, 2);
                create function f() returns int language sql as 'select 1';
                create role fingerprint_reader nologin;
                """);
        String before = TestSupport.fingerprint(url);
        TestSupport.exec(url, "select count(*) from t; analyze t");
        assertEquals(before, TestSupport.fingerprint(url), "reading (and statistics) is no change");

        List<String[]> changes = List.of(
                new String[] {"a row's value", "update t set v = 'b' where id = 1"},
                new String[] {"a row added", "insert into t values (3, 'c', 3)"},
                new String[] {"a table in another schema", "create schema other; create table other.o (x int)"},
                new String[] {"a row in that schema", "insert into other.o values (1)"},
                new String[] {"a column added", "alter table t add column w int"},
                new String[] {"a column's default", "alter table t alter column w set default 7"},
                new String[] {"not null", "alter table t alter column n set not null"},
                new String[] {"a column's type", "alter table t alter column n type bigint"},
                new String[] {"an index", "create index t_v on t (v)"},
                new String[] {"a constraint not valid", "alter table t add constraint t_n check (n > 0) not valid"},
                new String[] {"the constraint validated", "alter table t validate constraint t_n"},
                new String[] {"the table rewritten, its rows the same", "vacuum full t"},
                new String[] {"row-level security", "alter table t enable row level security"},
                new String[] {"a policy", "create policy p on t for select using (true)"},
                new String[] {"a grant", "grant select on t to fingerprint_reader"},
                new String[] {"a trigger", "create function g() returns trigger language plpgsql as 'begin return new; end'; create trigger tg before insert on t for each row execute function g()"},
                new String[] {"a trigger's state", "alter table t disable trigger tg"},
                new String[] {"a function's body", "create or replace function f() returns int language sql as 'select 2'"},
                new String[] {"an enum label", "alter type mood add value 'good'"},
                new String[] {"an extension", "create extension pg_trgm"});
        for (String[] change : changes) {
            TestSupport.exec(url, change[1]);
            String after = TestSupport.fingerprint(url);
            assertNotEquals(before, after, change[0] + " did not change the fingerprint");
            before = after;
        }
    }
}
