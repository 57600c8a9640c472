//SOURCES Database.java
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * The kit's one way to ask a target something without being able to change it or wait on it for
 * long: a read-only transaction with a local statement_timeout and lock_timeout, rolled back at
 * once. The settings and the query travel together (one round trip), then the rollback (another);
 * the connection's auto-commit is put back as it was.
 */
final class ReadOnlyTransaction {

    interface Answer<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /** Runs `query` (one statement, not inside a transaction of the caller's) and gives its result to `answer`. */
    static <T> T query(Connection c, Duration timeout, String query, Answer<T> answer) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            long ms = Math.max(1, timeout.toMillis());
            st.execute("set transaction read only; set local statement_timeout = " + ms + "; set local lock_timeout = " + ms + "; " + query);
            while (st.getResultSet() == null) {
                if (!st.getMoreResults() && st.getUpdateCount() == -1) throw new SQLException("the query returned no rows");
            }
            try (ResultSet rs = st.getResultSet()) {
                return answer.read(rs);
            }
        } finally {
            Database.rollbackQuietly(c);
            c.setAutoCommit(auto);
        }
    }

    private ReadOnlyTransaction() {}
}
