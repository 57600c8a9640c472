//SOURCES Flight.java HistoryTable.java Relations.java
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Supabase's Data API exposure (its advisor's rls_disabled_in_public): a table or view in an
 * exposed schema, without row-level security, on which anon or authenticated holds a privilege,
 * is readable (and maybe writable) by anyone holding the public anon key.
 */
final class Exposure {
    static final List<String> API_ROLES = List.of("anon", "authenticated");
    private static final Pattern SENSITIVE = Pattern.compile("(?i).*(password|passwd|token|secret|api_?key|hash|e_?mail|salt|otp|credential).*");

    record Finding(String schema, String table, String kind, List<String> roles, List<String> privileges, List<String> sensitiveColumns) {
        String sentence() {
            return "\"" + schema + "\".\"" + table + "\" (" + kind + ") has no row-level security and " + String.join(" and ", roles)
                    + " may " + String.join(", ", privileges) + " it through Supabase's Data API"
                    + (sensitiveColumns.isEmpty() ? "" : "; it holds " + String.join(", ", sensitiveColumns))
                    + ": ALTER TABLE \"" + table + "\" ENABLE ROW LEVEL SECURITY (and add policies for what the API should see)";
        }
    }

    /** Which API roles exist, asked in a flight the caller sends; none means this is not a Supabase database. */
    static Supplier<List<String>> apiRoles(Flight flight) {
        return flight.ask("select rolname::text from pg_roles where rolname in ('anon', 'authenticated') order by 1", rs -> {
            List<String> roles = new ArrayList<>();
            while (rs.next()) roles.add(rs.getString(1));
            return roles;
        });
    }

    /**
     * One catalog query, added to a flight the caller sends: every relation without RLS in the
     * exposed schemas on which an API role that exists holds a privilege, with what each may do to it;
     * the list once the flight has been sent.
     */
    static Supplier<List<Finding>> add(Flight flight, Connection c, List<String> schemas) throws SQLException {
        String sql = """
                select n.nspname, c.relname, c.relkind::text,
                       array(select a.attname::text from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped order by a.attnum),
                       array(select r.rolname::text from pg_roles r where r.rolname = any(?) and has_schema_privilege(r.oid, n.oid, 'USAGE')
                               and exists (select 1 from unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE']) p where has_table_privilege(r.oid, c.oid, p))
                             order by 1),
                       array(select lower(p) from unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE']) with ordinality as u(p, o)
                             where exists (select 1 from pg_roles r where r.rolname = any(?) and has_schema_privilege(r.oid, n.oid, 'USAGE') and has_table_privilege(r.oid, c.oid, p))
                             order by o)
                from pg_class c join pg_namespace n on n.oid = c.relnamespace
                where n.nspname = any(?) and c.relkind in ('r', 'p', 'v', 'm', 'f')
                  and not c.relrowsecurity
                  and not (c.relkind = 'v' and coalesce(c.reloptions::text[] && array['security_invoker=true', 'security_invoker=on'], false))
                order by 1, 2""";
        var roleArray = c.createArrayOf("text", API_ROLES.toArray());
        return flight.ask(sql, rs -> {
            List<Finding> findings = new ArrayList<>();
            while (rs.next()) {
                List<String> holders = List.of((String[]) rs.getArray(5).getArray());
                if (holders.isEmpty()) continue;
                List<String> privileges = List.of((String[]) rs.getArray(6).getArray());
                List<String> sensitive = Arrays.stream((String[]) rs.getArray(4).getArray()).filter(col -> SENSITIVE.matcher(col).matches()).toList();
                String kind = switch (rs.getString(3)) {
                    case "v" -> "view";
                    case "m" -> "materialized view";
                    case "f" -> "foreign table";
                    default -> "table";
                };
                findings.add(new Finding(rs.getString(1), rs.getString(2), kind, holders, privileges, sensitive));
            }
            return findings;
        }, roleArray, roleArray, c.createArrayOf("text", schemas.toArray()));
    }

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
