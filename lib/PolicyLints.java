//SOURCES SecurityCatalog.java SecurityFinding.java SecurityLint.java SqlStatement.java SqlLexer.java SqlScript.java
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The checks on row-level security policies: a permissive policy for the API roles whose condition
 * is always true (read with the kit's SQL reader, as the lint reads WHERE clauses), and a policy that
 * trusts user_metadata. Also the phrases the relation checks use to say which policies let rows through.
 */
final class PolicyLints {

    static List<SecurityFinding> check(SecurityCatalog.Facts facts) {
        List<SecurityFinding> out = new ArrayList<>();
        for (SecurityCatalog.Policy p : facts.policies()) {
            SecurityCatalog.Relation table = facts.relations().stream()
                    .filter(r -> r.schema().equals(p.schema()) && r.name().equals(p.table())).findFirst().orElse(null);
            if (table == null || !table.rls()) continue; // a policy on a table without RLS is the table's finding
            SecurityFinding.DbObject object = new SecurityFinding.DbObject(p.schema(), p.table(), "policy " + SqlScript.identifier(p.name()), null);
            String on = " ON " + SqlScript.identifier(p.schema()) + "." + SqlScript.identifier(p.table());
            if (readsUserMetadata(p.using()) || readsUserMetadata(p.withCheck())) {
                out.add(new SecurityFinding(SecurityLint.RLS_REFERENCES_USER_METADATA, object, "its condition reads user_metadata from the JWT ("
                        + (readsUserMetadata(p.using()) ? "USING (" + p.using() + ")" : "WITH CHECK (" + p.withCheck() + ")") + ")",
                        SecurityFinding.Fix.of("ALTER POLICY " + SqlScript.identifier(p.name()) + on + (readsUserMetadata(p.using()) ? " USING" : " WITH CHECK")
                        + " (<the same test on app_metadata, which only the server writes>)").or("DROP POLICY " + SqlScript.identifier(p.name()) + on)));
            }
            List<String> api = p.roles().stream().filter(r -> r.equals("public") || r.equals("anon") || r.equals("authenticated")).toList();
            if (!p.permissive() || api.isEmpty()) continue;
            boolean everyRow = !p.command().equals("INSERT") && (p.using() == null || alwaysTrue(p.using()));
            boolean anyNewRow = switch (p.command()) {
                case "INSERT" -> p.withCheck() == null || alwaysTrue(p.withCheck());
                case "UPDATE", "ALL" -> p.withCheck() == null ? everyRow : alwaysTrue(p.withCheck());
                default -> false;
            };
            if (!everyRow && !anyNewRow) continue;
            boolean writes = !p.command().equals("SELECT");
            String verb = switch (p.command()) {
                case "SELECT" -> "read";
                case "INSERT" -> "insert";
                case "UPDATE" -> "update";
                case "DELETE" -> "delete";
                default -> "read, insert, update and delete";
            };
            String clause = everyRow ? (p.using() == null ? "no USING condition" : "USING (" + p.using() + ")")
                    : (p.withCheck() == null ? "no WITH CHECK condition" : "WITH CHECK (" + p.withCheck() + ")");
            String what = "it lets " + RelationLints.and(api) + " " + verb + (p.command().equals("INSERT") ? " any row" : " every row") + " (" + clause + ")";
            // the advisor leaves policies for SELECT alone (public reads are often meant): the kit shows them as information
            SecurityLint.Level level = writes ? SecurityLint.Level.WARN : SecurityLint.Level.INFO;
            out.add(new SecurityFinding(SecurityLint.RLS_POLICY_ALWAYS_TRUE, level, object, what, narrow(p), Map.of())
                    .with("policy", p.name()).with("command", p.command()).with("roles", api));
        }
        return out;
    }

    /** The permissive policies on the table that give this role rows to read. */
    static List<SecurityCatalog.Policy> readPolicies(SecurityCatalog.Facts facts, SecurityCatalog.Relation r, String role) {
        return facts.policies().stream().filter(p -> p.schema().equals(r.schema()) && p.table().equals(r.name())
                && p.permissive() && p.appliesTo(role) && p.covers("SELECT")).toList();
    }

    static boolean readsEveryRow(SecurityCatalog.Policy p) {
        return p.using() == null || alwaysTrue(p.using());
    }

    /** ", through policy "p" (USING (true))", naming every policy; nothing when there is none. */
    static String through(List<SecurityCatalog.Policy> policies) {
        if (policies.isEmpty()) return "";
        List<String> named = policies.stream().map(p -> SqlScript.identifier(p.name()) + " (USING (" + (p.using() == null ? "true" : p.using()) + "))").toList();
        return ", through " + (named.size() == 1 ? "policy " : "policies ") + RelationLints.and(named);
    }

    /** The fix for a policy that lets too much through: narrow its condition, or drop it. */
    static SecurityFinding.Fix narrow(SecurityCatalog.Policy p) {
        String on = " ON " + SqlScript.identifier(p.schema()) + "." + SqlScript.identifier(p.table());
        String condition = p.command().equals("INSERT") ? " WITH CHECK (<a condition on the new row>)" : " USING (<a condition on the row>)";
        return SecurityFinding.Fix.of("ALTER POLICY " + SqlScript.identifier(p.name()) + on + condition).or("DROP POLICY " + SqlScript.identifier(p.name()) + on);
    }

    static boolean alwaysTrue(String expression) {
        return SqlStatement.alwaysTrue(SqlLexer.scan(expression));
    }

    /** Whether an expression reads user_metadata out of the request's JWT (auth.jwt() or the request.jwt.claims setting). */
    static boolean readsUserMetadata(String expression) {
        if (expression == null) return false;
        String e = expression.toLowerCase(Locale.ROOT);
        return e.contains("user_metadata") && (e.contains("auth.jwt()") || e.contains("request.jwt.claim"));
    }

    static String plural(int n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }

    private PolicyLints() {}
}
