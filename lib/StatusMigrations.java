//SOURCES StatusReport.java MigrationHistory.java MigrateInFlight.java
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Migrations part: a line per migration marked [x] applied, [ ] pending, [~] being applied,
 * [!] edited or renamed, [F] failed, [?] missing (repeatable ones after the versioned ones, as Flyway
 * applies them), in columns as wide as this run's longest version and description; the counts and the
 * current version; and what the seeds and schema parts need from it.
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
        Columns columns = Columns.of(all, history.namedByFolder);
        for (MigrationHistory.Entry e : all) {
            boolean repeatable = e.version() == null;
            boolean applying = !repeatable && e.version().equals(underWay);
            lines.add(line(e, repeatable, applying, history, columns));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("version", e.version());
            m.put("description", e.description());
            m.put("script", e.script());
            m.put("state", applying ? "applying" : e.state().name().toLowerCase(Locale.ROOT));
            m.put("installedOn", e.installedOn() == null ? null : e.installedOn().toInstant().toString());
            list.add(m);
            if (applying) continue;
            String which = repeatable ? "repeatable migration " + e.script() : "migration " + e.version();
            if (history.renaming(e.script()) != null) findings.add(finding(StatusReport.Severity.DRIFT, e.script() + " was renamed after it was applied"));
            switch (e.state()) {
                case EDITED -> findings.add(finding(StatusReport.Severity.DRIFT, e.script() + " was edited after it was applied"));
                case FAILED -> findings.add(finding(StatusReport.Severity.DRIFT, which + " is recorded as failed"));
                case MISSING -> findings.add(finding(StatusReport.Severity.DRIFT, which + " is applied but missing from migrations/"));
                default -> { }
            }
        }
        long applied = all.stream().filter(e -> switch (e.state()) {
            case APPLIED, EDITED, RENAMED -> true;
            default -> false;
        }).count();
        long pending = all.stream().filter(e -> e.state() == MigrationHistory.State.PENDING && !(e.version() != null && e.version().equals(underWay))).count();
        String current = history.currentVersion(); // never the migration under way
        lines.add("  " + applied + " applied, " + pending + " pending" + (underWay == null ? "" : ", 1 being applied") + "; current version " + (current == null ? "none" : current));
        if (inFlight != null) running(inFlight, all.stream().filter(e -> e.version() != null && e.version().equals(underWay)).findFirst().orElse(null), lines, findings);
        // what migrate refuses to run on: said, and the rest of the report goes on
        for (String problem : history.problems) {
            lines.add("  PROBLEM: " + problem + ".");
            findings.add(finding(StatusReport.Severity.INVALID, problem.split("; ")[0])); // what is wrong; its line says the fix
        }
        if (pending > 0) findings.add(0, finding(StatusReport.Severity.PENDING, pending + " migration" + (pending == 1 ? "" : "s") + " to apply"
                + (inFlight == null ? " (run migrate)" : " (the migrate running now applies them, unless it was given --target)")));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("applied", applied);
        json.put("pending", pending);
        json.put("currentVersion", current);
        json.put("entries", list);
        if (!history.problems.isEmpty()) json.put("problems", history.problems);
        json.put("inFlight", inFlight == null ? null : inFlight.json(underWay));
        return new StatusMigrations(new StatusReport.Section("migrations", "Migrations", lines, json, findings), current, pending > 0);
    }

    /** How wide the version (or folder name) and description columns are in this run: the defaults, or the longest one here. */
    private record Columns(int version, int description) {
        static Columns of(List<MigrationHistory.Entry> all, boolean namedByFolder) {
            int version = namedByFolder ? 40 : 6, description = 32;
            for (MigrationHistory.Entry e : all) {
                version = Math.max(version, e.version() == null ? 1 : e.version().length());
                description = Math.max(description, e.description() == null ? 0 : e.description().length());
            }
            return new Columns(version, description);
        }
    }

    private static String line(MigrationHistory.Entry e, boolean repeatable, boolean applying, MigrationHistory history, Columns columns) {
        String mark = applying ? "[~]" : switch (e.state()) {
            case APPLIED -> "[x]";
            case PENDING -> "[ ]";
            case EDITED, RENAMED -> "[!]";
            case FAILED -> "[F]";
            case MISSING -> "[?]";
        };
        String when = e.installedOn() == null ? "" : "  " + e.installedOn().toLocalDateTime().format(WHEN);
        MigrationHistory.Renamed renamed = history.renaming(e.script());
        String renaming = renamed == null ? "" : "RENAMED after it was applied (applied as \"" + renamed.applied() + "\"; Flyway refuses that)";
        String note = applying ? "  being applied now by the migrate below"
                : repeatable && e.state() == MigrationHistory.State.PENDING && e.appliedChecksum() != null ? "  changed since it was applied: migrate applies it again"
                : switch (e.state()) {
            case EDITED -> "  EDITED after it was applied (checksum " + e.appliedChecksum() + " applied, " + e.fileChecksum() + " in the file)"
                    + (renamed == null ? "" : "; " + renaming);
            case RENAMED -> "  " + renaming;
            case FAILED -> "  FAILED: recorded as failed in " + history.table;
            case MISSING -> "  MISSING: applied in the database, no file here";
            default -> "";
        };
        return (history.namedByFolder
                ? String.format("  %s %-" + columns.version() + "s%s%s", mark, e.version(), when, note)
                : String.format("  %s %-" + columns.version() + "s %-" + columns.description() + "s%s%s", mark, repeatable ? "R" : e.version(), e.description(), when, note))
                .stripTrailing();
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
