//SOURCES WatchedConnection.java ServerActivity.java Database.java Console.java Durations.java KitException.java
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Long work in plain sight, and a silent link found: every blocking call of a run's sessions is
 * watched from the moment it starts; nothing happens until it has taken {@link #SHOW_AFTER}. Then a
 * second session (same URL, its own bounded connect) reads what the server says of the first, one
 * query a second ({@link ServerActivity}), for a live line on stderr, until the call ends, when it
 * closes. The second session also judges the link, on the server's word only: if the server says
 * the session has been idle through 10 s of the call's wait (the reply was lost, or the query never
 * came), or no longer has it, the link is dead: the session is ended on the server (its transaction
 * rolls back, its locks go), the call is cut off with one sentence
 * ({@link WatchedConnection.SilentLink}), and the run ends, exit 3. A server that cannot be asked
 * proves nothing (a pooler out of connections, say): a link that is dead for every connection is
 * ended by the sockets' keepalives ({@link KeepAliveSockets}).
 */
final class Watcher {
    /** When a call gets a live line. */
    static final Duration SHOW_AFTER = Duration.ofSeconds(2);
    /** How long the server may say the session is idle, while its call still waits, before the link counts as dead. */
    static final Duration SILENT = Duration.ofSeconds(10);
    static final Duration REFRESH = Duration.ofSeconds(1);
    /** A session's first query (its server process not known yet) that gets no reply this long: the link is dead. */
    static final Duration FIRST_QUERY = Duration.ofSeconds(60);
    /** How long after the server could not be asked the second session tries again. */
    static final Duration ASK_AGAIN = Duration.ofSeconds(10);

    private static final ScheduledThreadPoolExecutor CLOCK = new ScheduledThreadPoolExecutor(2, r -> {
        Thread t = new Thread(r, "rc-dbkit watch");
        t.setDaemon(true);
        return t;
    });

    static {
        CLOCK.setRemoveOnCancelPolicy(true);
    }

    /** What the current thread's next calls are about ("V6__index.sql line 3"), for the live line. */
    private static final ThreadLocal<String> DOING = new ThreadLocal<>();
    /** The last observation of a call on this thread that ended in a lock timeout (55P03): the lock and who held it. */
    private static final ThreadLocal<ServerActivity.Seen> LOCK_TIMED_OUT = new ThreadLocal<>();

    /** Says what the current thread's calls are doing from now on, for their live line. */
    static void doing(String what) {
        DOING.set(what);
    }

    /** What the watcher saw while this thread's last call waited, if that call ended in a lock timeout; else null. */
    static ServerActivity.Seen lockTimedOut() {
        return LOCK_TIMED_OUT.get();
    }

    private final Database database;
    private final String name;
    private volatile Duration observeAfter = SHOW_AFTER;

    Watcher(Database database) {
        this.database = database;
        String app = database.applicationName;
        this.name = app.startsWith("rc-dbkit ") ? app.substring(9) : app;
    }

    /**
     * Reads the server earlier than a live line is due, when a wait may end sooner (a lock_timeout
     * under 4 s): the holder of a lock must be read while the wait lasts, since it may be gone after.
     */
    void observeWithin(Duration lockTimeout) {
        if (!lockTimeout.isZero() && lockTimeout.compareTo(SHOW_AFTER.multipliedBy(2)) < 0) observeAfter = lockTimeout.dividedBy(2);
    }

    /** One blocking call: what it is about, since when, and what was seen of it. */
    final class Call {
        final WatchedConnection session;
        final String what;
        final long started = System.nanoTime();
        volatile boolean over;
        volatile ServerActivity.Seen seen;
        volatile String dead;
        volatile boolean deadInTransaction, shown, looked;
        volatile String unasked;
        long askAgainAt;
        ScheduledFuture<?> next;
        Connection second;
        int absent;

        Call(WatchedConnection session, String what) {
            this.session = session;
            this.what = what;
        }

        Duration elapsed() {
            return Duration.ofNanos(System.nanoTime() - started);
        }
    }

    Call begin(WatchedConnection session) {
        String what = DOING.get();
        Call call = new Call(session, what == null ? name : what);
        synchronized (call) {
            call.next = CLOCK.schedule(() -> look(call), observeAfter.toMillis(), TimeUnit.MILLISECONDS);
        }
        return call;
    }

    /** The call has returned (or failed): the live line goes, the second session closes. */
    void end(Call call, boolean succeeded) {
        call.over = true;
        synchronized (call) {
            call.next.cancel(false);
        }
        if (call.shown) database.console().endLive();
        if (call.looked) CLOCK.execute(() -> closeSecond(call));
    }

    /** What the call throws: the watcher's sentence when it cut the link; a lock timeout keeps what was seen of the wait. */
    Throwable failed(Call call, Throwable failure) {
        if (call.dead != null) return new WatchedConnection.SilentLink(call.dead, call.deadInTransaction, failure);
        if (failure instanceof SQLException e && "55P03".equals(e.getSQLState())) LOCK_TIMED_OUT.set(call.seen);
        return failure;
    }

