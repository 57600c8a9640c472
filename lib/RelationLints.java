//SOURCES SecurityCatalog.java SecurityFinding.java SecurityLint.java SensitiveColumns.java ApiRoleProof.java PolicyLints.java SqlScript.java
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checks on tables, views, materialized views and foreign tables: what the Data API can reach of
 * each, judged from the catalog (privileges, row-level security, policies, view options) and, where
 * the API roles' reads were made, from what came back. A relation reached only through a schema the
 * Data API does not serve is judged for its row-level security alone.
 */
final class RelationLints {
    private final SecurityCatalog.Facts facts;
    private final Map<String, List<ApiRoleProof.Read>> reads = new LinkedHashMap<>();
    private final boolean pg15, queues;

    /** @param reads what the API roles' reads showed, or an empty list where they were not made (a copy has no rows) */
    RelationLints(SecurityCatalog.Facts facts, List<ApiRoleProof.Read> reads, List<String> exposedSchemas) {
        this.facts = facts;
        this.queues = exposedSchemas.contains("pgmq_public");
        for (ApiRoleProof.Read r : reads) this.reads.computeIfAbsent(key(r.schema(), r.relation()), k -> new ArrayList<>()).add(r);
        this.pg15 = facts.facts("server").stream().anyMatch(f -> Integer.parseInt(f.a()) >= 150000);
    }

    private static String key(String schema, String name) {
        return schema + "." + name;
    }

