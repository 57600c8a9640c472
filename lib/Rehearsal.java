//SOURCES MigrationFormat.java MigrationEngine.java MigrationFile.java SchemaDrift.java ShadowServer.java Phase.java DataChecks.java LockReport.java SqlScript.java
//SOURCES RowCopy.java StatementRun.java RehearsalVerdict.java RehearsalReport.java RehearsalOptions.java RowCopyPlan.java
//SOURCES MigrateReport.java DatabaseTarget.java Database.java Console.java Durations.java KitException.java ExitCode.java SecurityForecast.java
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * migrate --rehearse: the pending migrations run on a faithful copy of the target that holds the
 * target's rows, and a verdict that says what was proven. Nothing is written to the target: its
 * sessions are read-only (default_transaction_read_only, set by the caller), and everything that
 * runs a migration runs on a throwaway shadow PostgreSQL of the target's version.
 *
 * 1. The shadow is built from the migrations the target has applied, through the engine migrate
 *    uses, and its catalog compared with the target's: a difference stops the rehearsal (exit 5).
 * 2. The target's rows go into it from one read-only snapshot, within a budget ({@link RowCopy}).
 * 3. The checks of the target's rows ({@link DataChecks}) run for statements on tables not copied.
 * 4. A second copy (a template of the first) runs each pending migration statement by statement:
 *    time, locks over the copied rows, the tables each statement reads, what it destroys
 *    ({@link StatementRun}).
 * 5. The first copy gets the pending migrations through the engine and code path of a real run: its
 *    failure is the prediction, when the failing statement had its rows there.
 * 6. The verdict ({@link RehearsalVerdict}): 0 every statement proven, 1 something not proven (named),
 *    4 a predicted failure.
 */
final class Rehearsal {
    /** statement_timeout and lock_timeout of each read-only question to the target, and of the copy's locks there. */
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(5);

    /** The rehearsal's report and its exit code (0 proven, 1 not proven; a predicted failure is thrown). */
    record Outcome(Map<String, Object> doc, int exitCode) {
        int reportedBy(MigrateReport report) {
            return report.rehearsed(doc, exitCode);
        }
    }

    private final Connection target;
    private final MigrationFormat format;
    private final Console console;
    private final MigrationFormat.Options options;
    private final RehearsalOptions rows;
    private final List<String> exposedSchemas;
    /** --shadow-url: the operator's server for the copy, or null for a throwaway embedded one. */
    private final DatabaseTarget shadowUrl;

    /** @param options the run's: its timeouts hold on the copy too; @param exposedSchemas the schemas Supabase's Data API serves */
    Rehearsal(Connection target, MigrationFormat format, Console console, MigrationFormat.Options options, RehearsalOptions rows, List<String> exposedSchemas, DatabaseTarget shadowUrl) {
        this.target = target;
        this.format = format;
        this.console = console;
        this.options = options;
        this.rows = rows;
        this.exposedSchemas = exposedSchemas;
        this.shadowUrl = shadowUrl;
    }

    /** Rehearses `plan` (read from the target); returns the report, or throws with the exit code. */
    Outcome run(MigrationEngine.Plan plan, String targetVersion) throws SQLException {
        try {
            return rehearse(plan, targetVersion);
        } catch (SQLException e) {
            String state = String.valueOf(e.getSQLState());
            if (!state.equals("55P03") && !state.equals("57014")) throw e;
            // the target's catalog read waited on a lock the live app holds: nothing is proven, nothing predicted
            throw new KitException(ExitCode.NOT_PROVEN, "the rehearsal could not read the target within " + Durations.format(options.lockTimeout())
                    + (state.equals("55P03") ? " (--lock-timeout)" : "") + ": " + Database.firstLine(e.getMessage()) + heldBy()
                    + "; nothing was proven and nothing was written to the target: rehearse again once that session has finished.", e);
        }
    }

