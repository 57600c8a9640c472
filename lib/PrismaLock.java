//SOURCES AdvisoryLocks.java PrismaMigrations.java MigrationFormat.java TransactionPooler.java Database.java Console.java KitException.java
import java.sql.Connection;
import java.sql.SQLException;

/** Prisma's advisory lock as the kit takes part in it: waiting for another holder, and releasing it by the process that took it. */
final class PrismaLock {
    private PrismaLock() {}

    /**
     * Waits for Prisma's lock that another session holds. On a session a pooler serves, the wait runs
     * in a transaction, which keeps it on one server process: the lock is kept only when that process
     * is the session's own, else released there before the refusal.
     */
    static void waitFor(Database database, Connection c, Console console, MigrationFormat.Options options) throws SQLException {
        boolean watched = TransactionPooler.watched(database, c);
        if (watched) c.setAutoCommit(false);
        try {
            AdvisoryLocks.take(c, PrismaMigrations.PRISMA_LOCK, false, "Prisma's migration lock", options.lockWait(), console::note,
                    "nothing was applied: run migrate again once it has finished, or wait longer with --lock-wait 5m.");
            if (watched) {
                try {
                    TransactionPooler.verify(database, c);
                } catch (KitException moved) {
                    try (var st = c.createStatement()) {
                        st.execute("select pg_advisory_unlock(" + PrismaMigrations.PRISMA_LOCK + ")");
                    }
                    throw moved;
                }
                c.commit();
            }
        } finally {
            if (watched) {
                if (!c.getAutoCommit()) Database.rollbackQuietly(c);
                c.setAutoCommit(true);
            }
        }
    }

    /**
     * Releases Prisma's lock by the server process that took it. On a session a pooler serves, a
     * statement may reach another process: the unlock is asked again until the one that holds the
     * lock answers (each try is a transaction of its own, which the pooler hands to any of its
     * processes), for at most 2 s; after that the lock goes when the pooler closes that connection.
     */
    static void release(Connection c, int serverProcess) throws SQLException {
        String unlock = "select case when pg_backend_pid() = " + serverProcess + " then pg_advisory_unlock(" + PrismaMigrations.PRISMA_LOCK + ") end";
        long until = System.nanoTime() + 2_000_000_000L;
        boolean landed = false;
        try (var st = c.createStatement()) {
            while (!landed && System.nanoTime() < until) {
                try (var rs = st.executeQuery(unlock)) {
                    rs.next();
                    rs.getBoolean(1);
                    landed = !rs.wasNull();
                }
            }
        }
    }
}
