//SOURCES Database.java KitException.java Relations.java
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * What became of a transaction whose commit was sent when the link was lost: found out, not
 * guessed. A new session (one connection attempt, bounded as every connection is) first makes
 * sure the old session is over: if the server still keeps it inside that transaction (the
 * COMMIT never arrived, and the server has not noticed the client is gone), it is the kit's own
 * orphan and is ended, so that the answer cannot change afterwards. Then it asks: the status of
 * the transaction by its id (pg_xact_status), or a row that only the commit writes (a history row).
 */
final class CommitOutcome {
    enum Verdict { COMMITTED, ROLLED_BACK, UNKNOWN }

    /** How long the old session may take to end once told to (or, when it may not be ended, to leave its transaction). */
    static final long SETTLE_MS = 5000;

    /** Whether the error means the link to the server is gone (or the server ended the session), so that what was in flight has an unknown outcome. */
    static boolean lostLink(SQLException e) {
        String state = e == null || e.getSQLState() == null ? "" : e.getSQLState();
        return state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03");
    }

    /** The transaction `xid` (pg_current_xact_id() as text) that ran on server process `pid`: committed or rolled back. */
    static Verdict ofTransaction(Database database, int pid, String xid) {
        if (xid == null) return Verdict.UNKNOWN;
        return settle(database, pid, false, xid, "select pg_xact_status(cast(? as xid8))::text = 'committed', pg_xact_status(cast(? as xid8)) is null", xid, xid);
    }

    /**
     * Whether a row only the commit writes exists (Flyway's history row for a version): `sql` answers
     * one boolean; `table` is checked first, since a history table created in the lost transaction is not there.
     */
    static Verdict ofRow(Database database, Connection old, String table, String sql, Object... params) {
        Database.Session session;
        try {
            session = database.session(old);
        } catch (SQLException gone) {
            return Verdict.UNKNOWN;
        }
        return settle(database, session.pid(), session.own(), null, "select case when " + Relations.inCurrentSchema("'" + table + "'") + " is null then false else (" + sql + ") end, false", params);
    }

    private static Verdict settle(Database database, int pid, boolean own, String xid, String question, Object... params) {
        try (Connection c = database.open()) {
            if (!ended(c, pid, xid, own)) return Verdict.UNKNOWN;
            try (PreparedStatement ps = c.prepareStatement(question)) {
                for (int i = 0; i < params.length; i++) ps.setObject(i + 1, params[i]);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(2)) return Verdict.UNKNOWN; // too old for the server to say
                    return rs.getBoolean(1) ? Verdict.COMMITTED : Verdict.ROLLED_BACK;
                }
            }
        } catch (KitException | SQLException e) {
            return Verdict.UNKNOWN;
        }
    }

    /**
     * Whether the old session is out of its transaction: gone, or (when it is still in the very
     * transaction `xid`, or it was a session of PostgreSQL's own that a pooler cannot have handed on)
     * ended here, as the kit's own orphan. Waits at most {@link #SETTLE_MS}.
     */
    private static boolean ended(Connection c, int pid, String xid, boolean own) throws SQLException {
        String mine = xid != null ? "backend_xid::text = ?" : "state like 'idle in transaction%' or state = 'active'";
        if (xid != null || own) {
            try (PreparedStatement ps = c.prepareStatement("select pg_terminate_backend(pid) from pg_stat_activity where pid = ? and pid <> pg_backend_pid() and (" + mine + ")")) {
                ps.setInt(1, pid);
                if (xid != null) ps.setString(2, xid);
                ps.executeQuery().close();
            }
        }
        long until = System.nanoTime() + SETTLE_MS * 1_000_000;
        try (PreparedStatement ps = c.prepareStatement("select exists (select 1 from pg_stat_activity where pid = ? and (" + mine + "))")) {
            ps.setInt(1, pid);
            if (xid != null) ps.setString(2, xid);
            while (true) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) return true;
                }
                if (System.nanoTime() > until) return false;
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
    }

    private CommitOutcome() {}
}
