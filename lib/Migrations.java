//DEPS org.flywaydb:flyway-core:13.12.0
//DEPS org.flywaydb:flyway-database-postgresql:13.12.0
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.flywaydb.core.api.output.MigrateResult;
import org.flywaydb.core.internal.exception.FlywayMigrateException;
import org.flywaydb.core.internal.sqlscript.FlywaySqlScriptException;

/**
 * The repository's migrations/ folder applied with Flyway, configured as the kit promises:
 * clean disabled, placeholders off, validation first, one transaction per migration under
 * Flyway's advisory lock, and Flyway's own logging silent unless --verbose.
 */
final class Migrations {
    final Path folder;
    private final Database database;
    private final Console console;

    Migrations(Path dir, Database database, Console console) {
        this.folder = MigrationHistory.folder(dir);
        this.database = database;
        this.console = console;
        quietFlyway(console);
    }

    Flyway flyway(String targetVersion, Callback... callbacks) {
        var config = Flyway.configure()
                .dataSource(database.dataSource())
                .locations("filesystem:" + folder)
                .failOnMissingLocations(true)
                .cleanDisabled(true)
                .placeholderReplacement(false)
                .validateMigrationNaming(true)
                .validateOnMigrate(true)
                .callbacks(callbacks);
        // A transaction-level advisory lock makes CREATE INDEX CONCURRENTLY wait on Flyway's own
        // session; the session-level lock is safe, since migrate never runs through a pooler.
        config.getConfigurationExtension(org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension.class).setTransactionalLock(false);
        if (database.target.schema() != null) config.schemas(database.target.schema());
        if (targetVersion != null) config.target(targetVersion);
        try {
            return config.load();
        } catch (FlywayException e) {
            throw KitException.usage("Flyway refused its configuration: " + e.getMessage());
        }
    }

    /** Applied migrations that disagree with the files here: edited, missing, or recorded as failed. */
    static List<String> drift(MigrationInfo[] all, Path folder) {
        List<String> problems = new ArrayList<>();
        for (MigrationInfo m : all) {
            String name = "V" + m.getVersion() + "__" + m.getDescription().replace(' ', '_') + ".sql";
            MigrationState state = m.getState();
            // FUTURE_*: applied, newer than every file here; for this kit that is a missing file too
            if (state == MigrationState.MISSING_SUCCESS || state == MigrationState.MISSING_FAILED || state == MigrationState.FUTURE_SUCCESS) {
                problems.add("migration " + m.getVersion() + " (" + m.getDescription() + ") is applied in the database but its file is missing from " + folder
                        + ": restore the file, or check that --dir points at the right kit.");
            } else if (state == MigrationState.FAILED || state == MigrationState.FUTURE_FAILED) {
                problems.add(name + " is recorded as failed in flyway_schema_history: fix the database by hand, delete that history row, and run migrate again.");
            } else if (m.isApplied() && m.getResolvedChecksum() != null && !m.isChecksumMatching()) {
                problems.add(name + " was edited after it was applied (checksum " + m.getAppliedChecksum() + " in the database, "
                        + m.getResolvedChecksum() + " in the file): restore the file as it was applied and put the change in a new migration.");
            }
        }
        return problems;
    }

    /** Flyway logs through java.util.logging at INFO; the kit speaks for itself unless --verbose. */
    private static final java.util.logging.Logger FLYWAY_LOG = java.util.logging.Logger.getLogger("org.flywaydb");

    static void quietFlyway(Console console) {
        for (java.util.logging.Handler h : FLYWAY_LOG.getHandlers()) FLYWAY_LOG.removeHandler(h);
        FLYWAY_LOG.setUseParentHandlers(false);
        FLYWAY_LOG.setLevel(console.verbose ? java.util.logging.Level.INFO : java.util.logging.Level.OFF);
        if (console.verbose) {
            FLYWAY_LOG.addHandler(new java.util.logging.Handler() {
                public void publish(java.util.logging.LogRecord r) { console.debug("flyway: " + r.getMessage()); }
                public void flush() {}
                public void close() {}
            });
        }
    }