    /** ", while another session holds ACCESS EXCLUSIVE on "Member" (application "x", process 4242)", or "" when none is seen. */
    private String heldBy() {
        try (var st = target.createStatement(); var rs = st.executeQuery("""
                select c.relname, nullif(a.application_name, ''), a.pid from pg_locks l join pg_class c on c.oid = l.relation
                left join pg_stat_activity a on a.pid = l.pid
                where l.granted and l.mode = 'AccessExclusiveLock' and l.pid <> pg_backend_pid() and l.database = (select oid from pg_database where datname = current_database())
                order by 1 limit 1""")) {
            if (!rs.next()) return "";
            return ", while another session holds an ACCESS EXCLUSIVE lock on " + SqlScript.identifier(rs.getString(1))
                    + " (" + (rs.getString(2) == null ? "" : "application \"" + rs.getString(2) + "\", ") + "process " + rs.getInt(3) + ")";
        } catch (SQLException unseen) {
            return "";
        }
    }

    private Outcome rehearse(MigrationEngine.Plan plan, String targetVersion) throws SQLException {
        long started = System.nanoTime();
        RehearsalReport report = new RehearsalReport(console, started);
        console.line("Rehearsal on a copy of the target's schema" + (rows.noRows ? "" : " and rows") + " (the target is only read):");
        try (SchemaDrift.Shadow shadow = SchemaDrift.build(target, plan.current(), plan.pending(), format, console, "--rehearse", shadowUrl)) {
            if (!shadow.differences.isEmpty()) {
                for (String d : shadow.differences) console.error("DRIFT: " + d);
                KitException e = KitException.drift("the target's schema differs from what its applied migrations build (" + MigrateReport.plural(shadow.differences.size(), "difference")
                        + " above), so a rehearsal on a copy would prove nothing: settle the drift (status --schema), then rehearse again.");
                e.details.put("drift", shadow.differences);
                throw e;
            }
            console.line("  the copy matches the target's schema" + (plan.current() == null ? " (no migration applied yet)" : " at version " + plan.current()));
            if (plan.pending().isEmpty()) {
                console.line("Rehearsal: passes: nothing to apply (" + Durations.since(started) + ").");
                return new Outcome(report.doc, ExitCode.OK);
            }
            RowCopy.Result copied;
            boolean superuser;
            try (Connection copy = session(shadow, "shadow")) {
                superuser = superuser(copy);
                // loading rows (session_replication_role) and recording drops (an event trigger) take a superuser: a --shadow-url role may be none
                String withoutRows = rows.noRows ? "--no-rows" : superuser ? null : "the shadow's role is not a superuser, which loading them takes";
                copied = Phase.timed(console, "copying the target's rows", () -> RowCopy.copy(target, copy, RowCopyPlan.named(plan.pending()), rows.budget(), withoutRows, CHECK_TIMEOUT));
            }
            report.copied(copied);
            if (!superuser) console.line("  what each migration drops is not recorded: the event trigger that records it takes a superuser too");
            // a second copy, rows and all, in the state before the pending migrations, for running them statement by statement
            shadow.server.copyDatabase("shadow", "locks");
            List<DataChecks.Prediction> predictions = Phase.timed(console, "asking the target's rows", () -> askTheData(plan.pending(), copied.plan()));

            Map<String, StatementRun.Measured> measured = new LinkedHashMap<>();
            StatementRun.Failed failed;
            StatementRun run;
            try (Connection c = session(shadow, "locks")) {
                run = new StatementRun(c, copied.rows(), copied.plan().currentSchema, superuser);
                failed = Phase.timed(console, "measuring each statement on a second copy", () -> measure(run, plan.pending(), measured));
            }
            withTargetRows(measured);
            // the copy gets the target's grants first, so that only what the pending migrations open is predicted
            SecurityForecast security = SecurityForecast.prepare(target, shadow.server, exposedSchemas, console);
            Map<String, Long> applied = new LinkedHashMap<>();
            KitException engine = Phase.timed(console, "applying the pending migrations to the copy", () -> applyToCopy(shadow.server, targetVersion, applied));
            RehearsalVerdict verdict = new RehearsalVerdict(plan.pending(), measured, failed, applied.keySet(), engine, predictions, new RehearsalVerdict.Rows() {
                public boolean targets(long table) {
                    return run.hasTargetRows(table);
                }

                public String whyNot(long table) {
                    String why = copied.plan().notCopied.get(table);
                    return run.name(table) + " (not copied: " + (why == null ? "not one of the target's own tables" : why) + ")";
                }

                public boolean everything() {
                    return copied.plan().notCopied.isEmpty();
                }
            });
            return new Outcome(report.doc, report.verdict(plan.pending(), measured, applied, engine, predictions, verdict,
                    () -> security.report(shadow.server, plan.pending(), console)));
        }
    }

