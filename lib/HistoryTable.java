//SOURCES RowSecurity.java KitException.java Relations.java SqlScript.java
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The migration history tables the kit knows (Flyway's and Prisma's), and its one way of reading
 * one: in one query, without writing, whether a database has the table at all.
 */
final class HistoryTable {
    static final String FLYWAY = "flyway_schema_history";
    static final String PRISMA = "_prisma_migrations";
    /** Both names as an SQL array: every history table the kit keeps gets row-level security. */
    static final String BOTH = "array['" + FLYWAY + "', '" + PRISMA + "']";

    /** The first column of {@link #query} after the table's facts. */
    static final int FIRST = 7;

    /**
     * One query (one round trip) for `table` in the current schema. Columns: 1 whether the table
     * exists; 2 what row-level security lets this session see of its rows (see
     * RowSecurity.ROWS_FILTERED), 3 its owner and 4 this role (for {@link #exists}); 5 whether this
     * session may add to it (INSERT, all Flyway's migrate does to it; true when there is no table
     * yet); 6 the server process that answered (see {@link #serverProcess}); from {@link #FIRST} the `extra` columns, then
     * the table's `columns`, one result row per table row in `order`. The rows are read through
     * query_to_xml only when to_regclass found the table, so a database without one is no error: it
     * gives one result row whose table columns are null.
     *
     * @param columns the table's columns with their types, as xmltable takes them: "version text, checksum integer"
     */
    static String query(String table, String columns, String order, String extra) {
        String names = Arrays.stream(columns.split(",")).map(c -> c.strip().split(" ")[0]).collect(Collectors.joining(", "));
        String values = Arrays.stream(names.split(", ")).map(n -> "h." + n).collect(Collectors.joining(", "));
        return """
                select r.t is not null, %s,
                       quote_ident(pg_get_userbyid(k.relowner)), quote_ident(current_user), coalesce(has_table_privilege(k.oid, 'INSERT'), true),
                       pg_backend_pid(), %s%s
                from (select %s as t) r
                left join pg_class k on k.oid = r.t
                left join lateral xmltable('/table/row' passing query_to_xml('select %s from ' || r.t::text || ' order by %s', false, false, '')
                    columns n for ordinality, %s) h on r.t is not null
                order by h.n""".formatted(RowSecurity.rowsFiltered("k"), extra.isEmpty() ? "" : extra + ", ", values, Relations.inCurrentSchema(SqlScript.literal(table)), names, order, columns);
    }

    /**
     * Columns 1 to 4 of a row of {@link #query}: whether the table exists; one whose rows row-level
     * security hides, all or some, stops the run here: a history read in part is a wrong history.
     */
    static boolean exists(ResultSet rs, String table) throws SQLException {
        String filtered = rs.getString(2);
        if (filtered != null && filtered.isEmpty()) throw hiddenByRowSecurity(table, rs.getString(3), rs.getString(4));
        if (filtered != null) throw filteredByPolicy(table, filtered, rs.getString(3), rs.getString(4));
        return rs.getBoolean(1);
    }

    /** Column 6 of a row of {@link #query}: the server process that answered it (migrate's invariant, {@link TransactionPooler#same}). */
    static int serverProcess(ResultSet rs) throws SQLException {
        return rs.getInt(6);
    }

    /**
     * A history this session cannot read: every migration would look pending, and Flyway would run
     * the first one again. The way out is the owner's own login (a migration run as another role
     * would also leave its tables owned by that role, out of the app's reach).
     */
    private static KitException hiddenByRowSecurity(String table, String owner, String role) {
        return KitException.usage("table " + table + " has row-level security and belongs to role " + owner + ", so role " + role
                + " sees none of its rows and every migration would look pending: run the kit as " + owner
                + " (on Supabase, the postgres role), which also keeps the tables migrations create owned by " + owner + ".");
    }

    /**
     * A history some of whose rows a policy hides from this session: the rows it cannot see would
     * look pending, and migrate would apply them again. Named, with the way out.
     */
    private static KitException filteredByPolicy(String table, String policies, String owner, String role) {
        return KitException.usage("table " + table + " has row-level security and role " + role + " sees only the rows that "
                + (policies.contains("; ") ? "its policies let through: " : "its policy lets through: ") + SqlScript.shorten(policies)
                + "; a migration whose row it cannot see would look pending and be applied again, so nothing was done: run the kit as the table's owner, " + owner
                + " (on Supabase, the postgres role), or drop that policy.");
    }

    private HistoryTable() {}
}
