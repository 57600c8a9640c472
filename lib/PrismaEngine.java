//SOURCES MigrationEngine.java MigrationFormat.java PrismaMigrations.java HistoryTable.java MigrationHistory.java MigrationFile.java MigrationFailure.java
//SOURCES AdvisoryLocks.java Flight.java SqlScript.java Database.java Console.java KitException.java
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A Prisma migrations folder (<name>/migration.sql) applied as Prisma's schema engine applies it:
 * each file whole, in one simple-protocol query (the server sees it as written, in one round trip),
 * recorded in _prisma_migrations as Prisma records it, under Prisma's advisory lock, held from the
 * plan to the end of the run. The kit adds one thing: the file and its history row commit together,
 * so a failure leaves nothing. A file with its own BEGIN/COMMIT, or with a statement that cannot run
 * in a transaction, runs as written, statement by statement, and a failure is recorded as Prisma does.
 */
final class PrismaEngine implements MigrationEngine {
    final Path folder;
    final List<MigrationFile> all;
    private final Connection c;
    private final Duration lockTimeout, statementTimeout;
    /** What the database held when the run started: read with the lock, in the same round trip. */
    private final PrismaMigrations.Read read;
    private final boolean table;
    /** Whether this engine holds Prisma's lock (a rehearsal takes none): only then does close() release it. */
    private final boolean holdsLock;

    /**
     * @param c a session from a database the format prepared (simple query protocol); Prisma's lock is
     *     taken on it, as `options` say, until {@link #close}. The wait for a lock another session holds
     *     is said at once, with who holds it, and bounded by the lock wait, not by the session's
     *     lock_timeout, which is for migrations. A rehearsal takes no lock on the target, so it never
     *     keeps a real deploy (`prisma migrate deploy` or migrate) waiting.
     */
    PrismaEngine(Path folder, Connection c, Console console, MigrationFormat.Options options) throws SQLException {
        boolean lock = options.takeLock();
        this.folder = folder;
        this.c = c;
        this.lockTimeout = options.lockTimeout();
        this.statementTimeout = options.statementTimeout();
        this.all = PrismaMigrations.list(folder, console::note);
        // Prisma's own lock: the kit and a `prisma migrate deploy` cannot both apply. Tried in one
        // flight with the read of the history, which then stands: it ran once the lock was held.
        PrismaMigrations.Read[] read = new PrismaMigrations.Read[1];
        boolean[] locked = {!lock};
        Flight flight = new Flight();
        if (lock) flight.add("select pg_try_advisory_lock(?)", rs -> locked[0] = rs.next() && rs.getBoolean(1), PrismaMigrations.PRISMA_LOCK);
        PrismaMigrations.read(flight, r -> read[0] = r);
        try {
            flight.send(c);
        } catch (SQLException e) {
            throw lost(e);
        }
        if (!locked[0]) {
            AdvisoryLocks.take(c, PrismaMigrations.PRISMA_LOCK, false, "Prisma's migration lock", options.lockWait(), console::note,
                    "nothing was applied: run migrate again once it has finished, or wait longer with --lock-wait 5m.");
            try {
                read[0] = PrismaMigrations.read(c); // what the holder left
            } catch (SQLException e) {
                throw lost(e);
            }
        }
        this.read = read[0];
        this.table = this.read.tableExists();
        this.holdsLock = lock;
    }

    /** Every history table that exists had row-level security at the start; the run creates _prisma_migrations with it. */
    @Override
    public boolean historyProtected() {
        return read.historiesProtected();
    }

