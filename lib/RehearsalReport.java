//SOURCES RehearsalVerdict.java StatementRun.java RowCopy.java LockReport.java DataChecks.java MigrationFile.java MigrateReport.java Console.java Durations.java Amounts.java KitException.java ExitCode.java
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What migrate --rehearse tells the operator: a line per step on stdout, a block per pending
 * migration (how long it took on the copy, each statement's locks with the rows and the time it held
 * them, what it destroys, what was not proven and why, what the target's rows say), and the last line,
 * whose word is the exit code's: "passes" (0) only when every pending statement is proven, "not
 * proven" (1) otherwise; a predicted failure is the error sentence (4). With --json the same facts
 * as the `rehearsal` part of the report.
 */
final class RehearsalReport {
    private final Console console;
    private final long started;
    final Map<String, Object> doc = new LinkedHashMap<>();

    RehearsalReport(Console console, long started) {
        this.console = console;
        this.started = started;
    }

    /** The security part of the rehearsal (SecurityForecast.report): said, returned as JSON, or thrown as exit 6. */
    interface Security {
        Map<String, Object> report() throws java.sql.SQLException;
    }

    /** What the copy received: one line, then what was left out and why. */
    void copied(RowCopy.Result rows) {
        for (String line : rows.lines()) console.line("  " + line);
        Map<String, Object> copy = new LinkedHashMap<>();
        copy.put("tables", rows.rows().size());
        copy.put("rows", rows.totalRows());
        copy.put("bytes", rows.bytes());
        copy.put("ms", rows.took().toMillis());
        List<Map<String, Object>> left = new ArrayList<>();
        for (RowCopyPlan.Table t : rows.plan().tables) {
            String why = rows.plan().notCopied.get(t.oid());
            if (why != null) left.add(Map.of("table", t.shown(rows.plan().currentSchema), "bytes", rows.plan().target.get(t.oid()).bytes(), "why", why));
        }
        copy.put("notCopied", left);
        doc.put("copy", copy);
    }

    /**
     * Each migration's block, then the last line: returns the exit code (0 proven, 1 not), or throws
     * the predicted failure (exit 4), its JSON carrying this report.
     */
    int verdict(List<MigrationFile> pending, Map<String, StatementRun.Measured> measured, Map<String, Long> applied, KitException engine,
            List<DataChecks.Prediction> checks, RehearsalVerdict verdict, Security security) throws java.sql.SQLException {
        List<Map<String, Object>> migrations = new ArrayList<>();
        boolean timed = false;
        String failedIn = null;
        for (MigrationFile m : pending) {
            Long ms = applied.get(m.name);
            if (ms == null && engine != null && failedIn == null) failedIn = m.name;
            console.line("  " + pad(m.name) + (ms != null ? "applies on the copy in " + Durations.format(Duration.ofMillis(ms))
                    : m.name.equals(failedIn) ? "FAILS on the copy" : "not tried (an earlier one failed)"));
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("name", m.name);
            one.put("appliesOnCopy", ms != null);
            if (ms != null) one.put("ms", ms);
            List<Map<String, Object>> statements = new ArrayList<>();
            List<String> destroys = new ArrayList<>();
            for (RehearsalVerdict.Proof p : verdict.proofs) {
                if (!p.file().equals(m.name)) continue;
                Map<String, Object> s = p.json();
                StatementRun.Measured run = measured.get(m.name + ":" + p.line());
                if (run != null) timed |= statement(run, s, destroys);
                if (!p.proven()) console.line("      line " + p.line() + ": not proven: " + p.why());
                statements.add(s);
            }
            if (!destroys.isEmpty()) console.line("      " + m.name + " " + String.join("; ", destroys));
            one.put("statements", statements);
            one.put("destroys", destroys);
            List<Map<String, Object>> data = new ArrayList<>();
            for (DataChecks.Prediction p : checks) {
                if (!p.file().equals(m.name) || p.verdict() == DataChecks.Verdict.COPY) continue;
                if (p.verdict() == DataChecks.Verdict.FAILS) console.line("      " + p.sentence());
                data.add(Map.of("line", p.line(), "statement", p.statement(), "table", p.table(), "check", p.check(),
                        "verdict", p.verdict().name().toLowerCase(Locale.ROOT), "count", p.count()));
            }
            one.put("dataChecks", data);
            migrations.add(one);
        }
        if (timed) console.line("  (times are this machine's, on the copy: the server's will differ)");
        long passed = checks.stream().filter(p -> p.verdict() == DataChecks.Verdict.PASSES).count();
        if (passed > 0) console.line("  the target's rows pass " + MigrateReport.plural((int) passed, "check") + " of statements whose rows were not copied");
        doc.put("migrations", migrations);
        doc.put("elapsedMs", (System.nanoTime() - started) / 1_000_000);
        doc.put("failures", verdict.failures);
        List<RehearsalVerdict.Proof> open = verdict.notProven();
        doc.put("proven", verdict.failures.isEmpty() && open.isEmpty());
        doc.put("notProven", open.stream().map(p -> Map.of("file", p.file(), "line", p.line(), "why", p.why())).toList());
        if (!verdict.failures.isEmpty()) {
            KitException e = KitException.failed("the rehearsal predicts that migrate would fail" + (verdict.failures.size() > 1 ? " (" + verdict.failures.size() + " problems above; the first)" : "")
                    + ": " + verdict.failures.get(0) + " Nothing was applied to the target.", null);
            e.details.put("rehearsal", doc);
            throw e;
        }
        // Supabase's advisor's checks on the copy: a predicted exposure (exit 6) outranks "not proven" (1)
        try {
            doc.put("security", security.report());
        } catch (KitException e) {
            e.details.put("rehearsal", doc);
            throw e;
        }
        int n = pending.size(), statements = verdict.proofs.size();
        String apply = n == 1 ? "the pending migration applies" : "all " + n + " pending migrations apply";
        String took = " (" + Durations.since(started) + ").";
        if (open.isEmpty()) {
            console.line("Rehearsal: " + apply + " on the copy and " + (n == 1 ? "passes" : "pass") + ": " + (statements == 1 ? "its statement is" : "each of " + (n == 1 ? "its " : "their ") + statements + " statements is")
                    + " proven (" + by(verdict) + ")" + took);
            return ExitCode.OK;
        }
        List<String> where = open.stream().map(p -> p.file() + " line " + p.line()).toList();
        console.line("Rehearsal: not proven: " + (engine == null ? apply + " on the copy, but " : "")
                + open.size() + " of " + (n == 1 ? "its " : "their ") + Amounts.count(statements, "statement") + (open.size() == 1 ? " is" : " are") + " not proven (" + String.join(", ", where.subList(0, Math.min(5, where.size())))
                + (where.size() > 5 ? ", ..." : "") + ": why above); nothing is predicted to fail" + took);
        return ExitCode.NOT_PROVEN;
    }

    /** A statement's time, locks and what it destroys, printed and put in its JSON; whether a time on the copy was printed. */
    private boolean statement(StatementRun.Measured run, Map<String, Object> s, List<String> destroys) {
        s.put("ms", run.ms());
        List<Map<String, Object>> locks = new ArrayList<>();
        boolean timed = false;
        if (run.notMeasured() != null) console.line("      line " + run.line() + ": locks not measured: " + run.notMeasured());
        for (LockReport.Lock l : run.locks()) {
            // a lock the migration holds already, or one on a relation it made, keeps nobody waiting: in the JSON only
            if (l.heldSince() == null && l.rows() != null) {
                console.line("      line " + run.line() + " (" + Durations.format(Duration.ofMillis(run.ms())) + "): " + l.sentence());
                timed |= l.onCopy();
            }
            Map<String, Object> lock = new LinkedHashMap<>();
            lock.put("relation", l.relation());
            lock.put("mode", l.mode());
            lock.put("rows", l.rows() == null ? -1 : l.rows());
            lock.put("rowsOnCopy", l.onCopy());
            lock.put("heldMs", l.heldMs());
            lock.put("rewritten", l.rewritten());
            locks.add(lock);
        }
        s.put("locks", locks);
        if (!run.destroys().isEmpty()) {
            s.put("destroys", run.destroys());
            destroys.add(run.destroys());
        }
        return timed;
    }

    private static String by(RehearsalVerdict v) {
        long copy = v.provenBy("copy"), check = v.provenBy("check");
        if (check == 0) return copy == 1 ? "it ran on the copy with the target's rows" : "all ran on the copy with the target's rows";
        if (copy == 0) return "by checks of the target's rows";
        return copy + " ran on the copy with the target's rows, " + check + " by checks of the target's rows";
    }

    static String pad(String name) {
        return name.length() >= 40 ? name + "  " : name + " ".repeat(42 - name.length());
    }
}
