//SOURCES MigrationEngine.java MigrationFormat.java MigrationFile.java MigrationLint.java Console.java Durations.java ExitCode.java KitException.java ExposedStatements.java
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What migrate tells the operator, in one place: a human line per step on stdout (warnings and
 * notes on stderr), or with --json the same facts as one document at the end.
 */
final class MigrateReport implements MigrationEngine.Progress {
    private final Console console;
    private final MigrationFormat format;
    private final long started = System.nanoTime();
    private final Map<String, Object> doc = new LinkedHashMap<>();
    private final List<Map<String, Object>> applied = new ArrayList<>();

    MigrateReport(Console console, boolean dryRun, MigrationFormat format) {
        this.console = console;
        this.format = format;
        doc.put("ok", true);
        doc.put("dryRun", dryRun);
    }

    void target(String masked, String server, String origin) {
        console.line("Target   " + masked + " (" + server + ", " + origin + ")");
        doc.put("target", masked);
        doc.put("targetSource", origin);
        doc.put("server", server);
    }

    /** The lint's findings: data loss as errors unless allowed, the rest as warnings. */
    void findings(List<MigrationLint.Finding> findings, List<String> notes, boolean allowDestructive) {
        for (String n : notes) console.note(n);
        doc.put("lintNotes", notes);
        doc.put("findings", findings.stream().map(f -> Map.of("file", f.file(), "line", f.line(), "statement", f.statement(),
                "problem", f.problem(), "saferWay", f.saferWay(), "losesData", f.losesData())).toList());
        for (MigrationLint.Finding f : findings) {
            if (f.losesData() && !allowDestructive) console.err.println("data loss: " + f.sentence());
            // the safer way of a data-losing statement ends "or run with --allow-destructive": given, it only says so
            else if (f.losesData()) console.warn(f.file() + " line " + f.line() + ": " + f.statement() + " " + f.problem() + "; allowed by --allow-destructive.");
            else console.warn(f.sentence());
        }
        console.err.flush();
    }

    /**
     * What the pending statements open to Supabase's Data API, read from the statements: each on stderr
     * (informational ones with --verbose), all in the JSON.
     */
    void exposures(List<ExposedStatements.Opening> openings) {
        doc.put("exposures", openings.stream().map(o -> Map.of("file", o.at().file(), "line", o.at().line(), "statement", o.at().statement(),
                "lint", o.lint().advisorName(), "level", o.level().word(), "object", o.object(), "finding", o.what(), "fix", o.fix())).toList());
        for (ExposedStatements.Opening o : openings) {
            if (o.level() != SecurityLint.Level.INFO) console.warn("exposes: " + o.sentence());
            else if (console.verbose) console.note("exposes: " + o.sentence());
        }
    }

    /** How the pending files will run, where that is not one transaction per file. */
    void howTheyRun(List<MigrationFile> pending) {
        for (MigrationFile m : pending) {
            if (m.needsNoTransaction()) {
                console.note(m.name + " runs outside a transaction (it holds a statement such as CREATE INDEX CONCURRENTLY that cannot run inside one): if it fails, check what it left behind (an INVALID index, say) before running again.");
            } else if (format.runsAsWritten(m)) {
                console.note(m.name + " manages its own transaction (BEGIN ... COMMIT), so it runs as written.");
            }
        }
    }

    /** A dry run, or nothing pending. */
    int nothingApplied(List<MigrationFile> pending, String current, boolean dryRun) {
        String version = current == null ? "none" : current;
        doc.put("schemaVersion", version);
        if (dryRun) {
            for (MigrationFile m : pending) console.line("Would apply " + m.name);
            doc.put("pending", pending.stream().map(m -> m.name).toList());
            console.line(pending.isEmpty()
                    ? "Database is up to date at version " + version + "; nothing would be applied."
                    : "Dry run: " + plural(pending.size(), "migration") + " would be applied; nothing was changed.");
        } else {
            doc.put("applied", List.of());
            console.line("Database is up to date at version " + version + "; nothing to apply.");
        }
        return finish();
    }