    @Override
    public Plan plan(String target) {
        if (target != null && all.stream().noneMatch(m -> m.version.equals(target))) {
            throw KitException.usage("--target " + target + " names no migration in " + folder + "; give the name of one of its folders. Nothing was applied.");
        }
        if (!table) {
            List<String> tables = read.tables();
            if (!tables.isEmpty()) {
                throw KitException.drift("the database already has tables (" + String.join(", ", tables.subList(0, Math.min(5, tables.size())))
                        + (tables.size() > 5 ? ", ..." : "") + ") but no _prisma_migrations table, so Prisma never migrated it"
                        + (tables.contains("flyway_schema_history") ? " (the kit's Flyway migrations did)" : "")
                        + ": if it already has the schema of the migrations up to some NAME, run again with --baseline-prisma NAME to mark those applied without running them.");
            }
        }
        MigrationHistory history = PrismaMigrations.history(all, read);
        for (MigrationHistory.Entry e : history.entries) {
            if (e.state() != MigrationHistory.State.FAILED) continue;
            String name = e.version();
            throw KitException.drift("migration " + name + " failed in an earlier run and is recorded as failed in _prisma_migrations (Prisma's P3009); "
                    + "either undo what it left behind and run migrate --prisma " + folder + " --resolve-rolled-back " + name + " (it is then applied again), "
                    + "or finish it by hand and run --resolve-applied " + name + ".");
        }
        List<String> drift = new ArrayList<>();
        for (MigrationHistory.Entry e : history.entries) {
            if (e.state() == MigrationHistory.State.EDITED) {
                drift.add(e.script() + " was edited after it was applied (its checksum differs from the one in _prisma_migrations): restore the file as it was applied and put the change in a new migration.");
            } else if (e.state() == MigrationHistory.State.MISSING) {
                drift.add("migration " + e.version() + " is applied in the database but its folder is missing from " + folder + ": restore it, or check that --prisma points at the right folder.");
            }
        }
        if (!drift.isEmpty()) throw KitException.drift(String.join(" ", drift));
        List<MigrationFile> pending = new ArrayList<>();
        for (MigrationFile m : all) {
            boolean isPending = history.entries.stream().anyMatch(e -> e.version().equals(m.version) && e.state() == MigrationHistory.State.PENDING);
            if (isPending && (target == null || m.version.compareTo(target) <= 0)) pending.add(m);
        }
        return new Plan(pending, history.currentVersion());
    }

    @Override
    public Outcome apply(Plan plan, Progress progress) {
        if (plan.pending().isEmpty()) return new Outcome(0, plan.current());
        try {
            // the history table, created with row-level security as the kit gives every history table: in
            // the first migration's transaction (no round trip of its own; a failure there leaves nothing),
            // or first on its own when that migration runs as written
            String create = table ? null : PrismaMigrations.CREATE_PROTECTED;
            for (MigrationFile m : plan.pending()) {
                progress.applying(m);
                long t = System.nanoTime();
                if (m.needsNoTransaction() || m.ownsTransaction()) {
                    if (create != null) {
                        try (var st = c.createStatement()) {
                            st.execute(create);
                        }
                    }
                    create = null;
                    applyAsWritten(m);
                } else {
                    applyWhole(m, create);
                    create = null;
                }
                progress.applied(m, (System.nanoTime() - t) / 1_000_000);
            }
        } catch (SQLException e) {
            throw lost(e);
        }
        return new Outcome(plan.pending().size(), plan.pending().get(plan.pending().size() - 1).version);
    }

    /**
     * Three round trips: the history row (in a transaction; with the history table itself when
     * createTable is given), the file whole and unsplit, the row finished and the commit. A failure
     * rolls back all of it.
     */
    private void applyWhole(MigrationFile m, String createTable) throws SQLException {
        String id = UUID.randomUUID().toString();
        boolean recorded = false, inScript = false;
        try (Statement st = c.createStatement()) {
            st.setEscapeProcessing(false);
            st.execute("begin; " + (createTable == null ? "" : createTable + ";\n") + PrismaMigrations.started(id, m));
            recorded = true;
            inScript = true;
            st.execute(m.text);
            inScript = false;
            st.execute(PrismaMigrations.finished(id) + "; commit");
        } catch (SQLException e) {
            rollbackQuietly();
            // the history (table or row) could not be written: the file never ran and is not at fault
            if (!recorded && !MigrationFailure.sessionEnded(String.valueOf(e.getSQLState()))) throw historyNotWritten(m, e);
            throw MigrationFailure.explain(m, inScript ? 0 : -1, true, e, MigrationFailure.Aftermath.ROLLED_BACK, lockTimeout, statementTimeout);
        }
    }

    /** The history row (or the table this run was creating) refused before a file ran: the role or the schema is what must change. */
    private KitException historyNotWritten(MigrationFile m, SQLException e) {
        if ("42501".equals(e.getSQLState())) return MigrationFailure.noPrivilege(c, HistoryTable.PRISMA, e);
        return KitException.failed("_prisma_migrations could not be written before " + m.name + " ran (" + Database.firstLine(e.getMessage())
                + "), so nothing was applied: check the schema in the URL and the role's privileges there, then run migrate again.", e);
    }

