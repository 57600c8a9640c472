//SOURCES PostgresDriver.java DatabaseTarget.java ConnectionFailure.java TransactionPooler.java Console.java KitException.java Durations.java
//SOURCES Watcher.java WatchedConnection.java KeepAliveSockets.java SessionLimits.java
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Connecting to the target: bounded in time, retried under --wait (a failure is one sentence that
 * names the cause, exit 3, see {@link ConnectionFailure}), each session checked against a
 * transaction pooler as the script's policy says ({@link TransactionPooler}), and cancelled on the
 * server when the run is interrupted.
 */
final class Database {
    final DatabaseTarget target;
    final String applicationName;
    final TransactionPooler.Policy policy;
    private final Duration wait;
    private final Console console;

    /** A database that may be reached through a transaction pooler. */
    Database(DatabaseTarget target, String applicationName, Duration wait, Console console) {
        this(target, applicationName, wait, console, TransactionPooler.Policy.WORK_THROUGH);
    }

    Database(DatabaseTarget target, String applicationName, Duration wait, Console console, TransactionPooler.Policy policy) {
        this.target = target;
        this.applicationName = applicationName;
        this.policy = policy;
        this.wait = wait == null ? Duration.ZERO : wait;
        this.console = console;
    }

    /** A session, checked against a transaction pooler as the policy says; {@link #open} is the same without the check. */
    Connection connect() {
        Connection c = open();
        try {
            TransactionPooler.check(this, c);
            return c;
        } catch (SQLException | RuntimeException e) {
            try {
                c.close();
            } catch (SQLException gone) {
                // refused either way
            }
            if (e instanceof RuntimeException r) throw r;
            throw KitException.unreachable("lost the connection to " + target.hostAndPort() + ": " + firstLine(e.getMessage()), e);
        }
    }

