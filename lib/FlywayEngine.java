//DEPS org.flywaydb:flyway-core:13.12.0
//DEPS org.flywaydb:flyway-database-postgresql:13.12.0
//SOURCES MigrationEngine.java MigrationFormat.java FlywayListener.java MigrationHistory.java HistoryTable.java MigrationFile.java MigrationFailure.java
//SOURCES AdvisoryLocks.java Database.java TransactionPooler.java CommitOutcome.java Console.java KitException.java Causes.java
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.exception.FlywayValidateException;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * migrations/ (V<version>__<description>.sql) applied by Flyway, which executes every migration
 * and alone writes flyway_schema_history. Configured as the kit promises: clean disabled,
 * placeholders off, validation first, one transaction per migration (none for statements that
 * cannot run in one) under Flyway's advisory lock, Flyway's logging silent unless --verbose.
 * The kit only reads the history, to say "nothing to do" without starting Flyway.
 */
final class FlywayEngine implements MigrationEngine {
    final Path folder;
    private final Database database;
    private final Connection session;
    private final Console console;
    private final Duration lockTimeout, statementTimeout, lockWait;
    private MigrationHistory history;
    private Flyway flyway;
    private FlywayListener listener;

    /**
     * @param session the run's connection, for reading the history without Flyway
     * @param options the lock wait is how long Flyway waits for its lock (it tries once a second: lockRetryCount)
     */
    FlywayEngine(Path folder, Database database, Connection session, Console console, MigrationFormat.Options options) {
        this.folder = folder;
        this.database = database;
        this.session = session;
        this.console = console;
        this.lockTimeout = options.lockTimeout();
        this.statementTimeout = options.statementTimeout();
        this.lockWait = options.lockWait();
        quietFlyway(console);
    }

    @Override
    public Plan plan(String target) {
        try {
            history = MigrationHistory.read(session, folder);
        } catch (SQLException e) {
            if ("42501".equals(e.getSQLState())) throw MigrationFailure.noPrivilege(session, HistoryTable.FLYWAY, e);
            throw KitException.unreachable("lost the connection while reading " + HistoryTable.FLYWAY + ": " + Database.firstLine(e.getMessage()), e);
        }
        MigrationHistory.refuseProblems(history.problems); // a misnamed file, a link to nothing: Flyway would skip them silently
        try {
            TransactionPooler.same(database, session, history.serverProcess);
        } catch (SQLException e) {
            throw MigrationFailure.lost(e);
        }
        String flywayTarget = target;
        if (target != null && !List.of("latest", "current", "next").contains(target) && !target.endsWith("?")) {
            String version;
            try {
                // the version as the file names it: 2, 2.0 or V2 (V2__x.sql) are one migration; Flyway takes the first form only
                version = MigrationFile.normalizeVersion(target.startsWith("V") ? target.substring(1) : target);
            } catch (NumberFormatException e) {
                version = null;
            }
            String wanted = version;
            if (wanted == null || history.files.stream().noneMatch(f -> f.version.equals(wanted))) {
                throw KitException.usage("--target " + target + " names no migration in " + folder + (history.files.isEmpty() ? ""
                        : " (the versions there run from " + history.files.get(0).version + " to " + history.files.get(history.files.size() - 1).version + ")")
                        + "; give the version of one of them. Nothing was applied.");
            }
            flywayTarget = wanted;
        }
        // Flyway's validation refuses a renamed file too, but its message does not say which
        stopOnDrift(history.renamed.stream().map(MigrationHistory.Renamed::sentence).toList());
        // nothing to do is the common case: said from the history, without starting Flyway
        if (target == null && history.historyExists && !history.entries.isEmpty() && history.onlyVersionedFiles && history.unversionedRows == 0
                && history.entries.stream().allMatch(e -> e.state() == MigrationHistory.State.APPLIED)) {
            return new Plan(List.of(), history.currentVersion());
        }
        flyway = flyway(flywayTarget);
        List<MigrationFile> pending = new ArrayList<>();
        String current;
        if (target == null && historySuffices()) {
            // what Flyway's info would say, read already: its own session and catalog queries (24 round trips over TLS) saved
            for (MigrationHistory.Entry e : history.entries) if (e.state() == MigrationHistory.State.PENDING) pending.add(history.file(e.script()));
            current = history.currentVersion();
        } else {
            var info = unwrap(() -> flyway.info());
            stopOnDrift(drift(info.all()));
            for (MigrationInfo m : info.pending()) {
                MigrationFile file = m.getScript() == null ? null : history.file(m.getScript());
                if (file == null) file = MigrationFile.resolvedByFlyway(folder, Path.of(m.getPhysicalLocation()), String.valueOf(m.getVersion()), m.getDescription());
                pending.add(file);
            }
            current = info.current() == null ? null : info.current().getVersion().toString();
        }
        // Flyway would run the first pending migration and fail only when it records it (rolled back, but blamed on the file)
        if (!pending.isEmpty() && !history.writable) throw MigrationFailure.noPrivilege(session, HistoryTable.FLYWAY, null);
        for (MigrationFile file : pending) {
            boolean outside = file.needsNoTransaction();
            if (outside && file.statements().stream().anyMatch(s -> !MigrationFile.needsNoTransaction(s))) {
                throw KitException.usage(file.name + " mixes statements that need a transaction with ones that cannot run in one (such as CREATE INDEX CONCURRENTLY or ALTER SYSTEM); move the latter into a migration of their own. Nothing was applied.");
            }
        }
        return new Plan(pending, current);
    }

