//SOURCES Database.java DatabaseTarget.java KitException.java PostgresDriver.java
import java.sql.Connection;
import java.sql.SQLException;

/**
 * A transaction pooler (Supabase's port 6543, PgBouncer or Supavisor in transaction mode) hands a
 * session's server process to other clients between transactions, and with it the session's
 * settings and locks. seed and status work through one (no server-side prepared statements,
 * transaction-level locks); migrate refuses it. Whether a target goes through one, known from its
 * URL before connecting and asked of the server side once connected, is decided here, and the
 * refusal is this one sentence.
 *
 * <p>For migrate the question is an invariant, not one probe: a session whose login announced its
 * server process (the process id in the cancel key equals pg_backend_pid()) is PostgreSQL's own,
 * end to end. Any other session (behind a pooler, in session mode or not) is watched: a second
 * session sharing its server process is refused at once (an idle transaction pooler hands the
 * same process out again), and the server process is asked again in the statements migrate sends
 * anyway, so the moment it changes (a busy transaction pooler), migrate stops, before it writes.
 */
final class TransactionPooler {

    /** What a script does with a transaction pooler. */
    enum Policy {
        /** seed and status: work through it. */
        WORK_THROUGH,
        /** migrate: its sessions must keep their server process, so a pooler is refused, by its URL and from the server side. */
        REFUSE
    }

    /** Under {@link Policy#REFUSE}, before anything connects: a URL that names a pooler is refused. */
    static void check(DatabaseTarget target, Policy policy) {
        if (policy != Policy.REFUSE || !target.looksLikeTransactionPooler()) return;
        throw refusal(target, "points at a transaction pooler (" + (target.port() == DatabaseTarget.TRANSACTION_POOLER_PORT ? "port 6543" : "pgbouncer=true") + ")");
    }

    /** Under {@link Policy#REFUSE}, each session `database` opens: one a pooler multiplexes is refused. */
    static void check(Database database, Connection session) throws SQLException {
        if (database.policy != Policy.REFUSE || !sharesServerProcesses(database, session)) return;
        throw refusal(database.target, "leads to a transaction pooler (two sessions were given the same server process)");
    }

    /** Whether the session goes through a transaction pooler: by the URL, else asked of the server side. */
    static boolean behind(Database database, Connection session) throws SQLException {
        return database.target.looksLikeTransactionPooler() || sharesServerProcesses(database, session);
    }

    /**
     * Whether migrate must keep asking this session for its server process: under {@link Policy#REFUSE},
     * when its login did not announce it (a pooler answers). A session the login proved costs nothing.
     */
    static boolean watched(Database database, Connection session) throws SQLException {
        return database.policy == Policy.REFUSE && !database.session(session).own();
    }

    /**
     * The invariant, checked on a server process id a statement of the run returned anyway: on a
     * watched session it must be the one the session started on, or the run stops here (exit 2),
     * before its transaction commits: what that statement did is rolled back by the caller.
     */
    static void same(Database database, Connection session, int seen) throws SQLException {
        if (!watched(database, session)) return;
        int first = database.session(session).pid();
        if (seen != first) throw moved(database.target, first, seen);
    }

    /** The invariant asked in a round trip of its own, on a watched session only (where nothing of the run's own can carry it). */
    static void verify(Database database, Connection session) throws SQLException {
        if (!watched(database, session)) return;
        try (var st = session.createStatement(); var rs = st.executeQuery("select pg_backend_pid()")) {
            rs.next();
            same(database, session, rs.getInt(1));
        }
    }

    /**
     * On a watched session, inside the transaction of a migration, before it runs: the server process
     * must be the session's first one and hold an advisory lock (the migration lock taken just before,
     * in a transaction of its own): if the lock went to another process, the run stops here.
     */
    static void verifyHoldingLock(Database database, Connection session) throws SQLException {
        if (!watched(database, session)) return;
        try (var st = session.createStatement(); var rs = st.executeQuery(
                "select pg_backend_pid(), exists (select 1 from pg_locks where locktype = 'advisory' and granted and pid = pg_backend_pid())")) {
            rs.next();
            same(database, session, rs.getInt(1));
            if (!rs.getBoolean(2)) {
                throw refusal(database.target, "leads to a transaction pooler (the migration lock was taken by another server process than the one this session's migration runs in),"
                        + " so migrate stopped before applying it");
            }
        }
    }

    /** The refusal when a watched session's server process changed between two of its transactions. */
    static KitException moved(DatabaseTarget target, int from, int to) {
        return refusal(target, "leads to a transaction pooler (this session's statements were answered by server process " + from + ", then by " + to
                + "), so migrate stopped before writing anything more");
    }

    /**
     * Asked of the server side. A session straight to PostgreSQL knows its server process from the
     * login itself (the process id in the cancel key) and it equals pg_backend_pid(): that costs no
     * second session and at most one round trip. A pooler (PgBouncer, Supavisor) hands out cancel
     * keys of its own, so there a second session is asked, opened only now that the first has logged
     * in (a wrong password fails once): two sessions open at once that share one server process can
     * only be a transaction pooler multiplexing them.
     */
    private static boolean sharesServerProcesses(Database database, Connection first) throws SQLException {
        Database.Session session = database.session(first);
        if (session.own()) return false;
        try (Connection second = database.open()) {
            return session.pid() == database.session(second).pid();
        }
    }

    /** The one sentence: which variable leads where, and the URL to use instead. */
    private static KitException refusal(DatabaseTarget target, String found) {
        return KitException.usage(target.source() + " " + found + ", which cannot run migrations; set DIRECT_URL to the direct connection"
                + (target.isSupabasePooler() ? ", for Supabase the session pooler: " + target.sessionModeTarget().masked() : "") + ".");
    }

    private TransactionPooler() {}
}
