//SOURCES ApiDefaults.java AccessStatement.java SqlStatement.java AlterAction.java SqlScript.java MigrationFile.java SecurityLint.java PolicyLints.java RelationLints.java
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Before a migration is applied: which pending statements create or open something Supabase's Data
 * API can reach, read from the statements themselves (in the order a run applies them, so a later
 * ENABLE ROW LEVEL SECURITY or REVOKE closes what an earlier statement opened) against what the
 * target gives the API roles by default ({@link ApiDefaults}). Each opening names the file, the
 * line, the statement, the check of status that it would fail, and what to add to the migration.
 */
final class ExposedStatements {

    /** Where a statement is: its file, line and the statement as messages show it; its place in the run. */
    record At(String file, int line, String statement, int order) {}

    /** A pending statement that opens an object to the Data API: the check status would report, on which object, what, and what to add. */
    record Opening(At at, SecurityLint lint, SecurityLint.Level level, String object, String what, String fix) {
        String sentence() {
            return at.file() + " line " + at.line() + ": " + at.statement() + " " + what + " (" + lint.advisorName() + ", " + level.word()
                    + " in status): " + fix + ".";
        }
    }

    /** An object a run makes: where, what, whether row-level security ends on, and who holds privileges on it ("public" for PUBLIC). */
    private static final class Made {
        final At at;
        final String kind;
        final boolean flag; // a view: security_invoker; a function: SECURITY DEFINER; a table: nothing
        final boolean fixedSearchPath;
        final Set<String> grantees;
        Boolean rls;
        At opened;

        Made(At at, String kind, boolean flag, boolean fixedSearchPath, List<String> grantees) {
            this.at = at;
            this.kind = kind;
            this.flag = flag;
            this.fixedSearchPath = fixedSearchPath;
            this.grantees = new LinkedHashSet<>(grantees);
        }

        List<String> apiRoles() {
            return new ArrayList<>(grantees.contains("public") ? List.of("anon", "authenticated")
                    : grantees.stream().filter(g -> g.equals("anon") || g.equals("authenticated")).sorted().toList());
        }
    }

    private final ApiDefaults target;
    private final Map<String, Made> made = new LinkedHashMap<>();
    private final List<Opening> openings = new ArrayList<>();

    private ExposedStatements(ApiDefaults target) {
        this.target = target;
    }

    /** The openings of the pending migrations against the target, in the order of the statements that open them. */
    static List<Opening> read(List<MigrationFile> pending, ApiDefaults target) {
        if (!target.supabase()) return List.of();
        ExposedStatements run = new ExposedStatements(target);
        int order = 0;
        for (MigrationFile m : pending) {
            for (SqlScript.Statement s : m.statements()) run.follow(new At(m.name, s.line(), s.shown(), order++), s.tokens());
        }
        return run.finish();
    }

    /**
     * The last pending statement that names this object (a relation, a routine, a policy's table, an
     * extension by its name alone), or null: where the rehearsal says a finding on the copy comes from.
     */
    static At maker(List<MigrationFile> pending, String currentSchema, String schema, String name) {
        At last = null;
        int order = 0;
        for (MigrationFile m : pending) {
            for (SqlScript.Statement s : m.statements()) {
                At at = new At(m.name, s.line(), s.shown(), order++);
                for (SqlCursor.Name n : names(s.tokens())) {
                    if (n.name().equals(name) && (schema == null || schema.equals(n.schema() == null ? currentSchema : n.schema()))) last = at;
                }
            }
        }
        return last;
    }

    /** The objects a statement names, by the kind it is read as. */
    private static List<SqlCursor.Name> names(List<SqlLexer.Token> tokens) {
        SqlStatement s = SqlStatement.read(tokens);
        if (s instanceof SqlStatement.CreateTable t) return List.of(t.table());
        if (s instanceof SqlStatement.AlterTable a) return List.of(a.table());
        AccessStatement access = AccessStatement.read(tokens);
        if (access instanceof AccessStatement.CreateRelation r) return List.of(r.name());
        if (access instanceof AccessStatement.CreateRoutine r) return List.of(r.name());
        if (access instanceof AccessStatement.Grant g) return g.names();
        if (access instanceof AccessStatement.Policy p) return List.of(p.table());
        if (access instanceof AccessStatement.CreateExtension e) return List.of(new SqlCursor.Name(null, e.name()));
        return List.of();
    }

    private String schema(SqlCursor.Name n) {
        return n.schema() == null ? target.currentSchema() : n.schema();
    }

    private String key(SqlCursor.Name n) {
        return ApiDefaults.key(schema(n), n.name());
    }

