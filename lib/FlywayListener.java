//SOURCES FlywayEngine.java MigrationEngine.java MigrationHistory.java MigrationFile.java MigrationFailure.java Database.java KitException.java Causes.java Watcher.java
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
 * it in the text it read).
 */
final class FlywayListener implements Callback {
    private final Path folder;
    private final MigrationHistory history;
    /** Told as each migration starts and ends; set once the run applies. */
    MigrationEngine.Progress progress = MigrationEngine.Progress.SILENT;
    private MigrationFile running;
    private long runningSince;
    private int statementAt = -1, searchFrom;
    private boolean inTransaction = true;

    FlywayListener(Path folder, MigrationHistory history) {
        this.folder = folder;
        this.history = history;
    }

    /** Whether Flyway has started a migration (so it held its lock). */
    boolean started() {
        return running != null;
    }

    /** A failed migrate, as one sentence: the file, the line, the server's words, and what happened to it. */
    KitException failure(FlywayException e, Duration lockTimeout, Duration statementTimeout) {
        SQLException sql = Causes.find(e, SQLException.class);
        if (running == null || sql == null) return KitException.failed("Flyway failed: " + Database.firstLine(e.getMessage()), e);
        return MigrationFailure.explain(running, statementAt, false, sql,
                inTransaction ? MigrationFailure.Aftermath.ROLLED_BACK : MigrationFailure.Aftermath.OUTSIDE_TRANSACTION, lockTimeout, statementTimeout);
    }

    public boolean supports(Event event, Context context) {
        return event == Event.BEFORE_EACH_MIGRATE || event == Event.AFTER_EACH_MIGRATE || event == Event.BEFORE_EACH_MIGRATE_STATEMENT;
    }

    public boolean canHandleInTransaction(Event event, Context context) {
        return true;
    }

    public void handle(Event event, Context context) {
        if (event == Event.BEFORE_EACH_MIGRATE) {
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
            if (running != null) progress.applied(running, (System.nanoTime() - runningSince) / 1_000_000);
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

    public String getCallbackName() {
        return "rc-dbkit progress";
    }
}