    /** Opens a connection, retrying the causes that go away by themselves while --wait lasts. */
    Connection open() {
        long deadline = System.nanoTime() + wait.toNanos();
        long pause = 250;
        boolean announced = false;
        while (true) {
            try {
                Connection raw = DriverManager.getConnection(target.jdbcUrl(), driverProperties());
                Connection c = watched ? WatchedConnection.wrap(raw, watcher()) : raw; // the settings' round trip is watched too
                applySessionSettings(c);
                opened.add(c);
                return c;
            } catch (SQLException e) {
                ConnectionFailure failure = ConnectionFailure.of(e, target);
                if (!failure.retryable() || System.nanoTime() + pause * 1_000_000 > deadline) {
                    String sentence = failure.sentence();
                    if (announced) sentence += " (gave up after waiting " + Durations.format(wait) + ")";
                    throw KitException.unreachable(sentence, e);
                }
                if (!announced) {
                    console.warn(failure.sentence() + " Waiting up to " + Durations.format(wait) + " for it to answer.");
                    announced = true;
                } else {
                    console.debug("still waiting: " + failure.sentence());
                }
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw KitException.unreachable(failure.sentence(), e);
                }
                pause = Math.min(pause * 2, 2000);
            }
        }
    }

    /** Watches every session's blocking calls; the watcher's own second session is not watched. */
    private Watcher watcher;
    private boolean watched = true;

    Console console() {
        return console;
    }

    /** What the watcher is told (a lock_timeout under 4 s makes it read the server earlier). */
    synchronized Watcher watcher() {
        if (watcher == null) watcher = new Watcher(this);
        return watcher;
    }

    /** This database's sessions are not watched: the watcher's own second session. */
    Database unwatched() {
        watched = false;
        return this;
    }

    /** Every session this object opened (weakly), for {@link #cancelAndClose}. */
    private final java.util.Set<Connection> opened = java.util.Collections.synchronizedSet(java.util.Collections.newSetFromMap(new java.util.WeakHashMap<>()));

    /**
     * On an interrupt: cancels the statement each open session runs, on the server (pgjdbc's public
     * PGConnection.cancelQuery, a cancel request on a connection of its own), then closes the
     * sessions, so the server rolls back their open transactions and releases their advisory locks.
     */
    void cancelAndClose() {
        java.util.List<Connection> sessions;
        synchronized (opened) {
            sessions = new java.util.ArrayList<>(opened);
        }
        for (Connection c : sessions) {
            try {
                if (!c.isClosed()) c.unwrap(org.postgresql.PGConnection.class).cancelQuery();
            } catch (SQLException | RuntimeException ignored) {
                // closing it below ends its statement too
            }
        }
        for (Connection c : sessions) {
            try {
                c.close();
            } catch (SQLException | RuntimeException ignored) {
                // gone already
            }
        }
    }

    /** SET statements run on every new connection (lock_timeout and statement_timeout for migrate). */
    private final java.util.List<String> sessionSettings = new java.util.ArrayList<>();

    Database withSetting(String name, String value) {
        sessionSettings.add("set " + name + " = '" + value.replace("'", "''") + "'");
        return this;
    }

    /** A statement that returns no rows, run with the settings (SessionLimits: a setting the server may not know). */
    Database withStatement(String sql) {
        sessionSettings.add(sql);
        return this;
    }

    /** Driver properties a caller puts above the target's own (the Prisma path: pgjdbc's simple query protocol). */
    private final java.util.Map<String, String> properties = new java.util.LinkedHashMap<>();

    Database withProperty(String key, String value) {
        properties.put(key, value);
        return this;
    }

    /**
     * The target's driver properties, the caller's, and: the server is assumed to be 9.0 or newer
     * (the kit supports 15-17), so pgjdbc sends application_name in the start-up packet instead of
     * a SET after login, one round trip less on every connection.
     */
    private java.util.Properties driverProperties() {
        java.util.Properties p = target.driverProperties(applicationName);
        properties.forEach(p::setProperty);
        if (!p.containsKey("assumeMinServerVersion")) p.setProperty("assumeMinServerVersion", "9.0");
        // pgjdbc's public socketFactory property: keepalive probes every 30 s, so a dead link fails a waiting call within a minute
        if (!p.containsKey("socketFactory")) p.setProperty("socketFactory", KeepAliveSockets.class.getName());
        return p;
    }

    /**
     * What the server says of a session: its server process, whether the session came in over
     * TLS (pg_stat_ssl), how long the one round trip that asked took, and whether the login itself
     * announced that process (the process id in its cancel key): then the session is PostgreSQL's
     * own, end to end, and no pooler can hand its statements to another process.
     */
    record Session(int pid, Boolean ssl, long roundTripMicros, boolean own) {}

    private static final String SESSION_QUERY = "select pg_backend_pid(), (select ssl from pg_stat_ssl where pid = pg_backend_pid())";

    /** Whether every session learnt so far announced its own server process at login (no pooler between). */
    private volatile boolean reachedOnlyPostgres = true;

    /** True while every session this object learnt reached PostgreSQL itself; a pooler's session turns it false for good. */
    boolean reachedOnlyPostgres() {
        return reachedOnlyPostgres;
    }

    /** Each session this object opened, learnt with its settings (or when first asked). */
    private final java.util.Map<Connection, Session> sessions = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    /**
     * The settings, and what the server says of the session, in one round trip: the statements
     * go in one query string, which pgjdbc sends as one flight.
     */
    private void applySessionSettings(Connection c) throws SQLException {
        if (sessionSettings.isEmpty()) return;
        try (var st = c.createStatement()) {
            long t = System.nanoTime();
            boolean rows = st.execute(String.join("; ", sessionSettings) + "; " + SESSION_QUERY);
            while (!rows && st.getUpdateCount() != -1) rows = st.getMoreResults();
            if (rows) {
                try (var rs = st.getResultSet()) {
                    if (rs.next()) learnt(c, session(c, rs, t));
                }
            }
        } catch (SQLException e) {
            c.close();
            throw e;
        }
    }

    /** What the server says of this session: asked once (one round trip, timed), then remembered. */
    Session session(Connection c) throws SQLException {
        Session known = sessions.get(c);
        if (known != null) return known;
        long t = System.nanoTime();
        try (var st = c.createStatement(); var rs = st.executeQuery(SESSION_QUERY)) {
            rs.next();
            Session s = session(c, rs, t);
            learnt(c, s);
            return s;
        }
    }

    /**
     * Remembers what the server said of a session; its server process is given to the watcher when it
     * is sure to stay this session's: the one its login announced (straight to PostgreSQL), or any
     * under a policy that refuses transaction poolers (a session pooler keeps it for the session).
     */
    private void learnt(Connection c, Session s) throws SQLException {
        sessions.put(c, s);
        if (!s.own()) reachedOnlyPostgres = false;
        if (policy == TransactionPooler.Policy.REFUSE || s.own()) WatchedConnection.serverPid(c, s.pid());
    }

    private static Session session(Connection c, java.sql.ResultSet rs, long askedAt) throws SQLException {
        int pid = rs.getInt(1);
        boolean ssl = rs.getBoolean(2);
        return new Session(pid, rs.wasNull() ? null : ssl, (System.nanoTime() - askedAt) / 1000,
                pid == c.unwrap(org.postgresql.PGConnection.class).getBackendPID());
    }

    /** For Flyway: every connection it asks for is made, and checked, as above. */
    DataSource dataSource() {
        Database db = this;
        return new DataSource() {
            public Connection getConnection() { return db.connect(); }
            public Connection getConnection(String u, String p) { return db.connect(); }
            public PrintWriter getLogWriter() { return null; }
            public void setLogWriter(PrintWriter out) {}
            public void setLoginTimeout(int seconds) {}
            public int getLoginTimeout() { return 0; }
            public Logger getParentLogger() { return Logger.getLogger("rc-dbkit"); }
            public <T> T unwrap(Class<T> iface) throws SQLException { throw new SQLException("not a wrapper"); }
            public boolean isWrapperFor(Class<?> iface) { return false; }
        };
    }

    /** Work on a statement that commits together or not at all. */
    interface Work {
        void run(java.sql.Statement st) throws SQLException;
    }

    /**
     * Runs the work in one transaction on the connection, then leaves it in autocommit again. When
     * the work fails, its own exception is the one thrown, even if the connection is gone too.
     */
    static void inTransaction(Connection c, Work work) throws SQLException {
        c.setAutoCommit(false);
        boolean committed = false;
        try (var st = c.createStatement()) {
            work.run(st);
            c.commit();
            committed = true;
        } finally {
            if (!committed) rollbackQuietly(c);
            try {
                c.setAutoCommit(true);
            } catch (SQLException gone) {
                if (committed) throw gone;
            }
        }
    }

    /** Rolls back, saying nothing when the connection is gone: the server rolls back with it. */
    static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException gone) {
            // the server rolls back what a lost session left
        }
    }

    /** "PostgreSQL 17.6": from what the server reported at login (no round trip), asked only if it did not. */
    static String serverVersion(Connection c) throws SQLException {
        String v = c.unwrap(org.postgresql.PGConnection.class).getParameterStatus("server_version");
        if (v == null) {
            try (var st = c.createStatement(); var rs = st.executeQuery("show server_version")) {
                rs.next();
                v = rs.getString(1);
            }
        }
        int space = v.indexOf(' ');
        return "PostgreSQL " + (space > 0 ? v.substring(0, space) : v);
    }

    /** The first line of a server or library message, without the "ERROR: " prefix. */
    static String firstLine(String text) {
        if (text == null) return "";
        String t = text.strip();
        int nl = t.indexOf('\n');
        t = nl >= 0 ? t.substring(0, nl).strip() : t;
        return t.startsWith("ERROR: ") ? t.substring(7) : t;
    }
}