    private void follow(At at, List<SqlLexer.Token> tokens) {
        SqlStatement s = SqlStatement.read(tokens);
        if (s instanceof SqlStatement.CreateTable t) {
            if (t.ifNotExists() && target.tables().containsKey(key(t.table()))) return; // the table stays as it is
            made.put(key(t.table()), new Made(at, "table", false, true, target.tableGrantees().getOrDefault(schema(t.table()), List.of())));
            made.get(key(t.table())).rls = false;
            return;
        }
        if (s instanceof SqlStatement.Drop d) {
            d.names().forEach(n -> made.remove(key(n)));
            return;
        }
        if (s instanceof SqlStatement.AlterTable a) {
            for (AlterAction action : a.actions()) if (action instanceof AlterAction.RowSecurity r) rowSecurity(at, a.table(), r.enable());
            return;
        }
        AccessStatement access = AccessStatement.read(tokens);
        if (access instanceof AccessStatement.CreateRelation r) {
            made.put(key(r.name()), new Made(at, r.kind(), r.securityInvoker(), true, target.tableGrantees().getOrDefault(schema(r.name()), List.of())));
        } else if (access instanceof AccessStatement.CreateRoutine r) {
            made.put(key(r.name()), new Made(at, r.procedure() ? "procedure" : "function", r.securityDefiner(), r.fixedSearchPath(),
                    target.functionGrantees().getOrDefault(schema(r.name()), List.of("public"))));
        } else if (access instanceof AccessStatement.Grant g && (g.on().equals("table") || g.on().equals("function") || g.on().equals("procedure"))) {
            for (SqlCursor.Name n : g.names()) grant(at, n, g);
        } else if (access instanceof AccessStatement.Policy p) {
            policy(at, p);
        } else if (access instanceof AccessStatement.CreateExtension e) {
            String schema = e.schema() != null ? e.schema() : target.currentSchema();
            boolean installed = target.extensions().contains(e.name()) && e.ifNotExists();
            if (!installed && schema.equals("public")) {
                openings.add(new Opening(at, SecurityLint.EXTENSION_IN_PUBLIC, SecurityLint.EXTENSION_IN_PUBLIC.level, SqlScript.identifier(e.name()),
                        "installs extension " + SqlScript.identifier(e.name()) + " in schema public", "write WITH SCHEMA extensions"));
            }
        }
    }

    private void rowSecurity(At at, SqlCursor.Name table, boolean enable) {
        Made m = made.get(key(table));
        if (m == null) {
            ApiDefaults.Table before = target.tables().get(key(table));
            if (before == null) return;
            m = new Made(at, "table", false, true, before.roles());
            m.rls = before.rls();
            made.put(key(table), m);
        }
        m.rls = enable;
        if (!enable) m.opened = at;
    }

    private void grant(At at, SqlCursor.Name n, AccessStatement.Grant g) {
        Made m = made.get(key(n));
        ApiDefaults.Table before = target.tables().get(key(n));
        if (m == null && before != null && !before.rls()) {
            m = new Made(at, "table", false, true, before.roles());
            m.rls = false;
            made.put(key(n), m);
        }
        if (m == null) return;
        if (g.grant()) {
            m.grantees.addAll(g.roles());
            if (g.reaches("anon") || g.reaches("authenticated")) m.opened = at;
        } else {
            g.roles().forEach(m.grantees::remove);
        }
    }

    private void policy(At at, AccessStatement.Policy p) {
        String text = SqlLexer.render(p.using() == null ? List.of() : p.using()) + " " + SqlLexer.render(p.withCheck() == null ? List.of() : p.withCheck());
        String table = SqlScript.identifier(schema(p.table())) + "." + SqlScript.identifier(p.table().name());
        if (PolicyLints.readsUserMetadata(text)) {
            openings.add(new Opening(at, SecurityLint.RLS_REFERENCES_USER_METADATA, SecurityLint.Level.ERROR, table,
                    "makes policy " + SqlScript.identifier(p.name()) + " on " + table + " trust user_metadata from the JWT", "test app_metadata instead"));
        }
        List<String> api = p.roles().stream().filter(r -> r.equals("public") || r.equals("anon") || r.equals("authenticated")).toList();
        if (!p.permissive() || api.isEmpty()) return;
        boolean everyRow = !p.command().equals("INSERT") && ((p.create() && p.using() == null) || (p.using() != null && SqlStatement.alwaysTrue(p.using())));
        boolean anyNewRow = !p.command().equals("SELECT") && !p.command().equals("DELETE")
                && ((p.create() && p.withCheck() == null && (everyRow || p.command().equals("INSERT"))) || (p.withCheck() != null && SqlStatement.alwaysTrue(p.withCheck())));
        if (!everyRow && !anyNewRow) return;
        String who = RelationLints.and(api);
        ApiDefaults.Table before = target.tables().get(key(p.table()));
        List<String> sensitive = before == null ? List.of() : before.sensitiveColumns();
        String fix = "give the policy a condition on the row, or leave it out";
        if (p.command().equals("SELECT") || p.command().equals("ALL")) {
            if (!sensitive.isEmpty() && everyRow) {
                openings.add(new Opening(at, SecurityLint.SENSITIVE_COLUMNS_EXPOSED, SecurityLint.Level.ERROR, table, "lets " + who + " read every row of " + table
                        + ", including " + String.join(", ", sensitive.stream().map(SqlScript::identifier).toList()), fix));
                return;
            }
        }
        boolean writes = !p.command().equals("SELECT");
        openings.add(new Opening(at, SecurityLint.RLS_POLICY_ALWAYS_TRUE, writes ? SecurityLint.Level.WARN : SecurityLint.Level.INFO, table,
                "lets " + who + " " + (writes ? "write" : "read") + " every row of " + table, fix));
    }

