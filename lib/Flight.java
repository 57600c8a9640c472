import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Read-only queries sent to the server together: one round trip for all of them. They go as one
 * query string of several statements, which pgjdbc sends in one flight and answers with a result
 * for each (extended protocol: one Sync for all; simple protocol, as on the Prisma path: one Query
 * message each, written before any answer is read); each query's reader gets its own result, in
 * the order they were added. One failing query fails the flight.
 */
final class Flight {
    interface Reader {
        void read(ResultSet rs) throws SQLException;
    }

    /** Reads a query's result into a value. */
    interface Parser<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private record Query(String sql, List<Object> params, Reader reader) {}

    private final List<Query> queries = new ArrayList<>();

    /** A query (no semicolon of its own) with its parameters, bound by setObject: strings, numbers, java.sql.Array. */
    Flight add(String sql, Reader reader, Object... params) {
        queries.add(new Query(sql, List.of(params), reader));
        return this;
    }

    /** A query whose result is read into a value: the supplier gives it once the flight has been sent. */
    <T> Supplier<T> ask(String sql, Parser<T> parser, Object... params) {
        Answer<T> answer = new Answer<>();
        add(sql, rs -> answer.set(parser.read(rs)), params);
        return answer;
    }

    private static final class Answer<T> implements Supplier<T> {
        private T value;
        private boolean answered;

        void set(T value) {
            this.value = value;
            answered = true;
        }

        @Override
        public T get() {
            if (!answered) throw new IllegalStateException("a flight's answer was asked for before the flight was sent");
            return value;
        }
    }

    private long micros = -1;

    /** How long the last send waited for the server's answers (one round trip and the server's work), in microseconds; -1 before. */
    long micros() {
        return micros;
    }

    void send(Connection c) throws SQLException {
        if (queries.isEmpty()) return;
        // each query on lines of its own: a query that ends in a -- comment does not swallow the separator
        try (PreparedStatement ps = c.prepareStatement(String.join("\n;\n", queries.stream().map(Query::sql).toList()))) {
            int at = 1;
            for (Query q : queries) for (Object p : q.params()) ps.setObject(at++, p);
            long t = System.nanoTime();
            boolean isResult = ps.execute();
            micros = (System.nanoTime() - t) / 1000;
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
