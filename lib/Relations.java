import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The kit's one question to the catalog about relations: which of these names exist in the current schema. */
final class Relations {

    /** The names (unquoted, as written in the catalog) that are relations in the session's current schema; one query for all. */
    static Set<String> existing(Connection c, Collection<String> names) throws SQLException {
        Set<String> found = new HashSet<>();
        if (names.isEmpty()) return found;
        try (var ps = c.prepareStatement("select n from unnest(?::text[]) n where to_regclass(quote_ident(current_schema()) || '.' || quote_ident(n)) is not null")) {
            ps.setArray(1, c.createArrayOf("text", names.toArray()));
            try (var rs = ps.executeQuery()) {
                while (rs.next()) found.add(rs.getString(1));
            }
        }
        return found;
    }

    static boolean exists(Connection c, String name) throws SQLException {
        return !existing(c, List.of(name)).isEmpty();
    }

    private Relations() {}
}
