//SOURCES Durations.java KitException.java SessionLimits.java
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Waiting for an advisory lock another session holds, as seed and migrate do: say at once that
 * the run waits, for whom (as far as pg_stat_activity tells this role), and for how long; then wait
 * at most that long, under a lock_timeout of its own, whatever the session's lock_timeout is.
 */
final class AdvisoryLocks {

    /**
     * Takes the lock `key` (for the transaction when `xact`, else for the session). When it is held
     * elsewhere: `say` is told "another session holds LOCK (holder); waiting up to D ..." and, when the
     * wait runs out, a KitException (exit 4) with "... still held LOCK after waiting D; " + `gaveUpTail`.
     */
    static void take(Connection c, long key, boolean xact, String lockName, Duration wait, Consumer<String> say, String gaveUpTail) throws SQLException {
        String fn = xact ? "pg_advisory_xact_lock" : "pg_advisory_lock";
        try (PreparedStatement ps = c.prepareStatement("select pg_try_" + fn.substring(3) + "(?)")) {
            ps.setLong(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getBoolean(1)) return;
            }
        }
        String holder = holder(c, key);
        say.accept(waiting(lockName, holder, wait));
        String gaveUp = gaveUp(lockName, holder, wait) + gaveUpTail;
        if (wait.isZero()) throw KitException.failed(gaveUp, null);
        // set_config is local to the transaction for a transaction's lock, else for the session until restored
        try (PreparedStatement set = c.prepareStatement("select current_setting('lock_timeout'), set_config('lock_timeout', ?, " + xact + ")");
             PreparedStatement lock = c.prepareStatement("select " + fn + "(?)")) {
            set.setString(1, Math.max(1, wait.toMillis()) + "ms");
            String before;
            try (ResultSet rs = set.executeQuery()) {
                rs.next();
                before = rs.getString(1);
            }
            lock.setLong(1, key);
            try {
                lock.execute();
            } finally {
                set.setString(1, before);
                try {
                    set.executeQuery().close();
                } catch (SQLException ignored) {
                    // an aborted transaction: its rollback restores the setting
                }
            }
        } catch (SQLException e) {
            if ("55P03".equals(e.getSQLState())) throw KitException.failed(gaveUp, e);
            throw e;
        }
    }

    static String waiting(String lockName, String holder, Duration wait) {
        return "another session holds " + lockName + (holder == null ? "" : " (" + holder + ")")
                + (wait.isZero() ? "; --lock-wait is 0s, so not waiting for it." : "; waiting up to " + Durations.format(wait) + " for it to finish (--lock-wait).");
    }

    static String gaveUp(String lockName, String holder, Duration wait) {
        return "another session" + (holder == null ? "" : " (" + holder + ")") + " still held " + lockName + " after waiting " + Durations.format(wait) + "; ";
    }

    private static final String WHO = """
            select a.pid, nullif(a.application_name, ''), host(a.client_addr), to_char(a.backend_start at time zone 'UTC', 'HH24:MI:SS'),
                   to_char(coalesce(a.xact_start, a.query_start) at time zone 'UTC', 'HH24:MI:SS'), a.usename,
                   a.usename is distinct from current_user and a.backend_start is null,
                   a.state, extract(epoch from clock_timestamp() - a.state_change)
            from pg_locks l join pg_stat_activity a on a.pid = l.pid
            where l.locktype = 'advisory' and l.granted and l.pid <> pg_backend_pid()
              and l.database = (select oid from pg_database where datname = current_database()) and """;

    /** Who holds the advisory lock `key`: application, client address, process, role and since when; null when nobody can be seen. */
    static String holder(Connection c, long key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(WHO + " l.classid::bigint = ? and l.objid::bigint = ? and l.objsubid = 1 limit 1")) {
            ps.setLong(1, key >>> 32);
            ps.setLong(2, key & 0xffff_ffffL);
            return describe(ps);
        }
    }

    /**
     * Who holds an advisory lock while running the given application (Flyway's key is internal to
     * Flyway, so a migrate holding any advisory lock is taken for one holding Flyway's).
     */
    static String holderByApplication(Connection c, String applicationName) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(WHO + " a.application_name = ? limit 1")) {
            ps.setString(1, applicationName);
            return describe(ps);
        }
    }

    private static String describe(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) return null;
            List<String> parts = new ArrayList<>();
            if (rs.getString(2) != null) parts.add("application \"" + rs.getString(2) + "\"");
            if (rs.getString(3) != null) parts.add("client " + rs.getString(3));
            parts.add("process " + rs.getInt(1));
            if (rs.getString(6) != null) parts.add("role " + rs.getString(6));
            if (rs.getString(5) != null) parts.add("since " + rs.getString(5) + " UTC");
            else if (rs.getString(4) != null) parts.add("connected since " + rs.getString(4) + " UTC");
            if (rs.getBoolean(7)) parts.add("its client address and start time are hidden from this role (pg_read_all_stats shows them)");
            return String.join(", ", parts) + orphan(rs.getInt(1), rs.getString(2), rs.getString(8), rs.getDouble(9));
        }
    }

    /**
     * A session of the kit's own that holds the lock while idle has lost its client (a half-open link):
     * said as such, with how long until the server ends it, and how to end it now. Inside a transaction
     * the kit's sessions are idle only between statements; outside one, only a Prisma migrate waiting
     * at its confirmation question holds a lock while idle.
     */
    static String orphan(int pid, String application, String state, double idleSeconds) {
        if (application == null || !application.startsWith("rc-dbkit") || state == null || !state.startsWith("idle") || idleSeconds < 5) return "";
        String end = ", or end it now with select pg_terminate_backend(" + pid + ")";
        String idle = Durations.format(java.time.Duration.ofMillis(Math.round(idleSeconds * 1000)));
        if (state.startsWith("idle in transaction")) {
            return "; an orphan of the kit's own, idle in a transaction for " + idle + ", whose client is gone: "
                    + SessionLimits.endsWithin(idleSeconds, !application.equals("rc-dbkit status")) + end;
        }
        return "; idle for " + idle + ": unless a migrate is waiting at its confirmation question there, its client is gone, and the server ends it once its TCP keepalives go unanswered (within "
                + Durations.format(SessionLimits.DEAD_PEER) + " of the link dying)" + end;
    }

    private AdvisoryLocks() {}
}
