//SOURCES FlywayEngine.java MigrationEngine.java MigrationHistory.java MigrationFile.java MigrationFailure.java Database.java TransactionPooler.java CommitOutcome.java HistoryTable.java KitException.java Causes.java Watcher.java
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;

/**
 * Flyway followed while it migrates, through its public callbacks: each migration as it starts and
 * ends (told to the run's progress), and each statement it sends, so that a failure names the file
 * and the line (Flyway's statement events carry the SQL, not its place in the file; the kit finds
 * it in the text it read). On a session a pooler could hand to another server process, the
 * process is asked again inside each migration's transaction before the migration runs, and, once a
 * pooler's session was seen, before Flyway validates and migrates (TransactionPooler): a change
 * stops the run there.
 * A migration is told applied only once Flyway has moved past its commit (the next one starts, or
 * migrate returns); when the link is lost with its commit in flight, the history says which it was.
 */
final class FlywayListener implements Callback {
    private final Path folder;
    private final MigrationHistory history;
    private final Database database;
    /** Told as each migration starts and ends; set once the run applies. */
    MigrationEngine.Progress progress = MigrationEngine.Progress.SILENT;
    private MigrationFile running;
    /** Flyway's session for the running migration (whose server process ends the run's orphan, if any). */
    private java.sql.Connection runningOn;
    /** The migration Flyway finished but whose commit is not known to have answered yet, and how long it took. */
    private MigrationFile awaiting;
    private long awaitingMs;
    private long runningSince;
    private int statementAt = -1, searchFrom;
    private boolean inTransaction = true;

    FlywayListener(Path folder, MigrationHistory history, Database database) {
        this.folder = folder;
        this.history = history;
        this.database = database;
    }

    /** Whether Flyway has started a migration (so it held its lock). */
    boolean started() {
        return running != null;
    }

    /** Flyway moved past the last migration's commit (or returned): that migration is applied. */
    void confirm() {
        if (awaiting != null) progress.applied(awaiting, awaitingMs);
        awaiting = null;
    }

    /**
     * The link was lost while the running migration ran or committed: a new session reads the history
     * (the migration and its row commit together) and the sentence says which it was.
     */
    KitException settle(KitException failure, SQLException lost) {
        MigrationFile m = running;
        CommitOutcome.Verdict verdict = CommitOutcome.ofRow(database, runningOn, HistoryTable.FLYWAY,
                "select exists (select 1 from " + HistoryTable.FLYWAY + " where script = ? and checksum = ? and success)", m.script, m.flywayChecksum());
        String cause = " (" + Database.firstLine(lost.getMessage()) + ")";
        switch (verdict) {
            case COMMITTED -> {
                if (awaiting == null) {
                    awaiting = m;
                    awaitingMs = (System.nanoTime() - runningSince) / 1_000_000;
                }
                confirm();
                return KitException.unreachable(m.name + " was applied: the link to the server was lost as its commit was answered" + cause
                        + ", and a new session found it recorded in " + HistoryTable.FLYWAY + "; run migrate again for the migrations after it.", lost);
            }
            case ROLLED_BACK -> {
                awaiting = null;
                return new KitException(failure.exitCode, failure.getMessage() + " A new session found no row for it in " + HistoryTable.FLYWAY + ".", lost);
            }
            default -> {
                awaiting = null;
                return KitException.unreachable(m.name + ": the link to the server was lost" + cause + " while it ran or committed, and no new session could find out"
                        + " whether it was applied: run status once the database answers (it shows " + m.name + " as applied or pending), then migrate again.", lost);
            }
        }
    }

    /** A failed migrate, as one sentence: the file, the line, the server's words, and what happened to it. */
    KitException failure(FlywayException e, Duration lockTimeout, Duration statementTimeout) {
        SQLException sql = Causes.find(e, SQLException.class);
        if (running == null || sql == null) return KitException.failed("Flyway failed: " + Database.firstLine(e.getMessage()), e);
        return MigrationFailure.explain(running, statementAt, false, sql,
                inTransaction ? MigrationFailure.Aftermath.ROLLED_BACK : MigrationFailure.Aftermath.OUTSIDE_TRANSACTION, lockTimeout, statementTimeout);
    }

    public boolean supports(Event event, Context context) {
        // validate and migrate are watched only where a pooler was seen: Flyway serves a callback of
        // theirs with a session set up for it (a connection more, about 20 round trips at a distance)
        return (event == Event.BEFORE_VALIDATE || event == Event.BEFORE_MIGRATE) && !database.reachedOnlyPostgres()
                || event == Event.BEFORE_EACH_MIGRATE || event == Event.AFTER_EACH_MIGRATE || event == Event.BEFORE_EACH_MIGRATE_STATEMENT;
    }

    public boolean canHandleInTransaction(Event event, Context context) {
        return true;
    }

    public void handle(Event event, Context context) {
        if (event == Event.BEFORE_VALIDATE || event == Event.BEFORE_MIGRATE) {
            watch(context, false);
        } else if (event == Event.BEFORE_EACH_MIGRATE) {
            confirm();
            watch(context, true);
            runningOn = context.getConnection();
            MigrationInfo m = context.getMigrationInfo();
            running = m.getScript() == null ? null : history.file(m.getScript());
            if (running == null && m.getPhysicalLocation() != null) {
                running = MigrationFile.resolvedByFlyway(folder, Path.of(m.getPhysicalLocation()), String.valueOf(m.getVersion()), m.getDescription());
            }
            statementAt = -1;
            searchFrom = 0;
            runningSince = System.nanoTime();
            if (running != null) progress.applying(running);
            Watcher.doing(running == null ? null : running.name);
        } else if (event == Event.AFTER_EACH_MIGRATE) {
            Watcher.doing(null);
            awaiting = running;
            awaitingMs = (System.nanoTime() - runningSince) / 1_000_000;
        } else if (running != null && context.getStatement() != null) {
            String sql = context.getStatement().getSql().strip();
            if (sql.endsWith(";")) sql = sql.substring(0, sql.length() - 1);
            int at = running.text.indexOf(sql, searchFrom);
            statementAt = at;
            if (at >= 0) searchFrom = at + sql.length();
            Watcher.doing(at >= 0 ? running.name + " line " + running.lineAt(at) : running.name); // for the live line of a long statement
            try {
                inTransaction = !context.getConnection().getAutoCommit();
            } catch (SQLException e) {
                inTransaction = !running.needsNoTransaction();
            }
        }
    }

    /** The pooler invariant on Flyway's session (a round trip only where the login did not prove the session PostgreSQL's own). */
    private void watch(Context context, boolean holdingLock) {
        try {
            if (holdingLock) TransactionPooler.verifyHoldingLock(database, context.getConnection());
            else TransactionPooler.verify(database, context.getConnection());
        } catch (SQLException e) {
            throw new FlywayException("could not ask the server process of Flyway's session: " + e.getMessage(), e);
        }
    }

    public String getCallbackName() {
        return "rc-dbkit progress";
    }
}
