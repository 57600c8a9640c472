//SOURCES StatusReport.java MigrationHistory.java MigrateInFlight.java
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Migrations part: a line per migration marked [x] applied, [ ] pending, [~] being applied,
 * [!] edited, [F] failed, [?] missing (repeatable ones after the versioned ones, as Flyway applies
 * them), the counts and the current version, the renamed files; and what the seeds and schema parts
 * need from it.
 */
record StatusMigrations(StatusReport.Section section, String currentVersion, boolean pending) {

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");

    /**
     * The history says how its entries are named and its table; `inFlight` (null: none) the migrate
     * running now, and so which migration is being applied (not yet the current version).
     */
    static StatusMigrations of(MigrationHistory history, MigrateInFlight inFlight) {
        String underWay = inFlight == null ? null : inFlight.migration(history);
        List<String> lines = new ArrayList<>();
        List<StatusReport.Finding> findings = new ArrayList<>();
        List<Map<String, Object>> list = new ArrayList<>();
        List<MigrationHistory.Entry> all = new ArrayList<>(history.entries);
        all.addAll(history.repeatables); // after the versioned ones, as Flyway applies them
        for (MigrationHistory.Entry e : all) {
            boolean repeatable = e.version() == null;
            boolean applying = !repeatable && e.version().equals(underWay);
            lines.add(line(e, repeatable, applying, history));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("version", e.version());
            m.put("description", e.description());
            m.put("script", e.script());
            m.put("state", applying ? "applying" : e.state().name().toLowerCase(Locale.ROOT));
            m.put("installedOn", e.installedOn() == null ? null : e.installedOn().toInstant().toString());
            list.add(m);
            if (applying) continue;
            String which = repeatable ? "repeatable migration " + e.script() : "migration " + e.version();
            switch (e.state()) {
                case EDITED -> findings.add(finding(StatusReport.Severity.DRIFT, e.script() + " was edited after it was applied"));
                case FAILED -> findings.add(finding(StatusReport.Severity.DRIFT, which + " is recorded as failed"));
                case MISSING -> findings.add(finding(StatusReport.Severity.DRIFT, which + " is applied but missing from migrations/"));
                default -> { }
            }
        }
        long applied = all.stream().filter(e -> e.state() == MigrationHistory.State.APPLIED || e.state() == MigrationHistory.State.EDITED).count();
        long pending = all.stream().filter(e -> e.state() == MigrationHistory.State.PENDING && !(e.version() != null && e.version().equals(underWay))).count();
        String current = history.currentVersion(); // never the migration under way
        lines.add("  " + applied + " applied, " + pending + " pending" + (underWay == null ? "" : ", 1 being applied") + "; current version " + (current == null ? "none" : current));
        if (inFlight != null) running(inFlight, all.stream().filter(e -> e.version() != null && e.version().equals(underWay)).findFirst().orElse(null), lines, findings);
        for (MigrationHistory.Renamed r : history.renamed) {
            lines.add("  [!] " + r.script() + " was applied as \"" + r.applied() + "\" (renamed since; Flyway refuses that)");
            findings.add(finding(StatusReport.Severity.DRIFT, r.script() + " was renamed after it was applied"));
        }
        if (pending > 0) findings.add(0, finding(StatusReport.Severity.PENDING, pending + " migration" + (pending == 1 ? "" : "s") + " to apply"
                + (inFlight == null ? " (run migrate)" : " (the migrate running now applies them, unless it was given --target)")));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("applied", applied);
        json.put("pending", pending);
        json.put("currentVersion", current);
        json.put("entries", list);
        json.put("inFlight", inFlight == null ? null : inFlight.json(underWay));
        return new StatusMigrations(new StatusReport.Section("migrations", "Migrations", lines, json, findings), current, pending > 0);
    }

    private static String line(MigrationHistory.Entry e, boolean repeatable, boolean applying, MigrationHistory history) {
        String mark = applying ? "[~]" : switch (e.state()) {
            case APPLIED -> "[x]";
            case PENDING -> "[ ]";
            case EDITED -> "[!]";
            case FAILED -> "[F]";
            case MISSING -> "[?]";
        };
        String when = e.installedOn() == null ? "" : "  " + e.installedOn().toLocalDateTime().format(WHEN);
        String note = applying ? "  being applied now by the migrate below"
                : repeatable && e.state() == MigrationHistory.State.PENDING && e.appliedChecksum() != null ? "  changed since it was applied: migrate applies it again"
                : switch (e.state()) {
            case EDITED -> "  EDITED after it was applied (checksum " + e.appliedChecksum() + " applied, " + e.fileChecksum() + " in the file)";
            case FAILED -> "  FAILED: recorded as failed in " + history.table;
            case MISSING -> "  MISSING: applied in the database, no file here";
            default -> "";
        };
        return (history.namedByFolder
                ? String.format("  %s %-40s%s%s", mark, e.version(), when, note)
                : String.format("  %s %-6s %-32s%s%s", mark, repeatable ? "R" : e.version(), e.description(), when, note)).stripTrailing();
    }

    /** The migrate running now, under the counts: who, since when, which migration, what it waits for or how far it is. */
    private static void running(MigrateInFlight inFlight, MigrationHistory.Entry applying, List<String> lines, List<StatusReport.Finding> findings) {
        String what = applying == null ? "" : ", applying " + (applying.script() != null ? applying.script() : applying.version());
        String doing = inFlight.doing();
        lines.add("  a migrate is running: " + inFlight.who() + what + (doing == null ? "" : "; " + doing));
        findings.add(finding(StatusReport.Severity.RUNNING, inFlight.who() + what + (doing == null ? "" : " (" + doing + ")")
                + "; run status again once it has finished"));
    }

    private static StatusReport.Finding finding(StatusReport.Severity severity, String text) {
        return new StatusReport.Finding(severity, text);
    }
}