    /** A script that manages its own transaction (or needs none) runs as written; a failure is recorded as failed, as Prisma does. */
    private void applyAsWritten(MigrationFile m) throws SQLException {
        String id = PrismaMigrations.recordStarted(c, m);
        SqlScript.Statement running = null;
        try (Statement st = c.createStatement()) {
            st.setEscapeProcessing(false);
            for (SqlScript.Statement s : m.statements()) {
                running = s;
                st.execute(s.sql());
            }
        } catch (SQLException e) {
            rollbackQuietly(); // leave any transaction the script opened
            PrismaMigrations.recordFailed(c, id, Database.firstLine(e.getMessage()));
            throw MigrationFailure.explain(m, running == null ? -1 : running.offset(), false, e, MigrationFailure.Aftermath.RECORDED_AS_FAILED, lockTimeout, statementTimeout);
        }
        PrismaMigrations.recordFinished(c, id);
    }

    private void rollbackQuietly() {
        try (var st = c.createStatement()) {
            st.execute("rollback");
        } catch (SQLException gone) {
            // no transaction was open, or the session is gone and the server rolled back
        }
    }

    /** Prisma's bookkeeping, when asked for: the line to print; null when none was asked. */
    @Override
    public String bookkeep(MigrationFormat.Bookkeeping asked, boolean dryRun) throws SQLException {
        if (asked.resolveApplied() != null || asked.resolveRolledBack() != null) return resolve(asked.resolveApplied(), asked.resolveRolledBack(), dryRun);
        return asked.baseline() == null ? null : baseline(asked.baseline(), dryRun);
    }

    /** --resolve-applied / --resolve-rolled-back NAME, as `prisma migrate resolve` writes them; returns the line to print. */
    private String resolve(String applied, String rolledBack, boolean dryRun) throws SQLException {
        String name = applied != null ? applied : rolledBack;
        if (applied != null && rolledBack != null) throw KitException.usage("give either --resolve-applied or --resolve-rolled-back, not both.");
        if (!table) throw KitException.usage("there is no _prisma_migrations table, so there is nothing to resolve.");
        MigrationFile m = all.stream().filter(x -> x.version.equals(name)).findFirst()
                .orElseThrow(() -> KitException.usage("there is no migration called \"" + name + "\" in the Prisma folder."));
        List<PrismaMigrations.Row> rows = read.rows().stream().filter(r -> r.name().equals(name)).toList();
        if (rolledBack != null) {
            if (rows.stream().noneMatch(PrismaMigrations.Row::failed)) {
                throw KitException.usage("migration " + name + " is not recorded as failed, so it cannot be marked rolled back.");
            }
            if (!dryRun) PrismaMigrations.markRolledBack(c, name);
            return (dryRun ? "Would mark " : "Marked ") + name + " as rolled back; the next migrate applies it again.";
        }
        if (rows.stream().anyMatch(PrismaMigrations.Row::applied)) throw KitException.usage("migration " + name + " is already recorded as applied.");
        if (!dryRun) PrismaMigrations.markApplied(c, m);
        return (dryRun ? "Would mark " : "Marked ") + name + " as applied without running it.";
    }

    /** --baseline-prisma NAME: the migrations up to NAME marked applied without running them; returns the line to print. */
    private String baseline(String upToName, boolean dryRun) throws SQLException {
        if (table) throw KitException.usage("the database already has a _prisma_migrations table, so there is nothing to baseline; run migrate without --baseline-prisma.");
        if (all.stream().noneMatch(m -> m.version.equals(upToName))) {
            throw KitException.usage("there is no migration called \"" + upToName + "\" in the Prisma folder to baseline up to.");
        }
        List<MigrationFile> upTo = all.stream().filter(m -> m.version.compareTo(upToName) <= 0).toList();
        if (!dryRun) {
            Database.inTransaction(c, st -> {
                st.execute(PrismaMigrations.CREATE_PROTECTED);
                for (MigrationFile m : upTo) PrismaMigrations.markApplied(c, m);
            });
        }
        return (dryRun ? "Would mark " : "Marked ") + upTo.size() + " migration" + (upTo.size() == 1 ? "" : "s") + " up to " + upToName
                + " as applied without running them; the next migrate applies the rest.";
    }

    private KitException lost(SQLException e) {
        if ("42501".equals(e.getSQLState())) return MigrationFailure.noPrivilege(c, HistoryTable.PRISMA, e);
        return MigrationFailure.lost(e);
    }

    @Override
    public void close() {
        try (var st = c.createStatement()) {
            if (!c.getAutoCommit()) c.rollback();
            c.setAutoCommit(true);
            // an unlock of a lock not held is a WARNING in the server's log
            if (holdsLock) st.execute("select pg_advisory_unlock(" + PrismaMigrations.PRISMA_LOCK + ")");
        } catch (SQLException ignored) {
            // the lock goes with the session
        }
    }
}