    List<SecurityFinding> check() {
        List<SecurityFinding> out = new ArrayList<>();
        boolean graphql = facts.has("pg_graphql");
        boolean authUsersRls = facts.has("auth.users has rls");
        for (SecurityCatalog.Relation r : facts.relations()) {
            SecurityFinding.DbObject object = SecurityFinding.DbObject.of(r.schema(), r.name(), r.kindWord());
            String sql = object.sql();
            if (r.schema().equals("pgmq")) {
                // a queue is reached through pgmq_public's functions, which read it with the caller's privileges
                List<String> holders = r.roles().entrySet().stream().filter(e -> !e.getValue().privileges().isEmpty()).map(Map.Entry::getKey).sorted().toList();
                if (queues && r.isTable() && !r.rls() && !holders.isEmpty()) {
                    out.add(new SecurityFinding(SecurityLint.INSECURE_QUEUE_EXPOSED_IN_API, object, "a queue without row-level security, and "
                            + and(holders) + " hold privileges on it", SecurityFinding.Fix.of("ALTER TABLE " + sql + " ENABLE ROW LEVEL SECURITY")));
                }
                continue;
            }
            List<String> users = users(r);
            if (r.isTable() && !r.rls() && r.exposed() && !users.isEmpty()) {
                out.add(new SecurityFinding(SecurityLint.RLS_DISABLED_IN_PUBLIC, object, "it has no row-level security, and " + and(users) + " may "
                        + String.join(", ", privileges(r)) + " it" + proof(r), SecurityFinding.Fix.of("ALTER TABLE " + sql + " ENABLE ROW LEVEL SECURITY").then("add policies for what the API should see"))
                        .with("roles", users).with("privileges", privileges(r)));
            }
            if (r.isTable() && !r.rls() && r.policies() > 0) {
                out.add(new SecurityFinding(SecurityLint.POLICY_EXISTS_RLS_DISABLED, object, PolicyLints.plural(r.policies(), "policy", "policies")
                        + " but row-level security off", SecurityFinding.Fix.of("ALTER TABLE " + sql + " ENABLE ROW LEVEL SECURITY")));
            }
            if (r.isTable() && r.rls() && r.policies() == 0) {
                out.add(new SecurityFinding(SecurityLint.RLS_ENABLED_NO_POLICY, object, "row-level security on and no policy",
                        SecurityFinding.Fix.of("CREATE POLICY " + SqlScript.identifier(r.name() + " read") + " ON " + sql + " FOR SELECT TO authenticated USING (<a condition on the row>)")
                                .then("none of this if only the app should read it")));
            }
            List<String> readers = r.exposed() ? r.readers() : List.of();
            if (readers.isEmpty()) continue;
            String revoke = "REVOKE SELECT ON " + sql + " FROM " + from(r, readers);
            SecurityFinding.Fix revoking = SecurityFinding.Fix.of(revoke);
            boolean definerView = r.kind().equals("v") && !r.securityInvoker() && pg15;
            if (r.readsAuthUsers() && (r.kind().equals("m") || !r.securityInvoker() || !authUsersRls)) {
                out.add(new SecurityFinding(SecurityLint.AUTH_USERS_EXPOSED, object, "it reads auth.users, and " + and(readers) + " may select it" + proof(r), revoking));
            }
            if (definerView) {
                out.add(new SecurityFinding(SecurityLint.SECURITY_DEFINER_VIEW, object, and(readers) + " may select it, and it reads as its owner " + r.owner() + proof(r),
                        SecurityFinding.Fix.of("ALTER VIEW " + sql + " SET (security_invoker = on)").or(revoke)));
            }
            if (r.kind().equals("m")) out.add(new SecurityFinding(SecurityLint.MATERIALIZED_VIEW_IN_API, object, and(readers) + " may select it" + proof(r), revoking));
            if (r.kind().equals("f")) {
                out.add(new SecurityFinding(SecurityLint.FOREIGN_TABLE_IN_API, object, and(readers) + " may use it" + proof(r),
                        SecurityFinding.Fix.of("REVOKE ALL ON " + sql + " FROM " + from(r, readers))));
            }
            SecurityFinding sensitive = sensitive(r, object, readers, definerView);
            if (sensitive != null) out.add(sensitive);
            if (graphql && !r.kind().equals("p")) {
                for (String role : readers) {
                    SecurityCatalog.Access a = r.access(role);
                    out.add(new SecurityFinding(role.equals("anon") ? SecurityLint.PG_GRAPHQL_ANON_TABLE_EXPOSED : SecurityLint.PG_GRAPHQL_AUTHENTICATED_TABLE_EXPOSED,
                            object, role + " may select " + (a.privileges().contains("select") ? "it" : "some of its columns"),
                            SecurityFinding.Fix.of(a.privileges().contains("select") ? "REVOKE SELECT ON " + sql + " FROM " + from(r, List.of(role))
                                    : "REVOKE SELECT (" + String.join(", ", a.columns().stream().map(SqlScript::identifier).toList()) + ") ON " + sql + " FROM " + role)));
                }
            }
            // rows behind row-level security (or a view that honours it) proven readable: the findings above say the rest
            boolean guarded = (r.isTable() && r.rls()) || (r.kind().equals("v") && !definerView);
            if (sensitive == null && guarded) {
                List<String> came = came(r);
                if (!came.isEmpty()) {
                    List<SecurityCatalog.Policy> through = PolicyLints.readPolicies(facts, r, came.get(0));
                    out.add(new SecurityFinding(SecurityLint.API_ROLE_READS_ROWS, object, and(came) + " can read rows of it" + PolicyLints.through(through),
                            (through.isEmpty() ? revoking : PolicyLints.narrow(through.get(0))).then("none of this if those rows are meant to be public"))
                            .with("roles", came));
                }
            }
        }
        return out;
    }