    private List<Opening> finish() {
        for (Map.Entry<String, Made> e : made.entrySet()) {
            Made m = e.getValue();
            String schema = e.getKey().substring(0, e.getKey().indexOf('.'));
            String name = SqlScript.identifier(schema) + "." + SqlScript.identifier(e.getKey().substring(schema.length() + 1));
            boolean exposed = target.exposed(schema);
            List<String> roles = m.apiRoles();
            String who = RelationLints.and(roles) + (m.opened == null ? " get" + (m.kind.equals("function") || m.kind.equals("procedure") ? " EXECUTE" : " privileges")
                    + " on it by default" : " hold privileges on it");
            At at = m.opened != null ? m.opened : m.at;
            if (m.kind.equals("function") || m.kind.equals("procedure")) {
                if (!m.fixedSearchPath && (exposed || schema.equals(target.currentSchema()))) {
                    openings.add(new Opening(m.at, SecurityLint.FUNCTION_SEARCH_PATH_MUTABLE, SecurityLint.Level.WARN, name, "makes " + m.kind + " " + name
                            + " with no fixed search_path", "add SET search_path = '' to it (and qualify the names it uses)"));
                }
                if (m.flag && exposed && !roles.isEmpty()) {
                    openings.add(new Opening(at, roles.contains("anon") ? SecurityLint.ANON_SECURITY_DEFINER_FUNCTION_EXECUTABLE : SecurityLint.AUTHENTICATED_SECURITY_DEFINER_FUNCTION_EXECUTABLE,
                            SecurityLint.Level.WARN, name, "makes SECURITY DEFINER " + m.kind + " " + name + " in a schema the Data API serves, and " + who,
                            "add REVOKE EXECUTE ON " + m.kind.toUpperCase(java.util.Locale.ROOT) + " " + name + " FROM PUBLIC, " + String.join(", ", roles)));
                }
                continue;
            }
            if (!exposed || roles.isEmpty()) continue;
            switch (m.kind) {
                case "table" -> {
                    if (Boolean.FALSE.equals(m.rls)) {
                        openings.add(new Opening(at, SecurityLint.RLS_DISABLED_IN_PUBLIC, SecurityLint.Level.ERROR, name, (m.opened == null ? "creates table " : "leaves table ") + name
                                + " without row-level security in a schema the Data API serves, and " + who, "add ALTER TABLE " + name + " ENABLE ROW LEVEL SECURITY"));
                    }
                }
                case "view" -> {
                    if (!m.flag) {
                        openings.add(new Opening(at, SecurityLint.SECURITY_DEFINER_VIEW, SecurityLint.Level.ERROR, name, "makes view " + name
                                + ", which reads as its owner, in a schema the Data API serves, and " + who, "write it WITH (security_invoker = on), or REVOKE SELECT ON " + name
                                + " FROM " + String.join(", ", roles)));
                    }
                }
                case "materialized view" -> openings.add(new Opening(at, SecurityLint.MATERIALIZED_VIEW_IN_API, SecurityLint.Level.WARN, name, "makes materialized view " + name
                        + " in a schema the Data API serves, and " + who, "add REVOKE SELECT ON " + name + " FROM " + String.join(", ", roles)));
                default -> openings.add(new Opening(at, SecurityLint.FOREIGN_TABLE_IN_API, SecurityLint.Level.WARN, name, "makes foreign table " + name
                        + " in a schema the Data API serves, and " + who, "add REVOKE ALL ON " + name + " FROM " + String.join(", ", roles)));
            }
        }
        openings.sort(java.util.Comparator.comparingInt(o -> o.at().order()));
        return openings;
    }
}
