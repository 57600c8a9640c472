//SOURCES MigrationFormat.java MigrationEngine.java MigrationFile.java SchemaDrift.java ShadowServer.java Phase.java DataChecks.java LockReport.java SqlScript.java
//SOURCES MigrateReport.java DatabaseTarget.java Database.java Console.java Durations.java KitException.java
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * migrate --rehearse: the pending migrations tried on a faithful copy of the target's schema, and
 * the target's rows asked, read-only, which statements they would break. Nothing is written to the
 * target: its sessions are read-only (default_transaction_read_only, set by the caller), and
 * everything that runs a migration runs on a throwaway shadow PostgreSQL of the target's version.
 *
 * 1. The shadow is built from the migrations the target has applied, through the engine migrate
 *    uses, and its catalog compared with the target's: a difference stops the rehearsal (exit 5).
 * 2. The pending migrations are applied to the shadow by the same engine and code path as a real
 *    run, timed; the first failure is reported as a real run reports it (exit 4).
 * 3. Each pending statement whose success depends on rows (SET NOT NULL, keys, foreign keys,
 *    CHECK, type changes) is asked of the target's data with one bounded query (exit 4 when one
 *    would fail).
 * 4. What each statement locks, measured on a second copy taken before the pending migrations, with
 *    the number of rows the target holds in each locked relation.
 */
final class Rehearsal {
    /** statement_timeout and lock_timeout of each read-only question to the target. */
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(5);

    private final Connection target;
    private final MigrationFormat format;
    private final Console console;
    private final MigrationFormat.Options options;
    /** --shadow-url: the operator's server for the copy, or null for a throwaway embedded one. */
    private final DatabaseTarget shadowUrl;

    /** @param options the run's: its timeouts hold on the copy too */
    Rehearsal(Connection target, MigrationFormat format, Console console, MigrationFormat.Options options, DatabaseTarget shadowUrl) {
        this.target = target;
        this.format = format;
        this.console = console;
        this.options = options;
        this.shadowUrl = shadowUrl;
    }

    /** Rehearses `plan` (read from the target); returns the JSON part of the report, or throws with the exit code. */
    Map<String, Object> run(MigrationEngine.Plan plan, String targetVersion) throws SQLException {
        long started = System.nanoTime();
        Map<String, Object> doc = new LinkedHashMap<>();
        console.line("Rehearsal on a copy of the target's schema (the target is only read):");
        try (SchemaDrift.Shadow shadow = SchemaDrift.build(target, plan.current(), plan.pending(), format, console, "--rehearse", shadowUrl)) {
            if (!shadow.differences.isEmpty()) {
                for (String d : shadow.differences) console.error("DRIFT: " + d);
                doc.put("drift", shadow.differences);
                throw KitException.drift("the target's schema differs from what its applied migrations build (" + MigrateReport.plural(shadow.differences.size(), "difference")
                        + " above), so a rehearsal on a copy would prove nothing: settle the drift (status --schema), then rehearse again.");
            }
            console.line("  the copy matches the target's schema" + (plan.current() == null ? " (no migration applied yet)" : " at version " + plan.current()));
            // a second copy in the state before the pending migrations, for measuring locks statement by statement
            shadow.server.copyDatabase("shadow", "locks");

            List<String> failures = new ArrayList<>();
            List<DataChecks.Prediction> predictions = Phase.timed(console, "asking the target's rows", () -> askTheData(plan.pending()));
            List<LockReport.StatementLocks> locks = Phase.timed(console, "measuring the locks on a second copy", () -> measureLocks(shadow.server, plan.pending()));
            Map<String, Long> applied = new LinkedHashMap<>();
            String applyFailure = Phase.timed(console, "applying the pending migrations to the copy", () -> applyToCopy(shadow.server, targetVersion, applied));

            List<Map<String, Object>> migrations = new ArrayList<>();
            for (MigrationFile m : plan.pending()) {
                Long ms = applied.get(m.name);
                console.line("  " + pad(m.name) + (ms != null ? "applies on the copy in " + Durations.format(Duration.ofMillis(ms))
                        : applyFailure != null && applied.size() == plan.pending().indexOf(m) ? "FAILS on the copy" : "not tried (an earlier one failed)"));
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("name", m.name);
                one.put("appliesOnCopy", ms != null);
                if (ms != null) one.put("ms", ms);
                List<Map<String, Object>> lockDoc = new ArrayList<>();
                for (LockReport.StatementLocks s : locks) {
                    if (!s.file().equals(m.name)) continue;
                    if (s.notMeasured() != null) {
                        console.line("      line " + s.line() + ": locks not measured: " + s.notMeasured());
                        continue;
                    }
                    for (LockReport.Lock l : s.locks()) {
                        console.line("      line " + s.line() + ": " + l.sentence());
                        lockDoc.add(Map.of("line", s.line(), "relation", l.relation(), "mode", l.mode(), "rows", l.rows() == null ? -1 : l.rows(), "rewritten", l.rewritten()));
                    }
                }
                one.put("locks", lockDoc);
                List<Map<String, Object>> dataDoc = new ArrayList<>();
                for (DataChecks.Prediction p : predictions) {
                    if (!p.file().equals(m.name)) continue;
                    if (p.verdict() != DataChecks.Verdict.PASSES) console.line("      " + p.sentence());
                    dataDoc.add(Map.of("line", p.line(), "statement", p.statement(), "table", p.table(), "check", p.check(),
                            "verdict", p.verdict().name().toLowerCase(java.util.Locale.ROOT), "count", p.count()));
                    if (p.fails()) failures.add(p.sentence());
                }
                one.put("dataChecks", dataDoc);
                migrations.add(one);
            }
            long checks = predictions.stream().filter(p -> p.verdict() == DataChecks.Verdict.PASSES).count();
            if (checks > 0) console.line("  the target's data passes " + MigrateReport.plural((int) checks, "check") + " of the pending statements");
            doc.put("migrations", migrations);
            doc.put("elapsedMs", (System.nanoTime() - started) / 1_000_000);
            if (applyFailure != null) failures.add(0, applyFailure);
            doc.put("failures", failures);
            if (!failures.isEmpty()) {
                String first = failures.get(0);
                throw KitException.failed("the rehearsal predicts that migrate would fail" + (failures.size() > 1 ? " (" + failures.size() + " problems above; the first)" : "") + ": "
                        + first + " Nothing was applied to the target.", null);
            }
            int n = plan.pending().size();
            console.line("Rehearsal: " + (n == 0 ? "nothing to apply"
                    : (n == 1 ? "the pending migration applies" : "all " + n + " pending migrations apply") + " on the copy, and the target's data breaks none of "
                    + (n == 1 ? "its" : "their") + " statements") + " (" + Durations.format(Duration.ofNanos(System.nanoTime() - started)) + ").");
            return doc;
        }
    }

