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
     * Asked of the server side. A session straight to PostgreSQL knows its server process from the
     * login itself (the process id in the cancel key) and it equals pg_backend_pid(): that costs no
     * second session and at most one round trip. A pooler (PgBouncer, Supavisor) hands out cancel
     * keys of its own, so there a second session is asked, opened only now that the first has logged
     * in (a wrong password fails once): two sessions open at once that share one server process can
     * only be a transaction pooler multiplexing them.
     */
    private static boolean sharesServerProcesses(Database database, Connection first) throws SQLException {
        int firstPid = database.session(first).pid();
        if (firstPid == first.unwrap(org.postgresql.PGConnection.class).getBackendPID()) return false;
        try (Connection second = database.open()) {
            return firstPid == database.session(second).pid();
        }
    }

    /** The one sentence: which variable leads where, and the URL to use instead. */
    private static KitException refusal(DatabaseTarget target, String found) {
        return KitException.usage(target.source() + " " + found + ", which cannot run migrations; set DIRECT_URL to the direct connection"
                + (target.isSupabasePooler() ? ", for Supabase the session pooler: " + target.sessionModeTarget().masked() : "") + ".");
    }

    private TransactionPooler() {}
}
