//SOURCES HistoryTable.java Relations.java
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The kit's own bookkeeping closed to Supabase's Data API: the migration history tables get
 * row-level security (with no policy, anon and authenticated read none of their rows). What the
 * Data API can reach of everything else is SecurityAdvisor's.
 */
final class Exposure {
    /**
     * The kit's own bookkeeping tables get row-level security too, every run: one statement (one
     * round trip) that alters a table only when it still lacks it, so a protected table takes no
     * lock; a table the role may not alter does not keep the other from being protected, and is
     * reported as an SQLException (42501) once both were tried. Returns the tables it altered.
     */
    static List<String> protectBookkeeping(Connection c) throws SQLException {
        try (var st = c.createStatement()) {
            st.execute(("""
                    do $rc_dbkit$
                    declare t text;
                    begin
                      perform set_config('client_min_messages', 'warning', true); -- what it did or was refused is said as a warning: let it through
                      for t in select k.relname from unnest(history_tables) with ordinality as n(name, o)
                               join pg_class k on k.oid = """ + Relations.inCurrentSchema("n.name") + """
                               where not k.relrowsecurity order by n.o loop
                        begin
                          execute format('alter table %I.%I enable row level security', current_schema(), t);
                          raise warning 'rc-dbkit enabled: %', t;
                        exception when insufficient_privilege then
                          raise warning 'rc-dbkit: %', sqlerrm;
                        end;
                      end loop;
                    end
                    $rc_dbkit$""").replace("history_tables", HistoryTable.BOTH));
            List<String> refused = new ArrayList<>(), enabled = new ArrayList<>();
            for (java.sql.SQLWarning w = st.getWarnings(); w != null; w = w.getNextWarning()) {
                String m = String.valueOf(w.getMessage());
                if (m.startsWith("rc-dbkit: ")) refused.add(m.substring("rc-dbkit: ".length()));
                else if (m.startsWith("rc-dbkit enabled: ")) enabled.add(m.substring("rc-dbkit enabled: ".length()));
            }
            if (!refused.isEmpty()) throw new SQLException(String.join("; ", refused), "42501");
            return enabled;
        }
    }
}
