//SOURCES MigrationEngine.java MigrationFormat.java PrismaMigrations.java HistoryTable.java MigrationHistory.java MigrationFile.java MigrationFailure.java
//SOURCES PrismaLock.java Flight.java SqlScript.java Database.java TransactionPooler.java CommitOutcome.java PrismaBookkeeping.java Console.java KitException.java Watcher.java
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
 * On a session a pooler could hand to another server process, the process rides in the statements
 * the engine sends anyway (TransactionPooler): the lock is taken only by the session's own process,
 * each migration's transaction starts by asking it, and a change stops the run before it commits.
 */
final class PrismaEngine implements MigrationEngine {
    final Path folder;
    final List<MigrationFile> all;
    private final Connection c;
    private final Database database;
    /** The server process the session started on: Prisma's lock is taken and released by it alone. */
    private final int serverProcess;
    private final Duration lockTimeout, statementTimeout;
    /** What the database held when the run started: read with the lock, in the same round trip. */
    private final PrismaMigrations.Read read;
    private final boolean table;
    /** Whether this engine holds Prisma's lock (a rehearsal takes none): only then does close() release it. */
    private boolean holdsLock;

    /**
     * @param c a session from a database the format prepared (simple query protocol); Prisma's lock is
     *     taken on it, as `options` say, until {@link #close}. The wait for a lock another session holds
     *     is said at once, with who holds it, and bounded by the lock wait, not by the session's
     *     lock_timeout, which is for migrations. A rehearsal takes no lock on the target, so it never
     *     keeps a real deploy (`prisma migrate deploy` or migrate) waiting.
     */
    PrismaEngine(Path folder, Database database, Connection c, Console console, MigrationFormat.Options options) throws SQLException {
        boolean lock = options.takeLock();
        this.folder = folder;
        this.c = c;
        this.database = database;
        this.serverProcess = database.session(c).pid();
        this.lockTimeout = options.lockTimeout();
        this.statementTimeout = options.statementTimeout();
        List<String> problems = new ArrayList<>();
        this.all = PrismaMigrations.list(folder, problems::add);
        MigrationHistory.refuseProblems(problems);
        // Prisma's own lock: the kit and a `prisma migrate deploy` cannot both apply. Tried in one
        // flight with the read of the history, which then stands: it ran once the lock was held.
        PrismaMigrations.Read[] read = new PrismaMigrations.Read[1];
        boolean[] locked = {!lock};
        int[] lockedBy = {serverProcess};
        Flight flight = new Flight();
        if (lock) {
            // taken by the session's own server process only: a pooler's other process must not keep it
            flight.add("select case when pg_backend_pid() = ? then pg_try_advisory_lock(?) end, pg_backend_pid()", rs -> {
                locked[0] = rs.next() && rs.getBoolean(1);
                lockedBy[0] = rs.getInt(2);
            }, serverProcess, PrismaMigrations.PRISMA_LOCK);
        }
        PrismaMigrations.read(flight, r -> read[0] = r);
        opening(() -> {
            flight.send(c);
            holdsLock = lock && locked[0]; // before any close() below: only a lock taken is released
            TransactionPooler.same(database, c, lockedBy[0]);
            TransactionPooler.same(database, c, read[0].serverProcess());
        });
        if (!locked[0]) {
            PrismaLock.waitFor(database, c, console, options);
            holdsLock = true;
            opening(() -> {
                read[0] = PrismaMigrations.read(c); // what the holder left
                TransactionPooler.same(database, c, read[0].serverProcess());
            });
        }
        this.read = read[0];
        this.table = this.read.tableExists();
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
                Watcher.doing(m.name); // the live line of a long migration: the file, sent whole
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
                    applyWhole(m, create, () -> progress.applied(m, (System.nanoTime() - t) / 1_000_000));
                    create = null;
                }
                progress.applied(m, (System.nanoTime() - t) / 1_000_000);
            }
        } catch (SQLException e) {
            throw lost(e);
        } finally {
            Watcher.doing(null);
        }
        return new Outcome(plan.pending().size(), plan.pending().get(plan.pending().size() - 1).version);
    }

    /**
     * Three round trips: the history row (in a transaction; with the history table itself when
     * createTable is given), the file whole and unsplit, the row finished and the commit. A failure
     * rolls back all of it. When the link is lost with the commit in flight, a new session finds out
     * whether the transaction committed (its id rides in the first round trip): if it did, `applied`
     * is told, and the run stops there all the same, its link gone.
     */
    private void applyWhole(MigrationFile m, String createTable, Runnable applied) throws SQLException {
        String id = UUID.randomUUID().toString();
        boolean recorded = false, inScript = false, committing = false;
        int seen = serverProcess;
        String xid = null;
        try (Statement st = c.createStatement()) {
            st.setEscapeProcessing(false);
            st.execute("begin; select pg_backend_pid(), pg_current_xact_id()::text; " + (createTable == null ? "" : createTable + ";\n") + PrismaMigrations.started(id, m));
            try (var rs = firstResult(st)) {
                rs.next();
                seen = rs.getInt(1);
                xid = rs.getString(2);
                TransactionPooler.same(database, c, seen);
            } catch (KitException moved) {
                rollbackQuietly(); // inside the transaction: the same server process rolls it back
                throw moved;
            }
            recorded = true;
            inScript = true;
            st.execute(m.text);
            inScript = false;
            committing = true;
            st.execute(PrismaMigrations.finished(id) + "; commit");
        } catch (SQLException e) {
            if (committing && CommitOutcome.lostLink(e)) throw settled(m, e, CommitOutcome.ofTransaction(database, seen, xid), applied);
            rollbackQuietly();
            // the history (table or row) could not be written: the file never ran and is not at fault
            if (!recorded && !MigrationFailure.sessionEnded(String.valueOf(e.getSQLState()))) throw historyNotWritten(m, e);
            throw MigrationFailure.explain(m, inScript ? 0 : -1, true, e, MigrationFailure.Aftermath.ROLLED_BACK, lockTimeout, statementTimeout);
        }
    }

    /** The sentence for a migration whose commit's answer was lost, once a new session found out what became of it. */
    private KitException settled(MigrationFile m, SQLException lost, CommitOutcome.Verdict verdict, Runnable applied) {
        String cause = " (" + Database.firstLine(lost.getMessage()) + ")";
        return switch (verdict) {
            case COMMITTED -> {
                applied.run();
                yield KitException.unreachable(m.name + " was applied: the link to the server was lost as its commit was answered" + cause
                        + ", and a new session found its transaction committed; run migrate again for the migrations after it.", lost);
            }
            case ROLLED_BACK -> KitException.unreachable(m.name + " was not applied: the link to the server was lost as its commit was sent" + cause
                    + ", and a new session found its transaction rolled back, so nothing from it was applied and the file is not at fault: re-running migrate is safe.", lost);
            case UNKNOWN -> KitException.unreachable(m.name + ": the link to the server was lost as its commit was sent" + cause + ", and no new session could find out"
                    + " whether it was applied: run status once the database answers (it shows " + m.version + " as applied or pending), then migrate again.", lost);
        };
    }

    /** The first result set among the statement's results. */
    private static java.sql.ResultSet firstResult(Statement st) throws SQLException {
        boolean rows = st.getResultSet() != null;
        while (!rows) {
            if (st.getUpdateCount() == -1) throw new SQLException("no result");
            rows = st.getMoreResults();
        }
        return st.getResultSet();
    }

    /** The history row (or the table this run was creating) refused before a file ran: the role or the schema is what must change. */
    private KitException historyNotWritten(MigrationFile m, SQLException e) {
        if ("42501".equals(e.getSQLState())) return MigrationFailure.noPrivilege(c, HistoryTable.PRISMA, e);
        return KitException.failed("_prisma_migrations could not be written before " + m.name + " ran (" + Database.firstLine(e.getMessage())
                + "), so nothing was applied: check the schema in the URL and the role's privileges there, then run migrate again.", e);
    }

    /** A script that manages its own transaction (or needs none) runs as written; a failure is recorded as failed, as Prisma does. */
    private void applyAsWritten(MigrationFile m) throws SQLException {
        TransactionPooler.verify(database, c);
        String id = PrismaMigrations.recordStarted(c, m);
        boolean watched = TransactionPooler.watched(database, c);
        SqlScript.Statement running = null;
        try (Statement st = c.createStatement()) {
            st.setEscapeProcessing(false);
            for (SqlScript.Statement s : m.statements()) {
                running = s;
                Watcher.doing(m.name + " line " + s.line());
                if (watched) TransactionPooler.verify(database, c);
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
        var books = new PrismaBookkeeping(c, all, read, table);
        if (asked.resolveApplied() != null || asked.resolveRolledBack() != null) return books.resolve(asked.resolveApplied(), asked.resolveRolledBack(), dryRun);
        return asked.baseline() == null ? null : books.baseline(asked.baseline(), dryRun);
    }

    private interface OpeningStep {
        void run() throws SQLException;
    }

    /** A step of opening the engine: a lost session is said as lost; a refusal closes the engine (releasing a lock taken) first. */
    private void opening(OpeningStep step) {
        try {
            step.run();
        } catch (SQLException e) {
            throw lost(e);
        } catch (KitException e) {
            close();
            throw e;
        }
    }

    private KitException lost(SQLException e) {
        if ("42501".equals(e.getSQLState())) return MigrationFailure.noPrivilege(c, HistoryTable.PRISMA, e);
        return MigrationFailure.lost(e);
    }

    /** Ends any transaction left open and releases Prisma's lock, if this engine took it ({@link PrismaLock#release}). */
    @Override
    public void close() {
        try {
            if (!c.getAutoCommit()) c.rollback();
            c.setAutoCommit(true);
            // only a lock it holds: an unlock of a lock not held is a WARNING in the server's log
            if (holdsLock) PrismaLock.release(c, serverProcess);
        } catch (SQLException ignored) {
            // the lock goes with the session
        }
    }
}