    /**
     * Secrets or personal data an API role can read: a sensitive column it may select of a relation no
     * row-level security guards (a table without it, a view reading as its owner, a materialized view, a
     * foreign table), or of a table whose policies were proven to let rows through, or that let every row through.
     */
    private SecurityFinding sensitive(SecurityCatalog.Relation r, SecurityFinding.DbObject object, List<String> readers, boolean definerView) {
        List<String> roles = new ArrayList<>(), columns = new ArrayList<>();
        List<SecurityCatalog.Policy> through = new ArrayList<>();
        boolean unguarded = (r.isTable() && !r.rls()) || definerView || r.kind().equals("m") || r.kind().equals("f");
        for (String role : readers) {
            List<String> sensitive = SensitiveColumns.among(r.access(role).columns());
            if (sensitive.isEmpty()) continue;
            List<SecurityCatalog.Policy> policies = r.isTable() && r.rls() ? PolicyLints.readPolicies(facts, r, role) : List.of();
            boolean open = unguarded || came(r).contains(role) || policies.stream().anyMatch(PolicyLints::readsEveryRow);
            if (!open) continue;
            roles.add(role);
            sensitive.stream().filter(c -> !columns.contains(c)).forEach(columns::add);
            policies.stream().filter(p -> !through.contains(p)).forEach(through::add);
        }
        if (roles.isEmpty()) return null;
        String cols = String.join(", ", columns.stream().map(SqlScript::identifier).toList());
        boolean proven = roles.stream().allMatch(came(r)::contains);
        String how = proven ? and(roles) + " can read rows of it, including " + cols
                : and(roles) + " may select " + cols + " of it" + proof(r);
        String sql = object.sql();
        String revoke = "REVOKE SELECT ON " + sql + " FROM " + from(r, roles);
        SecurityFinding.Fix fix;
        if (r.isTable() && !r.rls()) fix = SecurityFinding.Fix.of("ALTER TABLE " + sql + " ENABLE ROW LEVEL SECURITY");
        else if (definerView) fix = SecurityFinding.Fix.of("ALTER VIEW " + sql + " SET (security_invoker = on)").or(revoke);
        else if (!r.isTable() || through.isEmpty()) fix = SecurityFinding.Fix.of(revoke);
        else fix = through.size() == 1 ? PolicyLints.narrow(through.get(0))
                : PolicyLints.narrow(through.get(0)).then("likewise for policy " + String.join(", ", through.subList(1, through.size()).stream().map(p -> SqlScript.identifier(p.name())).toList()));
        String via = r.isTable() && r.rls() ? PolicyLints.through(through) : definerView ? ", as the view's owner " + r.owner() : "";
        return new SecurityFinding(SecurityLint.SENSITIVE_COLUMNS_EXPOSED, object, how + via, fix)
                .with("roles", roles).with("sensitiveColumns", columns).with("proven", proven);
    }

    /** The API roles holding a privilege on it, in a schema the Data API serves. */
    private static List<String> users(SecurityCatalog.Relation r) {
        if (!r.exposed()) return List.of();
        return r.roles().entrySet().stream().filter(e -> !e.getValue().held().isEmpty() || e.getValue().reads()).map(Map.Entry::getKey).sorted().toList();
    }

    private static List<String> privileges(SecurityCatalog.Relation r) {
        return List.of("select", "insert", "update", "delete").stream()
                .filter(p -> r.roles().values().stream().anyMatch(a -> a.held().contains(p))).toList();
    }

    /** Whom a REVOKE must name: the roles, and PUBLIC when it holds the privilege too. */
    private static String from(SecurityCatalog.Relation r, List<String> roles) {
        return (r.publicPrivileges().isEmpty() ? "" : "PUBLIC, ") + String.join(", ", roles);
    }

    /** The roles a row came back to. */
    private List<String> came(SecurityCatalog.Relation r) {
        return reads.getOrDefault(key(r.schema(), r.name()), List.of()).stream().filter(ApiRoleProof.Read::rowsCame).map(ApiRoleProof.Read::role).toList();
    }

    /** What the API roles' reads of it showed, as the end of a sentence; nothing where none were made. */
    private String proof(SecurityCatalog.Relation r) {
        List<ApiRoleProof.Read> made = reads.getOrDefault(key(r.schema(), r.name()), List.of());
        if (made.isEmpty()) return "";
        List<String> came = came(r);
        List<String> none = made.stream().filter(m -> m.rows() != null && m.rows() == 0).map(ApiRoleProof.Read::role).toList();
        List<String> not = made.stream().filter(m -> m.rows() == null).map(m -> m.role() + ": " + m.notProven()).toList();
        List<String> parts = new ArrayList<>();
        if (!came.isEmpty()) parts.add("proven: a row came back to " + and(came));
        if (!none.isEmpty()) parts.add("no row came back to " + and(none) + " now");
        if (!not.isEmpty()) parts.add("not proven for " + String.join("; ", not));
        return " (" + String.join("; ", parts) + ")";
    }

    static String and(List<String> words) {
        if (words.size() <= 1) return String.join("", words);
        return String.join(", ", words.subList(0, words.size() - 1)) + " and " + words.get(words.size() - 1);
    }
}
