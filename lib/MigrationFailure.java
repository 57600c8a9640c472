//SOURCES PostgresDriver.java
import java.sql.SQLException;
import java.time.Duration;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * The sentence for a migration that failed, the same for every engine: the file, the line that is
 * wrong (where the server points inside a multi-line statement, else where the statement starts),
 * the server's words, and what became of the migration.
 */
final class MigrationFailure {

    /** What became of a failed migration. */
    enum Aftermath {
        /** It ran in a transaction that was rolled back: nothing of it is left. */
        ROLLED_BACK,
        /** It ran outside a transaction (Flyway, for statements that cannot run in one). */
        OUTSIDE_TRANSACTION,
        /** It ran as written and Prisma's history records it as failed. */
        RECORDED_AS_FAILED
    }

    /**
     * @param queryStart where in the file's text the query that failed starts (-1: unknown)
     * @param wholeFile whether that query was the whole file, so without a server position the statement is unknown
     */
    static KitException explain(MigrationFile file, int queryStart, boolean wholeFile, SQLException e, Aftermath aftermath,
            Duration lockTimeout, Duration statementTimeout) {
        SqlScript.Statement statement = null;
        int line = 0;
        int at = SqlScript.offsetOf(file.text, queryStart, position(e));
        if (at >= 0) {
            line = file.lineAt(at);
            for (SqlScript.Statement s : file.statements()) if (s.offset() <= at) statement = s;
        } else if (queryStart >= 0 && !wholeFile) {
            for (SqlScript.Statement s : file.statements()) {
                if (s.offset() >= queryStart) {
                    statement = s;
                    break;
                }
            }
            if (statement != null) line = statement.line();
        }
        String where = line > 0 ? " at line " + line : "";
        String shown = statement != null ? " (" + statement.shown() + ")" : "";
        String state = e == null || e.getSQLState() == null ? "" : e.getSQLState();
        if (state.equals("55P03")) {
            return KitException.failed(lockWait(file.name, lockTimeout) + where + shown + switch (aftermath) {
                case ROLLED_BACK -> "; it was rolled back and nothing from it was applied. Re-running later is safe; --lock-timeout waits longer.";
                case OUTSIDE_TRANSACTION -> "; it ran outside a transaction, so drop any INVALID index it left, then run again (--lock-timeout waits longer).";
                case RECORDED_AS_FAILED -> "; it ran as written and is recorded as failed: check what it left behind, then use --resolve-rolled-back or --resolve-applied.";
            }, e);
        }
        if (state.equals("57014") && statementTimeout.toMillis() > 0) {
            return KitException.failed(file.name + " ran longer than the statement timeout of " + Durations.format(statementTimeout) + where + shown
                    + after(aftermath, "Raise --statement-timeout, or split the migration."), e);
        }
        String message = e == null ? "" : PlatformErrors.or(e, Database.firstLine(e.getMessage()));
        return KitException.failed(file.name + " failed" + where + ": " + message + after(aftermath, "Fix the file and run migrate again."), e);
    }

    private static String after(Aftermath aftermath, String then) {
        return switch (aftermath) {
            case ROLLED_BACK -> "; it was rolled back and nothing from it was applied. " + then;
            case OUTSIDE_TRANSACTION -> "; it ran outside a transaction, so check what it left behind before running migrate again.";
            case RECORDED_AS_FAILED -> "; it ran as written (outside the kit's transaction) and is recorded as failed in _prisma_migrations: check what it left behind, then use --resolve-rolled-back or --resolve-applied.";
        };
    }

    /** How a migration that hit --lock-timeout is named. */
    static String lockWait(String file, Duration lockTimeout) {
        return file + " waited longer than " + Durations.format(lockTimeout) + " for a lock that live traffic holds";
    }

    /** Where the server says the error is in the query it was sent (from 1), through pgjdbc's public error details; 0 when it does not say. */
    static int position(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof PSQLException p) {
                ServerErrorMessage m = p.getServerErrorMessage();
                if (m != null) return m.getPosition();
            }
        }
        return 0;
    }

    private MigrationFailure() {}
}
