import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Read-only queries sent to the server together: one round trip for all of them. They go as one
 * query string of several statements, which pgjdbc sends in one flight (one Sync) and answers
 * with a result for each; each query's reader gets its own result, in the order they were added.
 * One failing query fails the flight, as it would fail the transaction it runs in.
 */
final class Flight {
    interface Reader {
        void read(ResultSet rs) throws SQLException;
    }

    private record Query(String sql, List<Object> params, Reader reader) {}

    private final List<Query> queries = new ArrayList<>();

    /** A query (no semicolon of its own) with its parameters, bound by setObject: strings, numbers, java.sql.Array. */
    Flight add(String sql, Reader reader, Object... params) {
        queries.add(new Query(sql, List.of(params), reader));
        return this;
    }

    boolean isEmpty() {
        return queries.isEmpty();
    }

    void send(Connection c) throws SQLException {
        if (queries.isEmpty()) return;
        try (PreparedStatement ps = c.prepareStatement(String.join(";\n", queries.stream().map(Query::sql).toList()))) {
            int at = 1;
            for (Query q : queries) for (Object p : q.params()) ps.setObject(at++, p);
            boolean isResult = ps.execute();
            for (Query q : queries) {
                while (!isResult) {
                    if (ps.getUpdateCount() == -1) throw new SQLException("the server returned fewer results than the flight sent queries");
                    isResult = ps.getMoreResults();
                }
                try (ResultSet rs = ps.getResultSet()) {
                    q.reader().read(rs);
                }
                isResult = ps.getMoreResults();
            }
        } finally {
            queries.clear();
        }
    }
}
