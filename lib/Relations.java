//SOURCES SqlScript.java
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The kit's one question to the catalog about relations: which of these names exist in the current schema (and which hold rows). */
final class Relations {

    /**
     * The SQL for "the relation of this name in the current schema, or null": {@code nameSql} is an
     * expression giving the bare name (a column, a parameter, a literal such as
     * {@code '_prisma_migrations'}). Every query of the kit that looks a relation up by name uses it.
     */
    static String inCurrentSchema(String nameSql) {
        return "to_regclass(quote_ident(current_schema()) || '.' || quote_ident(" + nameSql + "))";
    }

    /** The names (as written in the catalog) that are relations in the session's current schema, with their relkind; one query for all. */
    static Map<String, String> existing(Connection c, Collection<String> names) throws SQLException {
        Map<String, String> found = new HashMap<>();
        if (names.isEmpty()) return found;
        try (var ps = c.prepareStatement("select n, (select relkind::text from pg_class where oid = r) from unnest(?::text[]) n,"
                + " " + inCurrentSchema("n") + " r where r is not null")) {
            ps.setArray(1, c.createArrayOf("text", names.toArray()));
            try (var rs = ps.executeQuery()) {
                while (rs.next()) found.put(rs.getString(1), rs.getString(2));
            }
        }
        return found;
    }

    static boolean exists(Connection c, String name) throws SQLException {
        return !existing(c, List.of(name)).isEmpty();
    }

    /**
     * Of these existing relations, those that may hold rows, read-only in one query: a table with
     * at least one row, and (to be safe) any relation the kit cannot count cheaply or may not read.
     */
    static Set<String> holdingRows(Connection c, Map<String, String> existing) {
        Set<String> rows = new HashSet<>();
        StringBuilder sql = new StringBuilder();
        for (Map.Entry<String, String> e : existing.entrySet()) {
            if (!List.of("r", "p", "m").contains(e.getValue())) {
                rows.add(e.getKey());
                continue;
            }
            if (sql.length() > 0) sql.append(" union all ");
            sql.append("select ").append(SqlScript.literal(e.getKey())).append(" where exists (select 1 from ")
                    .append(SqlScript.identifier(e.getKey())).append(")");
        }
        if (sql.length() == 0) return rows;
        try (var st = c.createStatement(); var rs = st.executeQuery(sql.toString())) {
            while (rs.next()) rows.add(rs.getString(1));
        } catch (SQLException unreadable) {
            rows.addAll(existing.keySet()); // cannot tell: treat every one as holding rows
        }
        return rows;
    }

    private Relations() {}
}
