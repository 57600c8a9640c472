//SOURCES Console.java ExitCode.java Database.java KitException.java
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What status tells the operator, in one place: the report's sections shown for people as each is
 * read, then the verdict, and with --json the same sections, findings and verdict as one document.
 */
final class StatusReport {

    /**
     * What a finding asks of the operator, least severe first. Exposure outranks everything (anyone
     * with the anon key can read those rows now); a disagreement that was read outranks a report cut
     * short; a report cut short outranks a fault in the kit's own inputs (a misnamed migration file, a
     * .env line the app would skip), which is about this folder, not the database, and is fixed without
     * touching it; both outrank pending work, because "pending" promises that migrate and seed bring the
     * database up to date, which a half-read report cannot promise, and which they refuse to do on
     * inputs they cannot read.
     */
    enum Severity {
        PENDING(ExitCode.PENDING, "Work is pending: ", "."),
        /** A migrate is applying now: pending too (exit 1), but not work for this operator to start. */
        RUNNING(ExitCode.PENDING, "A migrate is running now: ", "."),
        INVALID(ExitCode.USAGE, "Fix this folder's files first: ", "."),
        UNREACHABLE(ExitCode.UNREACHABLE, "The database could not be read to the end: ", "."),
        DRIFT(ExitCode.DRIFT, "Database disagrees with this repository: ", "."),
        SECURITY(ExitCode.SECURITY, "Security finding: ", " (see Security above).");

        final int exitCode;
        final String before;
        final String after;

        Severity(int exitCode, String before, String after) {
            this.exitCode = exitCode;
            this.before = before;
            this.after = after;
        }
    }

    record Finding(Severity severity, String text) {}

    /** One part of the report: its lines for people, its JSON, its findings. A null title continues the part before it. */
    record Section(String key, String title, List<String> lines, Object json, List<Finding> findings) {}

    /** The rule, written once: the most severe finding decides the exit code. */
    static int exitCode(List<Finding> findings) {
        return findings.stream().map(Finding::severity).max(Comparator.naturalOrder()).map(s -> s.exitCode).orElse(ExitCode.OK);
    }

    /** One sentence per severity found, most severe first; the first is the verdict. */
    static List<String> verdict(List<Finding> findings) {
        List<String> lines = new ArrayList<>();
        Severity[] all = Severity.values();
        for (int i = all.length - 1; i >= 0; i--) {
            Severity s = all[i];
            List<String> texts = findings.stream().filter(f -> f.severity() == s).map(Finding::text).toList();
            if (!texts.isEmpty()) lines.add(s.before + String.join("; ", texts) + s.after);
        }
        if (lines.isEmpty()) lines.add("Database is up to date.");
        return lines;
    }

    private final Console console;
    private final List<Section> sections = new ArrayList<>();

    StatusReport(Console console) {
        this.console = console;
    }

    /** The human rendering, a section at a time as each is read; the JSON one is made from the same sections at the end. A null part is not shown. */
    void show(Section s) {
        if (s == null) return;
        if (s.title() != null) {
            if (!sections.isEmpty()) console.line("");
            console.line(s.title());
        }
        s.lines().forEach(console::line);
        sections.add(s);
    }

    /** A query that failed part-way: what was read stands, nothing after it was read; said on stderr and as a Connection part. */
    void lost(String hostAndPort, String reading, SQLException e) {
        String cause = Database.firstLine(e.getMessage());
        String state = e.getSQLState() == null ? "08" : e.getSQLState();
        boolean gone = state.startsWith("08") || state.startsWith("57P");
        String text = (gone ? "lost the connection to " : "a query was refused by ") + hostAndPort + " while reading " + reading;
        console.error(text + ": " + cause + "; nothing after that was read, so run status again.");
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("state", gone ? "lost" : "refused");
        json.put("while", reading);
        json.put("error", cause);
        show(new Section("connection", "Connection", List.of("  " + (gone ? "lost" : "a query was refused") + " while reading " + reading + ": " + cause),
                json, List.of(new Finding(Severity.UNREACHABLE, text))));
    }

    /**
     * A read the role may not make (SQLSTATE 42501): the role, not the connection, is what must change,
     * so it is exit 2 with what to do, never "run status again".
     */
    static KitException notPermitted(String role, String reading, SQLException e) {
        return KitException.usage("role " + role + " may not read " + reading + " (" + Database.firstLine(e.getMessage()) + "), so the report stops there:"
                + " run status as the owner of the tables (on Supabase, the postgres role), or have the owner grant this role SELECT on them.");
    }

    /** The verdict after the sections, and with --json the whole report as one document; returns the exit code. */
    int finish() {
        List<Finding> findings = sections.stream().flatMap(s -> s.findings().stream()).toList();
        int code = exitCode(findings);
        List<String> verdict = verdict(findings);
        console.line("");
        verdict.forEach(console::line);
        if (console.json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            List<Map<String, Object>> list = new ArrayList<>();
            for (Section s : sections) {
                doc.put(s.key(), s.json());
                for (Finding f : s.findings()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("section", s.key());
                    m.put("severity", f.severity().name().toLowerCase(Locale.ROOT));
                    m.put("finding", f.text());
                    list.add(m);
                }
            }
            doc.put("findings", list);
            doc.put("verdict", verdict.get(0));
            doc.put("exitCode", code);
            console.document(doc);
        }
        return code;
    }
}