    /** On the clock's thread: read the server once, show the line, judge the link, and look again in a second. */
    private void look(Call call) {
        if (call.over) return;
        call.looked = true;
        try {
            lookOnce(call);
        } finally {
            if (call.over) closeSecond(call);
        }
    }

    private void lookOnce(Call call) {
        if (System.nanoTime() >= call.askAgainAt) {
            try {
                if (call.second == null) call.second = secondSession();
                int pid = call.session.serverPid;
                if (pid != 0) {
                    call.seen = read(call.second, pid);
                    judge(call, call.seen);
                }
                call.unasked = null;
            } catch (SQLException | RuntimeException e) {
                if (call.over) return;
                // the server could not be asked (unreachable, refusing a session, too slow): that alone says nothing of the
                // first link, whose keepalives (KeepAliveSockets) end it if it is dead; asked again in a while
                call.unasked = Database.firstLine(e.getMessage());
                call.askAgainAt = System.nanoTime() + ASK_AGAIN.toNanos();
                closeSecond(call);
            }
        }
        if (call.dead == null && call.session.serverPid == 0 && call.elapsed().compareTo(FIRST_QUERY) > 0) {
            // its server process is not known yet: the session's first query, which the server answers at once
            dead(call, " to a query the server answers at once", true);
        }
        if (call.over) return;
        if (call.dead != null) {
            cutOff(call);
            return;
        }
        show(call);
        synchronized (call) {
            if (!call.over) call.next = CLOCK.schedule(() -> look(call), REFRESH.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void dead(Call call, String how, boolean inTransaction) {
        call.deadInTransaction = inTransaction;
        call.dead = "the link to " + database.target.hostAndPort() + " went silent: no reply for " + Durations.format(call.elapsed()) + how;
    }

    /**
     * The second session: same URL, its own bounded connect (no --wait), no settings, not watched
     * itself; each of its queries answers within the connect bound or fails.
     */
    private Connection secondSession() throws SQLException {
        Connection c;
        try {
            c = new Database(database.target, "rc-dbkit watch", Duration.ZERO, database.console()).unwatched().open();
        } catch (KitException e) {
            throw e.getCause() instanceof SQLException s ? s : new SQLException(e.getMessage(), "08001", e);
        }
        c.setNetworkTimeout(Runnable::run, database.target.connectTimeoutSeconds() * 1000);
        return c;
    }

    private static ServerActivity.Seen read(Connection second, int pid) throws SQLException {
        try (PreparedStatement ps = second.prepareStatement(ServerActivity.QUERY)) {
            ps.setInt(1, pid);
            try (ResultSet rs = ps.executeQuery()) {
                return ServerActivity.read(rs.next() ? rs.getString(1) : null);
            }
        }
    }

    /** Whether the link is dead: the server idle (the reply was lost, or the query never came) or without the session, while the call waits. */
    private void judge(Call call, ServerActivity.Seen seen) {
        if (!seen.present()) {
            if (++call.absent >= 2) dead(call, ", and the server no longer has its session (process " + call.session.serverPid + ")", false);
        } else if (seen.idle() && Math.min(seen.stateSeconds(), call.elapsed().toMillis() / 1000.0) >= SILENT.toSeconds()) {
            // idle through the last 10 s of the call's wait (a session idle before the call began counts from the call)
            dead(call, ", while the server says its session (process " + call.session.serverPid + ") has been " + seen.state() + " for "
                    + ServerActivity.seconds(seen.stateSeconds()) + " (the reply was lost, or the query never arrived)", seen.state().startsWith("idle in transaction"));
        }
    }

    private void show(Call call) {
        if (call.elapsed().compareTo(SHOW_AFTER) < 0) return;
        ServerActivity.Seen seen = call.seen;
        String text = call.what + ", " + Durations.format(call.elapsed()) + ": "
                + (call.unasked != null ? "the server cannot be asked how it goes (" + call.unasked + ")" : seen == null ? "waiting for the server" : seen.report());
        call.shown = true;
        database.console().live(text, () -> call.over);
    }

    /** Ends the silent session on the server from the second one (when it can), then cuts the client's link, which ends the waiting call. */
    private void cutOff(Call call) {
        int pid = call.session.serverPid;
        if (call.second != null && pid != 0) {
            try (PreparedStatement ps = call.second.prepareStatement("select pg_terminate_backend(?)")) {
                ps.setInt(1, pid);
                ps.execute();
                call.dead += "; the kit ended that session from a second connection, so the server " + (call.deadInTransaction ? "rolled back its transaction and " : "") + "released its locks";
            } catch (SQLException e) {
                call.dead += "; ending it from a second connection failed (" + Database.firstLine(e.getMessage()) + "), so the server ends it by itself";
            }
        }
        try {
            call.session.raw.abort(Runnable::run);
        } catch (SQLException ignored) {
            // closed already: the call has ended
        }
        closeSecond(call);
    }

    private static void closeSecond(Call call) {
        Connection c = call.second;
        call.second = null;
        if (c == null) return;
        try {
            c.close();
        } catch (SQLException ignored) {
            // gone already
        }
    }
}