    /** Step 3: the target's rows, read-only, one bounded query per check. */
    private List<DataChecks.Prediction> askTheData(List<MigrationFile> pending) throws SQLException {
        DataChecks checks = new DataChecks(target, CHECK_TIMEOUT, Set.of());
        List<DataChecks.Prediction> out = new ArrayList<>();
        for (MigrationFile m : pending) {
            for (SqlScript.Statement s : m.statements()) out.addAll(checks.check(m.name, s.line(), s.sql()));
        }
        return out;
    }

    /** Step 4: each pending migration run statement by statement on the second copy; rows from the target's statistics. */
    private List<LockReport.StatementLocks> measureLocks(ShadowServer shadow, List<MigrationFile> pending) throws SQLException {
        List<LockReport.StatementLocks> all = new ArrayList<>();
        try (Connection c = shadow.admin("locks")) {
            for (MigrationFile m : pending) {
                List<LockReport.Step> steps = new ArrayList<>();
                for (SqlScript.Statement s : m.statements()) {
                    // a file with its own BEGIN/COMMIT is measured as the one transaction it makes
                    if (!MigrationFile.controlsTransaction(s)) steps.add(new LockReport.Step(s.line(), s.sql()));
                }
                try {
                    all.addAll(LockReport.measure(c, m.name, steps, !m.needsNoTransaction()));
                } catch (SQLException e) {
                    // the engine's run on the first copy reports a failing migration as a real run would; say why the locks stop here
                    console.note("locks not measured from " + m.name + " on: " + Database.firstLine(e.getMessage()));
                    break;
                }
            }
        }
        return LockReport.withTargetRows(target, CHECK_TIMEOUT, all);
    }

    /** Step 2: the pending migrations applied to the copy through the engine a real run uses; the failure's sentence, or null. */
    private String applyToCopy(ShadowServer shadow, String targetVersion, Map<String, Long> applied) {
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
            return e.getMessage();
        } catch (SQLException e) {
            throw KitException.failed("could not reach the rehearsal's copy: " + Database.firstLine(e.getMessage()), e);
        }
    }

    private static String pad(String name) {
        return name.length() >= 40 ? name + "  " : name + " ".repeat(42 - name.length());
    }
}