    /** A line said instead of applying (the Prisma resolutions). */
    int said(String line) {
        console.line(line);
        return finish();
    }

    /** What the run is doing, for an interrupt: the migration running now, and those applied before it. */
    private volatile MigrationFile running;
    private final List<String> appliedNames = java.util.Collections.synchronizedList(new ArrayList<>());

    @Override
    public void applying(MigrationFile m) {
        running = m;
        console.begin("Applying " + m.name + " ... ");
    }

    @Override
    public void applied(MigrationFile m, long ms) {
        running = null;
        appliedNames.add(m.name);
        console.finish("applied in " + ms + " ms");
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("version", m.version);
        e.put("file", m.name);
        e.put("ms", ms);
        applied.add(e);
    }

    /** Whether this run is a rehearsal: an interrupt then speaks of the rehearsal. */
    private boolean rehearsal;

    MigrateReport rehearsing(boolean rehearsal) {
        this.rehearsal = rehearsal;
        return this;
    }

    /** A rehearsal's report, and its exit code: 0 every pending statement proven, 1 something not proven (a predicted failure is thrown). */
    int rehearsed(Map<String, Object> rehearsal, int exitCode) {
        doc.put("rehearsal", rehearsal);
        finish();
        return exitCode;
    }

    /** How many migrations this run has applied so far. */
    int appliedCount() {
        return applied.size();
    }

    /** A failure's JSON names what this run applied before it. */
    KitException withApplied(KitException e) {
        e.details.put("applied", List.copyOf(applied));
        return e;
    }

    /** Finishes the "Applying ..." line before the error is printed: the migration failed. */
    void failed() {
        if (running != null) console.finish("failed");
        running = null;
    }

    int done(MigrationEngine.Outcome outcome) {
        String now = outcome.version() == null ? "none" : outcome.version();
        doc.put("applied", applied);
        doc.put("schemaVersion", now);
        doc.put("elapsedMs", (System.nanoTime() - started) / 1_000_000);
        console.line(outcome.applied() == 0
                ? "Database is up to date at version " + now + "; another run applied the pending migrations first."
                : "Applied " + plural(outcome.applied(), "migration") + " in " + Durations.since(started) + "; the schema is now at version " + now + ".");
        return finish();
    }

    private int finish() {
        if (console.json) console.document(doc);
        return ExitCode.OK;
    }

    /**
     * The one sentence for a run stopped by Ctrl-C or a stop signal, once its statement was cancelled
     * on the server and its sessions closed: what was applied, and what became of the one running.
     */
    String interrupted() {
        if (rehearsal) {
            return "the rehearsal was interrupted: nothing was written to the target (its sessions were read-only) and the copy is discarded, so no prediction was made;"
                    + " run migrate --rehearse again to have one.";
        }
        MigrationFile m = running;
        if (m != null) console.finish("interrupted");
        List<String> done;
        synchronized (appliedNames) {
            done = List.copyOf(appliedNames);
        }
        String before = done.isEmpty() ? "no migration was applied before it"
                : plural(done.size(), "migration") + " (" + String.join(", ", done) + ") " + (done.size() == 1 ? "was" : "were") + " applied before it and stay";
        String lock = "its statement was cancelled on the server and its session closed, so the migration lock is free";
        if (m == null) {
            return "migrate was interrupted " + (done.isEmpty() ? "before any migration was applied; " + lock + " and nothing was applied."
                    : "after applying " + plural(done.size(), "migration") + " (" + String.join(", ", done) + "); " + lock + ".")
                    + " Run migrate again to apply the rest.";
        }
        boolean outside = format.runsAsWritten(m);
        return "migrate was interrupted while applying " + m.name + ": " + lock + "; "
                + (outside ? m.name + " ran outside a transaction, so it may be partly applied" + format.settleCutShort() + " before running migrate again; "
                        : m.name + " was rolled back and nothing from it was applied; ")
                + before + "." + (outside ? "" : " Re-running migrate is safe.");
    }

    static String plural(int n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }
}
