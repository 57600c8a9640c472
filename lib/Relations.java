//SOURCES SqlScript.java
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The kit's one question to the catalog about relations: which of these names exist in the current
 * schema, with their columns, and which of them hold rows (and which of some columns hold a value).
 * Each answer also says which server process gave it (migrate's pooler invariant).
 */
final class Relations {

    /**
     * The SQL for "the relation of this name in the current schema, or null": {@code nameSql} is an
     * expression giving the bare name (a column, a parameter, a literal such as
     * {@code '_prisma_migrations'}). Every query of the kit that looks a relation up by name uses it.
     */
    static String inCurrentSchema(String nameSql) {
        return "to_regclass(quote_ident(current_schema()) || '.' || quote_ident(" + nameSql + "))";
    }

    /** A column of a relation, by the names they have before the run. */
    record Column(String table, String column) {}

    /** Of the names asked: those that are relations of the current schema, with their relkind and columns; and the server process that answered. */
    record Found(Map<String, String> kinds, Map<String, Set<String>> columns, int serverProcess) {}

    /** The relations among `names` in the session's current schema, with their columns: one query for all. */
    static Found existing(Connection c, Collection<String> names) throws SQLException {
        Map<String, String> kinds = new HashMap<>();
        Map<String, Set<String>> columns = new HashMap<>();
        int pid = -1;
        try (var ps = c.prepareStatement("select n, (select relkind::text from pg_class where oid = r),"
                + " array(select attname::text from pg_attribute where attrelid = r and attnum > 0 and not attisdropped), pg_backend_pid()"
                + " from unnest(?::text[]) n, " + inCurrentSchema("n") + " r where r is not null"
                + " union all select null, null, null, pg_backend_pid()")) {
            ps.setArray(1, c.createArrayOf("text", names.toArray()));
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    pid = rs.getInt(4);
                    if (rs.getString(1) == null) continue;
                    kinds.put(rs.getString(1), rs.getString(2));
                    columns.put(rs.getString(1), Set.of((String[]) rs.getArray(3).getArray()));
                }
            }
        }
        return new Found(kinds, columns, pid);
    }

    /**
     * What the existing relations hold: the tables with at least one row, and of the columns asked,
     * those with a value that is not null in some row (or that are no column of the table before the
     * run); with the server process that answered. A
     * relation the kit cannot count cheaply or may not read counts as holding rows, and its columns
     * as holding values; so does everything when the query does not end within {@link #BOUND_MS}.
     */
    record Holding(Set<String> tables, Set<Column> columnsWithValues, int serverProcess, boolean bounded) {}

    /** How long the one query may read: proving a column null in every row reads every row. */
    static final int BOUND_MS = 5000;

    /** One query, read-only, in a transaction of its own with a statement timeout of {@link #BOUND_MS}. */
    static Holding holding(Connection c, Found found, Collection<Column> asked) throws SQLException {
        Set<String> tables = new HashSet<>();
        Set<Column> valued = new HashSet<>();
        StringBuilder sql = new StringBuilder("select null, null, pg_backend_pid()");
        for (Map.Entry<String, String> e : found.kinds().entrySet()) {
            String table = e.getKey();
            if (!List.of("r", "p", "m").contains(e.getValue())) {
                tables.add(table);
                for (Column col : asked) if (col.table().equals(table)) valued.add(col);
                continue;
            }
            String from = " from " + SqlScript.identifier(table);
            sql.append(" union all select ").append(SqlScript.literal(table)).append(", null, 0 where exists (select 1").append(from).append(")");
            for (Column col : asked) {
                if (!col.table().equals(table)) continue;
                if (!found.columns().getOrDefault(table, Set.of()).contains(col.column())) {
                    valued.add(col); // not a column before the run: nothing to prove it empty
                    continue;
                }
                sql.append(" union all select ").append(SqlScript.literal(table)).append(", ").append(SqlScript.literal(col.column()))
                        .append(", 0 where exists (select 1").append(from).append(" where ").append(SqlScript.identifier(col.column())).append(" is not null)");
            }
        }
        int pid = -1;
        // one round trip: the reads in a transaction of their own, under a statement timeout of their own
        try (var st = c.createStatement()) {
            boolean rows = st.execute("begin; set local statement_timeout = " + BOUND_MS + "; " + sql + "; commit");
            while (!rows && st.getUpdateCount() != -1) rows = st.getMoreResults();
            try (var rs = st.getResultSet()) {
                while (rs.next()) {
                    if (rs.getString(1) == null) pid = rs.getInt(3);
                    else if (rs.getString(2) == null) tables.add(rs.getString(1));
                    else valued.add(new Column(rs.getString(1), rs.getString(2)));
                }
            }
            while (st.getMoreResults() || st.getUpdateCount() != -1) {
                // the commit's answer
            }
            return new Holding(tables, valued, pid, false);
        } catch (SQLException unreadable) {
            try (var st = c.createStatement()) {
                st.execute("rollback");
            } catch (SQLException gone) {
                unreadable.addSuppressed(gone);
                throw unreadable;
            }
            String state = String.valueOf(unreadable.getSQLState());
            if (state.startsWith("08") || state.startsWith("57P")) throw unreadable;
            // cannot tell (too long to read, not readable): every one is treated as holding rows and values
            tables.addAll(found.kinds().keySet());
            valued.addAll(asked);
            return new Holding(tables, valued, pid, "57014".equals(unreadable.getSQLState()));
        }
    }

    private Relations() {}
}
