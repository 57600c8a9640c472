//SOURCES StatusReport.java Settings.java
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The .env part of status, shown only when there is something to say: each line the app's dotenv
 * would skip is a finding (exit 2: migrate and seed refuse such a file), and status reads on past it,
 * since the URL was found without it. The line's text is never shown: it may hold a secret.
 */
final class StatusEnv {

    /** The part, or null when the .env file has no such line. */
    static StatusReport.Section section(Settings settings) {
        List<Integer> skipped = settings.skippedLines();
        if (skipped.isEmpty()) return null;
        List<String> lines = new ArrayList<>(), sentences = new ArrayList<>();
        List<StatusReport.Finding> findings = new ArrayList<>();
        for (int line : skipped) {
            sentences.add(settings.skippedLine(line));
            lines.add("  PROBLEM: " + settings.skippedLine(line));
            findings.add(new StatusReport.Finding(StatusReport.Severity.INVALID, "line " + line + " of " + settings.dotenvName()
                    + " is a line the app's dotenv skips (migrate and seed refuse the file)"));
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("problems", sentences);
        return new StatusReport.Section("dotenv", ".env", lines, json, findings);
    }

    private StatusEnv() {}
}
