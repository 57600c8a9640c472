import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the security tests share: status on a Supabase-shaped project as the operator runs it, its
 * security findings by lint and object, and a finding's printed fix applied as the operator would
 * apply it (psql at the SQL editor: here JDBC as postgres), after which status is asked again.
 */
final class SecurityChecks {

    /** status --json on the project, with its exit code checked against the document's. */
    static JsonNode status(String url, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("--json"));
        args.addAll(List.of(more));
        TestSupport.Result r = SupabaseShape.run(new status(), TestSupport.adminEnv(url), args.toArray(String[]::new));
        JsonNode doc = Console.JSON.readTree(r.out());
        assertEquals(doc.get("exitCode").asInt(), r.code(), r.all());
        return doc;
    }

    /** A seeded project (SupabaseShape.seededProject) to which the operator has done this. */
    static String project(String sql) {
        String url = SupabaseShape.seededProject();
        SupabaseShape.asOperator(url, sql);
        return url;
    }

    /** Two such projects alike: one for a finding's fix, one for its other way. */
    static String[] twoProjects(String sql) {
        String url = SupabaseShape.seededProject();
        String other = SupabaseShape.copyOf(url);
        SupabaseShape.asOperator(url, sql);
        SupabaseShape.asOperator(other, sql);
        return new String[] {url, other};
    }

    /** status exits 6, and its one finding of the lint on the named object. */
    static JsonNode error(String url, String lint, String name) throws Exception {
        JsonNode doc = status(url);
        assertEquals(6, doc.get("exitCode").asInt(), doc.toString());
        JsonNode f = finding(doc, lint, name);
        assertEquals("error", f.get("level").asText(), f.toString());
        return f;
    }

    /** status as people read it. */
    static TestSupport.Result human(String url, String... args) {
        return SupabaseShape.run(new status(), TestSupport.adminEnv(url), args);
    }

    /** The security findings of a lint, as "name level" (a policy's: "table policy "p" level"). */
    static List<String> findings(JsonNode doc, String lint) {
        List<String> found = new ArrayList<>();
        for (JsonNode f : doc.get("security").get("findings")) {
            if (f.get("lint").asText().equals(lint)) found.add(f.get("name").asText() + (f.get("kind").asText().startsWith("policy ") ? " " + f.get("kind").asText() : "") + " " + f.get("level").asText());
        }
        return found;
    }

    /** The one finding of a lint on the named object. */
    static JsonNode finding(JsonNode doc, String lint, String name) {
        JsonNode one = null;
        for (JsonNode f : doc.get("security").get("findings")) {
            if (f.get("lint").asText().equals(lint) && f.get("name").asText().equals(name)) {
                assertTrue(one == null, "two " + lint + " findings on " + name + ": " + doc.get("security"));
                one = f;
            }
        }
        assertTrue(one != null, "no " + lint + " finding on " + name + ": " + doc.get("security").toPrettyString());
        return one;
    }

    /** The read made as a role of a relation: "rows 1", "rows 0" or "not proven: ...". */
    static String read(JsonNode doc, String role, String name) {
        for (JsonNode r : doc.get("security").get("reads")) {
            if (r.get("role").asText().equals(role) && r.get("name").asText().equals(name)) {
                return r.has("rows") ? "rows " + r.get("rows").asInt() : "not proven: " + r.get("notProven").asText();
            }
        }
        return "not read";
    }

    /** Runs SQL as the platform's superuser: for setting up what only Supabase may make. */
    static void asPlatform(String url, String sql) throws SQLException {
        try (Connection c = SupabaseShape.platform(url); var st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /**
     * Applies the finding's printed fix (its "fix", or with `other` its "or") as the operator, with the
     * placeholders a policy's fix leaves to the operator filled in, and returns status after it.
     */
    static JsonNode applyFix(String url, JsonNode finding, boolean other, Map<String, String> placeholders) throws Exception {
        String sql = finding.get(other ? "or" : "fix").asText();
        for (Map.Entry<String, String> p : placeholders.entrySet()) sql = sql.replace(p.getKey(), p.getValue());
        assertTrue(!sql.contains("<"), "a placeholder is left in " + sql);
        SupabaseShape.asOperator(url, sql); // as the operator pastes it into the SQL editor
        return status(url);
    }

    static JsonNode applyFix(String url, JsonNode finding) throws Exception {
        return applyFix(url, finding, false, Map.of());
    }

    private SecurityChecks() {}
}