    /** Whether the session's role is a superuser (the embedded shadow's always is; a --shadow-url role may not be). */
    private static boolean superuser(Connection c) throws SQLException {
        try (var st = c.createStatement(); var rs = st.executeQuery("select rolsuper from pg_roles where rolname = current_user")) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    /** A superuser session on one of the shadow's databases: "shadow" (the engine's copy) or "locks" (the statement-by-statement copy). */
    private static Connection session(SchemaDrift.Shadow shadow, String database) throws SQLException {
        return shadow.server.admin(database);
    }

    /** The checks of the target's rows, read-only, one bounded query each, for statements whose tables the copy lacks. */
    private List<DataChecks.Prediction> askTheData(List<MigrationFile> pending, RowCopyPlan plan) throws SQLException {
        Set<String> onCopy = new java.util.HashSet<>();
        for (RowCopyPlan.Table t : plan.tables) if (!plan.notCopied.containsKey(t.oid())) onCopy.add(t.schema() + "." + t.name());
        DataChecks checks = new DataChecks(target, CHECK_TIMEOUT, Set.of(),
                (schema, name) -> name == null || onCopy.contains((schema == null ? plan.currentSchema : schema) + "." + name));
        List<DataChecks.Prediction> out = new ArrayList<>();
        for (MigrationFile m : pending) {
            for (SqlScript.Statement s : m.statements()) out.addAll(checks.check(m.name, s.line(), s.sql()));
        }
        return out;
    }

    /** Each pending migration statement by statement on the second copy; where it stopped, or null. */
    private static StatementRun.Failed measure(StatementRun run, List<MigrationFile> pending, Map<String, StatementRun.Measured> measured) throws SQLException {
        for (MigrationFile m : pending) {
            List<LockReport.Step> steps = new ArrayList<>();
            for (SqlScript.Statement s : m.statements()) {
                // a file with its own BEGIN/COMMIT is measured as the one transaction it makes
                if (!MigrationFile.controlsTransaction(s)) steps.add(new LockReport.Step(s.line(), s.sql()));
            }
            try {
                for (StatementRun.Measured x : run.migration(m.name, steps, !m.needsNoTransaction())) measured.put(m.name + ":" + x.line(), x);
            } catch (StatementRun.Failed f) {
                for (StatementRun.Measured x : f.before) measured.put(m.name + ":" + x.line(), x);
                return f;
            }
        }
        return null;
    }

    /** Locks on tables whose rows were not copied get the target's estimate of their rows (one read-only query). */
    private void withTargetRows(Map<String, StatementRun.Measured> measured) throws SQLException {
        List<String> names = new ArrayList<>();
        for (StatementRun.Measured m : measured.values()) for (LockReport.Lock l : m.locks()) if (!l.onCopy() && l.rows() != null && !names.contains(l.table())) names.add(l.table());
        Map<String, Long> rows = LockReport.targetRows(target, CHECK_TIMEOUT, names);
        for (var e : measured.entrySet()) {
            StatementRun.Measured m = e.getValue();
            List<LockReport.Lock> locks = new ArrayList<>();
            for (LockReport.Lock l : m.locks()) locks.add(l.onCopy() || l.rows() == null ? l : l.with(rows.getOrDefault(l.table(), 0L), false, l.heldMs()));
            e.setValue(new StatementRun.Measured(m.file(), m.line(), m.statement(), m.ms(), locks, m.reads(), m.destroys(), m.notMeasured()));
        }
    }

    /** The pending migrations applied to the copy through the engine a real run uses; its failure, or null. */
    private KitException applyToCopy(ShadowServer shadow, String targetVersion, Map<String, Long> applied) {
        DatabaseTarget copy = shadow.target("shadow");
        try {
            format.applyTo(copy, "rc-dbkit migrate --rehearse", targetVersion, MigrationFormat.Options.throwaway(options.lockTimeout(), options.statementTimeout()),
                    new MigrationEngine.Progress() {
                        public void applying(MigrationFile m) {}

                        public void applied(MigrationFile m, long ms) {
                            applied.put(m.name, ms);
                        }
                    });
            return null;
        } catch (KitException e) {
            return e;
        } catch (SQLException e) {
            throw KitException.failed("could not reach the rehearsal's copy: " + Database.firstLine(e.getMessage()), e);
        }
    }
}
