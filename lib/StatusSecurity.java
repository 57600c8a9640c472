//SOURCES StatusReport.java SecurityAdvisor.java Flight.java
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The Security part: the findings of Supabase's advisor's checks (SecurityAdvisor), errors (exit 6)
 * and warnings shown, informational ones with --verbose and in --json; what the API roles' reads
 * proved; the platform's schemas, said once to be Supabase's. "Not Supabase" where neither anon
 * nor authenticated exists. The questions ride in the caller's flight.
 */
final class StatusSecurity {

    /** Adds the questions to a flight the caller sends; the part once it has been sent. */
    static Supplier<StatusReport.Section> ask(Flight flight, Connection c, List<String> exposedSchemas, boolean verbose) throws SQLException {
        Supplier<SecurityAdvisor.Advice> advice = SecurityAdvisor.ask(flight, c, exposedSchemas);
        return () -> section(exposedSchemas, advice.get(), verbose);
    }

    private static StatusReport.Section section(List<String> exposedSchemas, SecurityAdvisor.Advice advice, boolean verbose) {
        String title = "Security (Supabase Data API: " + String.join(", ", exposedSchemas) + ")";
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("exposedSchemas", exposedSchemas);
        if (!advice.supabase()) {
            json.put("state", "not checked");
            json.put("reason", "not Supabase: no anon or authenticated role");
            return new StatusReport.Section("security", title, List.of("  not Supabase (no anon or authenticated role): exposure not checked"), json, List.of());
        }
        List<SecurityFinding> errors = advice.at(SecurityLint.Level.ERROR), warnings = advice.at(SecurityLint.Level.WARN), infos = advice.at(SecurityLint.Level.INFO);
        List<String> lines = new ArrayList<>();
        List<StatusReport.Finding> findings = new ArrayList<>();
        for (SecurityFinding f : advice.findings()) {
            if (f.level() != SecurityLint.Level.INFO || verbose) lines.addAll(f.lines("  "));
            if (f.level() == SecurityLint.Level.ERROR) findings.add(new StatusReport.Finding(StatusReport.Severity.SECURITY, f.lint().advisorName() + " on " + f.object().shown()));
        }
        lines.add("  " + (errors.isEmpty() && warnings.isEmpty() ? "no error or warning" : count(errors.size(), "error") + ", " + count(warnings.size(), "warning"))
                + (infos.isEmpty() ? "" : ", " + infos.size() + " informational" + (verbose ? "" : " (shown with --verbose and in --json)")));
        lines.add("  " + proof(advice.reads()));
        advice.reads().stream().filter(r -> r.rows() == null).map(r -> r.notProven()).distinct()
                .forEach(why -> lines.add("  not proven: " + why));
        if (!advice.platformSchemas().isEmpty()) {
            lines.add("  not checked: the platform's schemas (" + String.join(", ", advice.platformSchemas()) + "), which are Supabase's to fix");
        }
        json.put("state", !errors.isEmpty() ? "exposed" : !warnings.isEmpty() ? "warnings" : "ok");
        json.put("findings", advice.findings().stream().map(SecurityFinding::json).toList());
        json.put("reads", advice.reads().stream().map(StatusSecurity::read).toList());
        json.put("notChecked", advice.platformSchemas());
        return new StatusReport.Section("security", title, lines, json, findings);
    }

    /** What reading as the API roles showed, in one line; a read not made is never counted as no rows. */
    static String proof(List<ApiRoleProof.Read> reads) {
        if (reads.isEmpty()) return "proof: anon and authenticated can read no relation of these schemas, so there was nothing to read as them";
        long rows = reads.stream().filter(ApiRoleProof.Read::rowsCame).count();
        long none = reads.stream().filter(r -> r.rows() != null && r.rows() == 0).count();
        long not = reads.size() - rows - none;
        List<String> parts = new ArrayList<>();
        if (rows > 0) parts.add(rows + " gave rows");
        if (none > 0) parts.add(none + " gave no row");
        if (not > 0) parts.add(not + " not made");
        return "proof: " + count(reads.size(), "read") + " as anon or authenticated without a JWT (LIMIT 1, no value kept): " + String.join(", ", parts);
    }

    private static Map<String, Object> read(ApiRoleProof.Read r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", r.role());
        m.put("schema", r.schema());
        m.put("name", r.relation());
        if (r.rows() != null) m.put("rows", r.rows());
        else m.put("notProven", r.notProven());
        return m;
    }

    private static String count(int n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }
}
