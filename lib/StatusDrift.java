//SOURCES StatusReport.java
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The Schema part (status --schema): the differences SchemaDrift found between the target and the migrations applied to a shadow database. */
final class StatusDrift {

    /** @param took how long the comparison took, said when there is no difference */
    static StatusReport.Section section(List<String> differences, String took) {
        List<String> lines = new ArrayList<>();
        for (String d : differences) lines.add("  DRIFT: " + d);
        if (differences.isEmpty()) lines.add("  no differences (" + took + ")");
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("state", differences.isEmpty() ? "ok" : "drift");
        json.put("differences", differences);
        List<StatusReport.Finding> findings = differences.isEmpty() ? List.of()
                : List.of(new StatusReport.Finding(StatusReport.Severity.DRIFT, differences.size() + " schema difference" + (differences.size() == 1 ? "" : "s") + " from the migrations"));
        return new StatusReport.Section("drift", "Schema (against the migrations applied to a shadow database)", lines, json, findings);
    }

    /** The schema was not compared: why (a lock waited on past --lock-timeout), as a report cut short (exit 3). */
    static StatusReport.Section notCompared(String why) {
        return notCompared(why, new StatusReport.Finding(StatusReport.Severity.UNREACHABLE, "the schema was not compared (a lock waited on past --lock-timeout)"));
    }

    /** The Schema part when no shadow was built, and the finding that says why. */
    static StatusReport.Section notCompared(String why, StatusReport.Finding finding) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("state", "not compared");
        json.put("reason", why);
        return new StatusReport.Section("drift", "Schema (against the migrations applied to a shadow database)", List.of("  not compared: " + why), json,
                List.of(finding));
    }

    private StatusDrift() {}
}
