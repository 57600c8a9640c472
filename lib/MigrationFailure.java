//SOURCES PostgresDriver.java MigrationFile.java SqlScript.java PlatformErrors.java Database.java Durations.java KitException.java Causes.java
//SOURCES Watcher.java WatchedConnection.java ServerActivity.java
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
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
            ServerActivity.Seen seen = Watcher.lockTimedOut(); // read while the wait lasted: the holder may be gone now
            boolean named = seen != null && seen.lock() != null && !seen.holders().isEmpty();
            String held = named ? ": " + seen.lock().describe() + ", held by " + seen.holdersSaid() : "";
            return KitException.failed(lockWait(file.name, lockTimeout) + where + shown + held + switch (aftermath) {
                case ROLLED_BACK -> "; it was rolled back and nothing from it was applied. Re-running later is safe" + (named ? ": " + waitOrEnd(seen) + " (--lock-timeout waits longer)."
                        : "; --lock-timeout waits longer.");
                case OUTSIDE_TRANSACTION -> "; it ran outside a transaction, so drop any INVALID index it left, then run again (--lock-timeout waits longer)" + (named ? "; " + waitOrEnd(seen) + " first." : ".");
                case RECORDED_AS_FAILED -> "; it ran as written and is recorded as failed: check what it left behind, then use --resolve-rolled-back or --resolve-applied.";
            }, e);
        }
        WatchedConnection.SilentLink link = silentLink(e);
        if (link != null) return cutOff(file, where, link, aftermath, e);
        if (sessionEnded(state)) {
            String why = e == null ? "" : " (" + Database.firstLine(e.getMessage()) + ")";
            return KitException.unreachable(file.name + " was interrupted" + where + " because the server ended the session or went away" + why + switch (aftermath) {
                case ROLLED_BACK -> "; it ran in a transaction, so nothing from it was applied, and the file is not at fault: re-running migrate is safe once the server answers.";
                case OUTSIDE_TRANSACTION -> "; it ran outside a transaction, so it may be partly applied: check what it left behind (an INVALID index, for one), then run migrate again.";
                case RECORDED_AS_FAILED -> "; it ran as written, outside a transaction, so it may be partly applied: check what it left behind, then use --resolve-rolled-back or --resolve-applied and run migrate again.";
            }, e);
        }
        if (state.equals("57014") && statementTimeout.toMillis() > 0) {
            return KitException.failed(file.name + " ran longer than the statement timeout of " + Durations.format(statementTimeout) + where + shown
                    + after(aftermath, "Raise --statement-timeout, or split the migration."), e);
        }
        String message = e == null ? "" : PlatformErrors.or(e, Database.firstLine(e.getMessage()));
        return KitException.failed(file.name + " failed" + where + ": " + message + after(aftermath, "Fix the file and run migrate again."), e);
    }

    /** What to do about the sessions that held the lock: wait for them, or end an abandoned one. */
    private static String waitOrEnd(ServerActivity.Seen seen) {
        List<String> pids = seen.holders().stream().map(h -> String.valueOf(h.pid())).toList();
        return "wait for process " + String.join(", ", pids) + " to finish, or, if it is an abandoned session, end it with select pg_terminate_backend("
                + pids.get(0) + ")";
    }

    /** The watcher cut the link off: it went silent (WatchedConnection.SilentLink, anywhere in the chain, a suppressed one included). */
    static WatchedConnection.SilentLink silentLink(Throwable e) {
        for (Throwable t : Causes.of(e).toList()) {
            if (t instanceof WatchedConnection.SilentLink s) return s;
            for (Throwable s : t.getSuppressed()) if (s instanceof WatchedConnection.SilentLink link) return link;
        }
        return null;
    }

    /** A migration cut off by a silent link, exit 3: the watcher's sentence, and what became of the migration. */
    private static KitException cutOff(MigrationFile file, String where, WatchedConnection.SilentLink link, Aftermath aftermath, SQLException e) {
        return KitException.unreachable(file.name + " was cut off" + where + ": " + link.getMessage() + switch (aftermath) {
            case ROLLED_BACK -> link.inTransaction ? "; it ran in a transaction, so nothing from it was applied, and the file is not at fault: re-running migrate is safe once the link answers again."
                    : "; the server had already ended its transaction, so it may have been committed: run status to see whether it was applied before running migrate again.";
            case OUTSIDE_TRANSACTION -> "; it ran outside a transaction, so it may be partly applied: check what it left behind (an INVALID index, for one), then run migrate again.";
            case RECORDED_AS_FAILED -> "; it ran as written, outside a transaction, so it may be partly applied: check what it left behind, then use --resolve-rolled-back or --resolve-applied and run migrate again.";
        }, e);
    }

    /** The server ended the session (pg_terminate_backend, shutdown, crash recovery) or the connection broke. */
    static boolean sessionEnded(String state) {
        return state.equals("57P01") || state.equals("57P02") || state.equals("57P03") || state.startsWith("08");
    }

    /** A failure outside any migration: the connection went, or the role may not read the history. */
    static KitException lost(SQLException e) {
        return KitException.unreachable("lost the connection while migrating: " + Database.firstLine(e.getMessage()), e);
    }

    /**
     * The role may not read or write the history table (SQLSTATE 42501): which privileges it lacks
     * on which table, and what to grant. Exit 2: nothing ran, and the request (the role in the URL)
     * is what must change, not a migration.
     *
     * @param e what the server said, or null when the kit found the missing privilege before asking
     */
    static KitException noPrivilege(java.sql.Connection c, String table, SQLException e) {
        String role = null, qualified = table, owner = null;
        boolean rowSecurity = false;
        List<String> missing = new java.util.ArrayList<>();
        String sql = "select quote_ident(current_user), c.oid::regclass::text, p.priv, coalesce(c.relrowsecurity, false), quote_ident(pg_get_userbyid(c.relowner))"
                + " from (values ('SELECT'), ('INSERT'), ('UPDATE'), ('DELETE')) p(priv)"
                + " left join pg_class c on c.oid = to_regclass(?) where c.oid is null or not has_table_privilege(c.oid, p.priv)";
        try (var ps = c.prepareStatement(sql)) {
            ps.setString(1, table);
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    role = rs.getString(1);
                    if (rs.getString(2) != null) qualified = rs.getString(2);
                    missing.add(rs.getString(3));
                    rowSecurity = rs.getBoolean(4);
                    owner = rs.getString(5);
                }
            }
        } catch (SQLException ignored) {
            // say what the server said
        }
        String who = role == null ? "the role in the URL" : "role " + role;
        String privileges = missing.isEmpty() ? "SELECT, INSERT, UPDATE, DELETE" : String.join(", ", missing);
        String start = who + " lacks the " + privileges + " privilege" + (missing.size() == 1 ? "" : "s") + " on table " + qualified
                + ", the migration history that migrate reads and writes" + (e == null ? "" : " (" + Database.firstLine(e.getMessage()) + ")") + ", so nothing was applied: ";
        // under row-level security granted privileges would still show no rows: only the owner's login helps
        if (rowSecurity && owner != null) {
            return KitException.usage(start + "run migrate as the table's owner, " + owner + " (on Supabase, the postgres role); the table has row-level security,"
                    + " so privileges granted to " + (role == null ? "another role" : role) + " would still show it none of its rows.");
        }
        return KitException.usage(start + "run migrate as the table's owner (on Supabase, the postgres role), or have the owner run: GRANT SELECT, INSERT, UPDATE, DELETE ON "
                + qualified + " TO " + (role == null ? "<role>" : role) + ";");
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
        return Causes.of(e).filter(PSQLException.class::isInstance).map(PSQLException.class::cast).map(PSQLException::getServerErrorMessage)
                .filter(java.util.Objects::nonNull).findFirst().map(ServerErrorMessage::getPosition).orElse(0);
    }

    private MigrationFailure() {}
}
