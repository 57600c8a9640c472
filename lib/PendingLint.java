//SOURCES MigrationLint.java Relations.java MigrationFormat.java MigrateReport.java TransactionPooler.java ExposedStatements.java ApiDefaults.java Durations.java KitException.java Console.java
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * migrate's lint of the pending migrations, before anything runs: one bounded read-only look at the
 * relations they touch (which exist, which hold rows, which dropped columns hold a value), the
 * findings and notes said, what a preview opens to Supabase's Data API, and the refusal of a
 * data-losing statement without --allow-destructive.
 */
record PendingLint(boolean allowDestructive, boolean dryRun, boolean rehearse, List<String> exposedSchemas) {

    /** Says the findings; refuses (exit 2) a data-losing run that was not allowed; returns how many findings. */
    int check(Database database, Connection c, MigrationFormat format, List<MigrationFile> pending, MigrateReport report, Console console) throws SQLException {
        if (pending.isEmpty()) return 0;
        MigrationLint.Touched touched = MigrationLint.touched(pending);
        // the reads carry the server process for the pooler invariant; on a session that needs none, nothing to ask is no round trip
        boolean watched = TransactionPooler.watched(database, c);
        Relations.Found found = touched.relations().isEmpty() && !watched ? new Relations.Found(Map.of(), Map.of(), -1) : Relations.existing(c, touched.relations());
        TransactionPooler.same(database, c, found.serverProcess());
        Relations.Holding holding = found.kinds().isEmpty() && !watched ? new Relations.Holding(Set.of(), Set.of(), -1, false)
                : Relations.holding(c, found, touched.droppedColumns());
        if (holding.serverProcess() >= 0) TransactionPooler.same(database, c, holding.serverProcess());
        MigrationLint.Result lint = MigrationLint.check(pending, new MigrationLint.Before(found.kinds().keySet(), holding.tables(), holding.columnsWithValues()));
        List<MigrationLint.Finding> findings = lint.findings();
        List<String> notes = new ArrayList<>(lint.notes());
        if (holding.bounded()) notes.add("the tables the pending migrations change could not be read to the end within "
                + Durations.format(java.time.Duration.ofMillis(Relations.BOUND_MS)) + ", so each counts as holding rows and values.");
        notes.addAll(format.notes(pending));
        report.findings(findings, notes, allowDestructive);
        if (dryRun || rehearse) report.exposures(ExposedStatements.read(pending, ApiDefaults.read(c, exposedSchemas))); // Data API: previews only (budget)
        long destructive = findings.stream().filter(MigrationLint.Finding::losesData).count();
        if (destructive > 0 && !allowDestructive && rehearse) {
            console.warn(MigrateReport.plural((int) destructive, "statement") + " in the pending migrations would lose data: a real run stops there unless given --allow-destructive.");
        } else if (destructive > 0 && !allowDestructive) {
            throw KitException.usage(MigrateReport.plural((int) destructive, "statement") + " in the pending migrations would lose data, so nothing was applied"
                    + (dryRun ? " (and a real run would stop here too)" : "") + ": review them, then run again with --allow-destructive.");
        }
        return findings.size();
    }
}