    /**
     * Whether the kit's own read of the history already says what Flyway's info would: only
     * versioned files and rows, every row applied with its file unchanged, and every file not yet applied
     * newer than all that are (Flyway would refuse an older one as out of order, or a baseline
     * would hide it). Anything else asks Flyway, for its own verdict; and Flyway validates again
     * as it migrates, so a difference between the two reads stops the run before it applies.
     */
    private boolean historySuffices() {
        if (!history.onlyVersionedFiles || history.unversionedRows > 0) return false;
        boolean pendingSeen = false;
        for (MigrationHistory.Entry e : history.entries) {
            switch (e.state()) {
                case PENDING -> pendingSeen = true;
                case APPLIED -> {
                    // a row without a checksum (a baseline, or one written by hand) is Flyway's to judge
                    if (pendingSeen || history.file(e.script()) == null || e.appliedChecksum() == null) return false;
                }
                default -> {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public Outcome apply(Plan plan, Progress progress) {
        if (plan.pending().isEmpty()) return new Outcome(0, plan.current());
        listener.progress = progress;
        // Flyway's lock key is Flyway's own business; another migrate that holds an advisory lock is the one to wait for
        String holder;
        try {
            TransactionPooler.verify(database, session);
            holder = AdvisoryLocks.holderByApplication(session, database.applicationName);
        } catch (SQLException e) {
            throw MigrationFailure.lost(e);
        }
        String lockName = "the migration lock (Flyway's advisory lock)";
        if (holder != null) console.note(AdvisoryLocks.waiting(lockName, holder, lockWait));
        MigrateResult result;
        try {
            result = flyway.migrate();
        } catch (FlywayException e) {
            rethrowKit(e);
            if (!listener.started() && String.valueOf(e.getMessage()).contains("advisory lock")) {
                throw KitException.failed(AdvisoryLocks.gaveUp(lockName, holder, lockWait) + "nothing was applied: run migrate again once it has finished, or wait longer with --lock-wait 5m.", e);
            }
            if (e instanceof FlywayValidateException) {
                throw KitException.drift("the applied migrations changed while migrate was starting: " + Database.firstLine(e.getMessage()));
            }
            KitException failure = listener.failure(e, lockTimeout, statementTimeout);
            SQLException sql = Causes.find(e, SQLException.class);
            if (listener.started() && CommitOutcome.lostLink(sql)) throw listener.settle(failure, sql);
            throw failure; // the migration that failed is not applied, whatever Flyway did with it before its commit
        }
        listener.confirm();
        String version = result.targetSchemaVersion;
        if (version == null) {
            // nothing executed: another run applied them while this one waited, so the version is read again, not taken from before the wait
            var current = unwrap(() -> flyway.info()).current();
            version = current != null && current.getVersion() != null ? current.getVersion().toString() : plan.current();
        }
        return new Outcome(result.migrationsExecuted, version);
    }

    @Override
    public void close() {
        // Flyway closes its own connections; the session is the command's
    }

    private Flyway flyway(String target) {
        listener = new FlywayListener(folder, history, database);
        var config = Flyway.configure()
                .dataSource(database.dataSource())
                .locations("filesystem:" + folder)
                .failOnMissingLocations(true)
                .cleanDisabled(true)
                .placeholderReplacement(false)
                .validateMigrationNaming(true)
                .validateOnMigrate(true)
                .callbacks(listener)
                // Flyway tries its lock once a second, lockRetryCount more times
                .lockRetryCount((int) Math.max(0, (lockWait.toMillis() + 999) / 1000));
        // A transaction-level advisory lock makes CREATE INDEX CONCURRENTLY wait on Flyway's own second
        // session (idle in transaction, holding a snapshot: measured with Flyway 13.12 on PostgreSQL 17),
        // and records each migration's history row on that second session, committed after the
        // migration's own: a lost link between the two commits would leave a migration applied and
        // unrecorded. The session-level lock keeps the migration and its row in one transaction; a
        // session that a pooler could take from under it is watched (FlywayListener, TransactionPooler).
        config.getConfigurationExtension(org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension.class).setTransactionalLock(false);
        if (database.target.schema() != null) config.schemas(database.target.schema());
        if (target != null) config.target(target);
        try {
            return config.load();
        } catch (FlywayException e) {
            throw KitException.usage("Flyway refused its configuration: " + e.getMessage());
        }
    }

    /** Applied migrations that disagree with the files here: edited, missing, or recorded as failed. */
    private List<String> drift(MigrationInfo[] all) {
        List<String> problems = new ArrayList<>();
        for (MigrationInfo m : all) {
            String name = m.getVersion() == null && m.getScript() != null ? m.getScript() : (m.getVersion() == null ? "R" : "V" + m.getVersion()) + "__" + m.getDescription().replace(' ', '_') + ".sql";
            MigrationState state = m.getState();
            // FUTURE_*: applied, newer than every file here; for this kit that is a missing file too
            if (state == MigrationState.MISSING_SUCCESS || state == MigrationState.MISSING_FAILED || state == MigrationState.FUTURE_SUCCESS) {
                String which = m.getVersion() == null ? "repeatable migration " + name : "migration " + m.getVersion() + " (" + m.getDescription() + ")";
                // a repeatable applied several times comes back once per row: said once
                if (problems.stream().anyMatch(p -> p.startsWith(which + " "))) continue;
                problems.add(which + " is applied in the database but its file is missing from " + folder
                        + ": restore the file, or check that --dir points at the right kit.");
            } else if (state == MigrationState.FAILED || state == MigrationState.FUTURE_FAILED) {
                problems.add(name + " is recorded as failed in flyway_schema_history: fix the database by hand, delete that history row, and run migrate again.");
            } else if (m.getVersion() != null && m.isApplied() && m.getResolvedChecksum() != null && !m.isChecksumMatching()) { // a changed repeatable is Flyway's to apply again
                problems.add(name + " was edited after it was applied (checksum " + m.getAppliedChecksum() + " in the database, "
                        + m.getResolvedChecksum() + " in the file): restore the file as it was applied and put the change in a new migration.");
            }
        }
        return problems;
    }

    private void stopOnDrift(List<String> drift) {
        if (drift.isEmpty()) return;
        for (int i = 0; i < drift.size() - 1; i++) console.error(drift.get(i));
        throw KitException.drift(drift.get(drift.size() - 1));
    }

    /** Flyway logs through java.util.logging at INFO; the kit speaks for itself unless --verbose. */
    private static final java.util.logging.Logger FLYWAY_LOG = java.util.logging.Logger.getLogger("org.flywaydb");

    static void quietFlyway(Console console) {
        for (java.util.logging.Handler h : FLYWAY_LOG.getHandlers()) FLYWAY_LOG.removeHandler(h);
        FLYWAY_LOG.setUseParentHandlers(false);
        FLYWAY_LOG.setLevel(console.verbose ? java.util.logging.Level.INFO : java.util.logging.Level.OFF);
        if (console.verbose) {
            FLYWAY_LOG.addHandler(new java.util.logging.Handler() {
                public void publish(java.util.logging.LogRecord r) {
                    // the kit's own callback runs for every statement; saying so each time is noise
                    if (!String.valueOf(r.getMessage()).startsWith("Executing Java callback")) console.debug("flyway: " + r.getMessage());
                }
                public void flush() {}
                public void close() {}
            });
        }
    }

    /** A KitException thrown by our DataSource inside Flyway keeps its own sentence and exit code. */
    private static void rethrowKit(Throwable e) {
        KitException k = Causes.find(e, KitException.class);
        if (k != null) throw k;
    }

    private static <T> T unwrap(java.util.function.Supplier<T> action) {
        try {
            return action.get();
        } catch (FlywayException e) {
            rethrowKit(e);
            throw KitException.failed("Flyway could not read the migration state: " + Database.firstLine(e.getMessage()), e);
        }
    }
}