    /** Reports each migration as it starts and ends. */
    static Callback progress(Consumer<MigrationInfo> before, java.util.function.BiConsumer<MigrationInfo, Long> after) {
        return new Callback() {
            long started;
            public boolean supports(Event event, Context context) {
                return event == Event.BEFORE_EACH_MIGRATE || event == Event.AFTER_EACH_MIGRATE;
            }
            public boolean canHandleInTransaction(Event event, Context context) { return true; }
            public void handle(Event event, Context context) {
                if (event == Event.BEFORE_EACH_MIGRATE) {
                    started = System.nanoTime();
                    before.accept(context.getMigrationInfo());
                } else {
                    after.accept(context.getMigrationInfo(), (System.nanoTime() - started) / 1_000_000);
                }
            }
            public String getCallbackName() { return "rc-dbkit progress"; }
        };
    }

    static String fileName(MigrationInfo m) {
        String script = m.getScript();
        return script == null ? "V" + m.getVersion() : Path.of(script).getFileName().toString();
    }

    /** A failed migrate, as one sentence: the file, the line, the server's words, and what happened to it. */
    static KitException explainFailure(FlywayException e, java.time.Duration lockTimeout, java.time.Duration statementTimeout) {
        FlywaySqlScriptException script = find(e, FlywaySqlScriptException.class);
        FlywayMigrateException migrate = find(e, FlywayMigrateException.class);
        if (migrate != null || script != null) {
            String file = migrate != null && migrate.getMigration() != null ? fileName(migrate.getMigration()) : "a migration";
            if (e.getMessage() != null && e.getMessage().contains("both transactional and non-transactional")) {
                return KitException.usage(file + " mixes statements that need a transaction with ones that cannot run in one (such as CREATE INDEX CONCURRENTLY); move the latter into a migration of their own. Nothing from it was applied.");
            }
            int line = script != null ? script.getLineNumber() : 0;
            String statement = script != null ? script.getStatement() : null;
            java.sql.SQLException sql = find(e, java.sql.SQLException.class);
            return failure(file, line, statement, sql, sql != null ? sql.getMessage() : e.getMessage(), migrate == null || migrate.isExecutableInTransaction(), lockTimeout, statementTimeout, e);
        }
        return KitException.failed("Flyway failed: " + Database.firstLine(e.getMessage()), e);
    }

    /**
     * The sentence for a migration that failed, whoever ran it: the file, the line of the failing
     * statement (0: unknown), the server's words, and what became of the migration.
     */
    static KitException failure(String file, int line, String statement, java.sql.SQLException sql, String message, boolean inTransaction,
            java.time.Duration lockTimeout, java.time.Duration statementTimeout, Throwable cause) {
        String at = line > 0 ? " at line " + line : "";
        String state = sql == null || sql.getSQLState() == null ? "" : sql.getSQLState();
        if (state.equals("55P03")) {
            return KitException.failed(lockWait(file, lockTimeout) + at + (statement != null ? " (" + MigrationLint.shorten(statement) + ")" : "")
                    + (inTransaction ? "; it was rolled back and nothing from it was applied. Re-running later is safe; --lock-timeout waits longer."
                            : "; it ran outside a transaction, so drop any INVALID index it left, then run again (--lock-timeout waits longer)."), cause);
        }
        if (state.equals("57014") && statementTimeout.toMillis() > 0) {
            return KitException.failed(file + " ran longer than the statement timeout of " + Durations.format(statementTimeout) + at + (statement != null ? " (" + MigrationLint.shorten(statement) + ")" : "")
                    + "; it was rolled back and nothing from it was applied. Raise --statement-timeout, or split the migration.", cause);
        }
        return KitException.failed(file + " failed" + at + ": " + PlatformErrors.or(sql, Database.firstLine(message)) + (inTransaction
                ? "; it was rolled back and nothing from it was applied. Fix the file and run migrate again."
                : "; it ran outside a transaction, so check what it left behind before running migrate again."), cause);
    }

    /** How a migration that hit --lock-timeout is named, for Flyway's and Prisma's migrations alike. */
    static String lockWait(String file, java.time.Duration lockTimeout) {
        return file + " waited longer than " + Durations.format(lockTimeout) + " for a lock that live traffic holds";
    }

    private static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) return type.cast(c);
        }
        return null;
    }

}
