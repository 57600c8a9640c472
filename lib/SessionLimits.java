//SOURCES Flight.java Durations.java
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * How the kit's server sessions end themselves when their client is gone, so that no lock outlives
 * its run by more than a stated bound: a session idle inside a transaction is ended by the server
 * (idle_in_transaction_session_timeout: the kit's sessions are idle in a transaction only between
 * statements, or, for status, while it builds its shadow copy), a peer that stops answering TCP
 * keepalives is dropped (tcp_keepalives_*), and a statement whose client hung up is stopped
 * (client_connection_check_interval, PostgreSQL 14+). No idle_session_timeout: migrate's own
 * session sits idle, lock-free, while Flyway migrates on a connection of its own.
 */
final class SessionLimits {
    /** migrate and seed: the longest a writer's transaction may sit idle between two statements. */
    static final Duration WRITER = Duration.ofMinutes(1);
    /** status: its read-only transaction stays open while `status --schema` builds its shadow copy. */
    static final Duration READER = Duration.ofMinutes(10);
    static final int KEEPALIVE_IDLE_S = 30, KEEPALIVE_INTERVAL_S = 10, KEEPALIVE_COUNT = 3;
    /** How long after its link dies a server notices a silent peer: keepalives unanswered. */
    static final Duration DEAD_PEER = Duration.ofSeconds(KEEPALIVE_IDLE_S + (long) KEEPALIVE_INTERVAL_S * KEEPALIVE_COUNT);
    static final Duration CLIENT_CHECK = Duration.ofSeconds(5);

    /** The settings, name then value (milliseconds and seconds as the server reads them); no idle limit when `idle` is null. */
    private static List<String[]> settings(Duration idle) {
        List<String[]> s = new ArrayList<>();
        if (idle != null) s.add(new String[] {"idle_in_transaction_session_timeout", String.valueOf(idle.toMillis())});
        s.add(new String[] {"tcp_keepalives_idle", String.valueOf(KEEPALIVE_IDLE_S)});
        s.add(new String[] {"tcp_keepalives_interval", String.valueOf(KEEPALIVE_INTERVAL_S)});
        s.add(new String[] {"tcp_keepalives_count", String.valueOf(KEEPALIVE_COUNT)});
        return s;
    }

    private static final String CHECK = "set_config('client_connection_check_interval', '" + CLIENT_CHECK.toMillis()
            + "', %s) from (select 1) x where current_setting('server_version_num')::int >= 140000";

    /**
     * For every session of `database`, in the round trip that already sets its timeouts: session
     * settings, for a script that refuses a transaction pooler (migrate), so they never reach a
     * server process another client shares.
     */
    static Database onEverySession(Database database, Duration idle) {
        for (String[] s : settings(idle)) database.withSetting(s[0], s[1]);
        return database.withStatement("do $rc_dbkit$ begin perform " + CHECK.formatted("false") + "; end $rc_dbkit$");
    }

    /**
     * The same settings local to the caller's transaction (status, seed: they may go through a
     * transaction pooler, where a session setting would stay behind on a server process other clients
     * share), in the caller's flight, which also learns the session's server process: inside a
     * transaction it is the one doing the work, pooler or not.
     */
    static void inTransaction(Flight flight, Duration idle, IntConsumer serverPid) {
        StringBuilder sql = new StringBuilder("select pg_backend_pid()");
        for (String[] s : settings(idle)) sql.append(", set_config('").append(s[0]).append("', '").append(s[1]).append("', true)");
        sql.append(", (select ").append(CHECK.formatted("true")).append(")");
        flight.add(sql.toString(), rs -> {
            if (rs.next()) serverPid.accept(rs.getInt(1));
        });
    }

    /** The bound said of an orphan that holds a lock while idle in a transaction: how long until the server ends it. */
    static String endsWithin(double idleSeconds, boolean writer) {
        Duration limit = writer ? WRITER : READER;
        long left = Math.max(0, limit.toMillis() - Math.round(idleSeconds * 1000));
        return "the server ends it within " + Durations.format(Duration.ofMillis(left));
    }

    private SessionLimits() {}
}
