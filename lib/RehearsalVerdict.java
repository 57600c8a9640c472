//SOURCES MigrationFile.java StatementRun.java DataChecks.java KitException.java Database.java SqlScript.java
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the rehearsal proved of each pending statement. A statement is proven when it ran on the copy
 * with the target's rows (every table whose rows it read or wrote holds the target's rows there, or
 * rows the run made), or when its checks of the target's rows ({@link DataChecks}) all completed.
 * Anything else (rows not copied and no check, a check that timed out, a statement the copy never
 * reached) is not proven, and is named. A failure on the copy is a prediction only when the failing
 * statement had its rows there: on a copy that lacks them it proves nothing.
 */
final class RehearsalVerdict {

    /** What the copy knows of a table (the copy's oid): whether its rows there are the target's, and if not, its name and why. */
    interface Rows {
        boolean targets(long table);

        /** ""Event" (not copied: over the --copy-budget of 200 MB)" */
        String whyNot(long table);

        /** Whether every table of the target's own is on the copy with its rows: then a statement not measured read only those. */
        boolean everything();
    }

    /** One statement's proof: by "copy" or "check", or not proven and why. */
    record Proof(String file, int line, String statement, boolean proven, String by, String why) {
        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("line", line);
            m.put("statement", statement);
            m.put("proven", proven);
            if (by != null) m.put("provenBy", by);
            if (why != null) m.put("notProven", why);
            return m;
        }
    }

    final List<Proof> proofs = new ArrayList<>();
    /** Predicted failures, in the order of the statements (the first is the rehearsal's error sentence). */
    final List<String> failures = new ArrayList<>();

    /**
     * @param measured   each statement the second copy ran, by "file:line"
     * @param failed     where the second copy stopped, or null
     * @param applied    the migrations the engine applied to the copy
     * @param engine     the engine's failure on the copy, or null
     * @param checks     the data checks of every pending statement
     */
    RehearsalVerdict(List<MigrationFile> pending, Map<String, StatementRun.Measured> measured, StatementRun.Failed failed, Set<String> applied,
            KitException engine, List<DataChecks.Prediction> checks, Rows rows) {
        boolean tried = true;
        for (MigrationFile m : pending) {
            boolean failsHere = engine != null && tried && !applied.contains(m.name);
            for (var s : m.statements()) {
                if (MigrationFile.controlsTransaction(s)) continue;
                List<DataChecks.Prediction> mine = checks.stream().filter(p -> p.file().equals(m.name) && p.line() == s.line()).toList();
                StatementRun.Measured run = measured.get(m.name + ":" + s.line());
                String shown = s.shown();
                if (!tried) {
                    proofs.add(new Proof(m.name, s.line(), shown, false, null, "not tried: an earlier statement fails on the copy"));
                } else if (failsHere && failed != null && failed.file.equals(m.name) && failed.line == s.line()) {
                    String missing = missing(failed.reads, rows);
                    if (missing == null) failures.add(m.name + " line " + s.line() + ": " + shown + " fails on the copy" + (failed.reads.isEmpty() ? "" : " with the target's rows") + ": "
                            + DataChecks.withoutValue(Database.firstLine(failed.getCause().getMessage())) + ".");
                    proofs.add(missing == null ? new Proof(m.name, s.line(), shown, true, "copy", null)
                            : new Proof(m.name, s.line(), shown, false, null, "it fails on the copy (" + withoutValue(engine) + "), but the copy lacks the rows of " + missing + ", so that proves nothing"));
                    tried = false;
                } else if (failsHere && (failed == null || !failed.file.equals(m.name))) {
                    // the engine failed in this file where the statement-by-statement run did not
                    proofs.add(new Proof(m.name, s.line(), shown, false, null, "the migration fails on the copy (" + withoutValue(engine) + ") where its statements alone did not"));
                    tried = false;
                } else {
                    proofs.add(proof(m.name, s.line(), shown, run == null ? null : run.reads(), run == null ? "it was not measured on the copy" : run.notMeasured(), mine, rows));
                }
                for (DataChecks.Prediction p : mine) if (p.fails()) failures.add(p.sentence());
            }
            if (failsHere && tried) {
                proofs.add(new Proof(m.name, 0, m.name, false, null, "the migration fails on the copy: " + withoutValue(engine)));
                tried = false;
            }
        }
    }

    private static Proof proof(String file, int line, String shown, Set<Long> reads, String notMeasured, List<DataChecks.Prediction> checks, Rows rows) {
        String missing = reads == null ? (rows.everything() ? null : "its tables (" + notMeasured + ")") : missing(reads, rows);
        if (missing == null) return new Proof(file, line, shown, true, "copy", null);
        if (!checks.isEmpty() && checks.stream().allMatch(DataChecks.Prediction::completed)) return new Proof(file, line, shown, true, "check", null);
        DataChecks.Prediction unfinished = checks.stream().filter(p -> !p.completed()).findFirst().orElse(null);
        return new Proof(file, line, shown, false, null, "it reads the rows of " + missing + ", "
                + (unfinished == null ? "and no check of the target's rows covers it" : "and its check of the target's rows did not complete: " + unfinished.detail()));
    }

    /** The tables read whose rows are not the target's on the copy, named with why; null when there is none. */
    private static String missing(Set<Long> reads, Rows rows) {
        List<String> out = new ArrayList<>();
        for (long t : reads) if (!rows.targets(t)) out.add(rows.whyNot(t));
        return out.isEmpty() ? null : String.join(", ", out);
    }

    /** The engine's sentence with the server's message as it is, less any row value it quotes. */
    private static String withoutValue(KitException e) {
        String sentence = e.getMessage();
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof SQLException q) {
                String message = Database.firstLine(q.getMessage());
                sentence = sentence.replace(message, DataChecks.withoutValue(message));
            }
        }
        return sentence;
    }

    List<Proof> notProven() {
        return proofs.stream().filter(p -> !p.proven()).toList();
    }

    long provenBy(String by) {
        return proofs.stream().filter(p -> by.equals(p.by())).count();
    }
}
