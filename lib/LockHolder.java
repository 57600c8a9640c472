//SOURCES Durations.java
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Who holds the lock a read gave up on: after a lock timeout, the sessions that hold an
 * ACCESS EXCLUSIVE lock on a relation of this database (what a migration takes, and what blocks a
 * catalog read such as pg_get_expr), with their application, user, state and for how long.
 */
final class LockHolder {

    /** "process 4242 (application "rc-dbkit migrate", user kit, active for 12 s) holds AccessExclusiveLock on "Team"", or null. */
    static String describe(Connection c) {
        try {
            if (!c.getAutoCommit()) c.rollback(); // the timed-out read aborted the transaction
            try (var st = c.createStatement(); ResultSet rs = st.executeQuery("""
                    select a.pid, coalesce(nullif(a.application_name, ''), 'unnamed'), a.usename, a.state,
                           extract(epoch from clock_timestamp() - coalesce(a.state_change, a.xact_start))::bigint, l.relation::regclass::text, l.mode
                    from pg_locks l join pg_stat_activity a on a.pid = l.pid
                    where l.granted and l.locktype = 'relation' and l.mode = 'AccessExclusiveLock'
                      and l.database = (select oid from pg_database where datname = current_database()) and l.pid <> pg_backend_pid()
                    order by a.xact_start limit 1""")) {
                if (!rs.next()) return null;
                return "process " + rs.getInt(1) + " (application \"" + rs.getString(2) + "\", user " + rs.getString(3) + ", " + rs.getString(4) + " for "
                        + Durations.format(java.time.Duration.ofSeconds(rs.getLong(5))) + ") holds " + rs.getString(7) + " on " + rs.getString(6);
            }
        } catch (SQLException e) {
            return null;
        }
    }

    private LockHolder() {}
}
