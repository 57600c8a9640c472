//SOURCES StatusReport.java Exposure.java Flight.java
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The Security part: the tables and views Supabase's Data API exposes to anon or authenticated
 * without row-level security (see Exposure), or "not Supabase" where neither role exists. Both
 * questions ride in the caller's flight.
 */
final class StatusSecurity {
    private static final String TITLE = "Security (Supabase Data API)";

    /** Adds the questions to a flight the caller sends; the part once it has been sent. */
    static Supplier<StatusReport.Section> ask(Flight flight, Connection c, List<String> exposedSchemas) throws SQLException {
        Supplier<List<String>> roles = Exposure.apiRoles(flight);
        Supplier<List<Exposure.Finding>> exposed = Exposure.add(flight, c, exposedSchemas);
        return () -> roles.get().isEmpty() ? notSupabase(exposedSchemas) : section(exposedSchemas, exposed.get());
    }

    private static StatusReport.Section notSupabase(List<String> exposedSchemas) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("exposedSchemas", exposedSchemas);
        json.put("state", "not checked");
        json.put("reason", "not Supabase: no anon or authenticated role");
        return new StatusReport.Section("security", TITLE, List.of("  not Supabase (no anon or authenticated role): exposure not checked"), json, List.of());
    }

    private static StatusReport.Section section(List<String> exposedSchemas, List<Exposure.Finding> exposed) {
        List<String> lines = new ArrayList<>();
        List<StatusReport.Finding> findings = new ArrayList<>();
        List<Map<String, Object>> list = new ArrayList<>();
        for (Exposure.Finding f : exposed) {
            lines.add("  EXPOSED: " + f.sentence());
            findings.add(new StatusReport.Finding(StatusReport.Severity.SECURITY, "\"" + f.schema() + "\".\"" + f.table() + "\""));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("schema", f.schema());
            m.put("table", f.table());
            m.put("kind", f.kind());
            m.put("roles", f.roles());
            m.put("privileges", f.privileges());
            m.put("sensitiveColumns", f.sensitiveColumns());
            list.add(m);
        }
        if (exposed.isEmpty()) lines.add("  every table in " + String.join(", ", exposedSchemas) + " that anon or authenticated can reach has row-level security");
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("exposedSchemas", exposedSchemas);
        json.put("state", exposed.isEmpty() ? "ok" : "exposed");
        json.put("findings", list);
        return new StatusReport.Section("security", TITLE, lines, json, findings);
    }
}
