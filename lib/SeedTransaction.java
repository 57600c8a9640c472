//SOURCES Seeder.java SeedCatalog.java SeedFile.java Flight.java CommitOutcome.java Database.java Console.java KitException.java
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * seed's one transaction: opened under seed's lock, with the files checked against the catalog and
 * the transaction's id learnt in the same round trip; then committed (or rolled back for a dry run).
 * When the link is lost with the commit in flight, or the run is interrupted while committing, what
 * happened is found out ({@link CommitOutcome}), not guessed: committed, or rolled back.
 */
final class SeedTransaction {
    private final Database database;
    private final Connection c;
    private int serverProcess = -1;
    private String xid;
    private volatile boolean committing, committed;

    SeedTransaction(Database database, Connection c) {
        this.database = database;
        this.c = c;
    }

    /** Takes seed's lock (waiting at most `lockWait`, said through `say`), then checks the files against the catalog: nothing is written yet. */
    List<SeedCatalog.Checked> begin(List<SeedFile> files, Duration lockWait, Consumer<String> say) throws SQLException {
        c.setAutoCommit(false);
        Seeder.lock(c, lockWait, say);
        Flight flight = new Flight();
        Supplier<SeedCatalog> catalog = SeedCatalog.ask(flight, c, files.stream().map(SeedFile::table).distinct().toList());
        flight.add("select pg_current_xact_id()::text, pg_backend_pid()", rs -> {
            rs.next();
            xid = rs.getString(1);
            serverProcess = rs.getInt(2);
        });
        flight.send(c);
        return files.stream().map(catalog.get()::check).toList();
    }

    /**
     * Commits. A lost link leaves the commit's outcome unknown: a new session finds it out; committed
     * is said as a warning and the run goes on as done; rolled back, or not found out, is the error.
     */
    void commit(Console console, String hostAndPort) {
        committing = true;
        try {
            c.commit();
            committed = true;
        } catch (SQLException e) {
            if (!CommitOutcome.lostLink(e)) {
                throw KitException.failed("committing failed: " + Database.firstLine(e.getMessage()) + "; the whole run was rolled back and nothing was written.", e);
            }
            switch (CommitOutcome.ofTransaction(database, serverProcess, xid)) {
                case COMMITTED -> {
                    committed = true;
                    console.warn("the connection to " + hostAndPort + " was lost as the commit was answered (" + Database.firstLine(e.getMessage())
                            + "); a new session found the run committed, so everything below was written.");
                }
                case ROLLED_BACK -> throw KitException.unreachable("lost the connection to " + hostAndPort + " while committing (" + Database.firstLine(e.getMessage())
                        + "); a new session found the run rolled back, so nothing was written: run seed again.", e);
                case UNKNOWN -> throw KitException.unreachable("lost the connection to " + hostAndPort + " while committing (" + Database.firstLine(e.getMessage())
                        + "), and no new session could find out within " + (CommitOutcome.SETTLE_MS / 1000) + " s whether the run was committed:"
                        + " run status to see the rows, or seed again (it adds only what is missing).", e);
            }
        } finally {
            committing = false;
        }
    }

    /** What Ctrl-C or SIGTERM did to the run, said once the sessions are closed: before the commit nothing was written; during it, found out. */
    String interrupted() {
        String lock = "its statement was cancelled on the server and its session closed, so seed's lock is free";
        if (committed) return "seed was interrupted after its run was committed; " + lock + ".";
        if (!committing) return "seed was interrupted: " + lock + " and its transaction rolled back, so nothing was written. Run seed again.";
        return switch (CommitOutcome.ofTransaction(database, serverProcess, xid)) {
            case COMMITTED -> "seed was interrupted while committing; " + lock + "; a new session found the run committed, so it was all written.";
            case ROLLED_BACK -> "seed was interrupted while committing; " + lock + "; a new session found the run rolled back, so nothing was written. Run seed again.";
            case UNKNOWN -> "seed was interrupted while committing; " + lock + "; whether the run was committed could not be found out: run status to see the rows.";
        };
    }
}
