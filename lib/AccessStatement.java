//SOURCES SqlLexer.java SqlCursor.java
import java.util.ArrayList;
import java.util.List;

/**
 * A statement that decides what Supabase's Data API can reach, read by its kind from the one
 * lexer's tokens (as {@link SqlStatement} reads the statements the lint judges): a view, a
 * materialized view or a foreign table made, a function made (SECURITY DEFINER or not, with a fixed
 * search_path or not), a privilege granted or revoked, a policy made or changed, an extension made.
 * Tables and row-level security are SqlStatement's (CREATE TABLE, ALTER TABLE ... ROW LEVEL SECURITY).
 */
sealed interface AccessStatement {
    /** CREATE [OR REPLACE] VIEW | MATERIALIZED VIEW | FOREIGN TABLE name: kind "view", "materialized view" or "foreign table". */
    record CreateRelation(String kind, SqlCursor.Name name, boolean securityInvoker) implements AccessStatement {}

    record CreateRoutine(boolean procedure, SqlCursor.Name name, boolean securityDefiner, boolean fixedSearchPath) implements AccessStatement {}

    /**
     * GRANT or REVOKE privileges (lower case; "all" for ALL [PRIVILEGES]) ON objects of a kind ("table",
     * "function", "all tables in schema", ...) TO or FROM roles (lower case; "public" for PUBLIC).
     */
    record Grant(boolean grant, List<String> privileges, String on, List<SqlCursor.Name> names, List<String> roles) implements AccessStatement {
        boolean reaches(String role) {
            return roles.contains(role) || roles.contains("public");
        }
    }

    /** CREATE or ALTER POLICY name ON table: permissive or not, its command (upper case; ALL when not said), roles, conditions (null when absent). */
    record Policy(boolean create, String name, SqlCursor.Name table, boolean permissive, String command, List<String> roles,
            List<SqlLexer.Token> using, List<SqlLexer.Token> withCheck) implements AccessStatement {}

    record CreateExtension(String name, boolean ifNotExists, String schema) implements AccessStatement {}

    /** The statement read as one of these, or null when it is none of them. */
    static AccessStatement read(List<SqlLexer.Token> tokens) {
        SqlCursor c = new SqlCursor(tokens);
        if (c.keywords("grant")) return grant(c, true);
        if (c.keywords("revoke")) {
            c.keywords("grant", "option", "for");
            return grant(c, false);
        }
        if (c.keywords("alter", "policy")) return policy(c, false);
        if (!c.keywords("create")) return null;
        c.keywords("or", "replace");
        if (c.keywords("policy")) return policy(c, true);
        if (c.keywords("extension")) {
            boolean ifNotExists = c.keywords("if", "not", "exists");
            String name = c.identifier();
            if (name == null) return null;
            c.keywords("with");
            return new CreateExtension(name, ifNotExists, c.keywords("schema") ? c.identifier() : null);
        }
        boolean procedure = c.peekKeyword("procedure");
        if (c.anyKeyword("function", "procedure") != null) {
            SqlCursor.Name name = c.name();
            return name == null ? null : new CreateRoutine(procedure, name, c.has("security", "definer"), c.has("set", "search_path"));
        }
        c.anyKeyword("temporary", "temp");
        c.keywords("recursive");
        String kind = c.keywords("view") ? "view" : c.keywords("materialized", "view") ? "materialized view" : c.keywords("foreign", "table") ? "foreign table" : null;
        if (kind == null) return null;
        c.keywords("if", "not", "exists");
        SqlCursor.Name name = c.name();
        if (name == null) return null;
        boolean invoker = false;
        int with = c.findTopLevel("with");
        if (with < c.findTopLevel("as")) {
            c.i = with + 1;
            int[] options = c.parens();
            if (options != null) {
                for (int[] o : c.splitTopLevel(options[0], options[1], ",")) {
                    SqlCursor option = c.range(o);
                    if (option.keywords("security_invoker")) invoker = !option.accept("=") || bool(option);
                }
            }
        }
        return new CreateRelation(kind, name, invoker);
    }

    /** A boolean option's value as PostgreSQL reads it. */
    private static boolean bool(SqlCursor c) {
        if (c.atEnd()) return false;
        SqlLexer.Token t = c.t.get(c.i);
        String v = t.value() == null ? t.text() : t.value();
        return v.toLowerCase(java.util.Locale.ROOT).matches("t|tr|tru|true|y|ye|yes|on|1");
    }

    private static AccessStatement grant(SqlCursor c, boolean grant) {
        int on = c.findTopLevel("on");
        if (on == c.end) return null; // a role granted to a role
        List<String> privileges = new ArrayList<>();
        for (int[] p : c.splitTopLevel(c.i, on, ",")) {
            String first = c.range(p).identifier();
            if (first != null) privileges.add(first);
        }
        c.i = on + 1;
        String kind = c.keywords("all", "tables", "in", "schema") ? "all tables in schema"
                : c.keywords("all", "functions", "in", "schema") ? "all functions in schema"
                : c.keywords("all", "routines", "in", "schema") ? "all functions in schema"
                : c.anyKeyword("table", "function", "procedure", "routine", "schema", "sequence");
        if (kind == null) kind = "table";
        int to = c.findTopLevel(grant ? "to" : "from");
        List<SqlCursor.Name> names = new SqlCursor(c.t, c.i, to).names();
        List<String> roles = new ArrayList<>();
        for (int[] r : c.splitTopLevel(to + 1, c.end, ",")) {
            SqlCursor role = c.range(r);
            role.keywords("group");
            String name = role.identifier();
            if (name != null) roles.add(name);
        }
        return new Grant(grant, privileges, kind, names, roles);
    }

    private static AccessStatement policy(SqlCursor c, boolean create) {
        String name = c.identifier();
        if (name == null || !c.keywords("on")) return null;
        SqlCursor.Name table = c.name();
        if (table == null) return null;
        boolean permissive = !(c.keywords("as", "restrictive"));
        c.keywords("as", "permissive");
        String command = "ALL";
        if (c.keywords("for")) {
            String cmd = c.anyKeyword("all", "select", "insert", "update", "delete");
            if (cmd != null) command = cmd.toUpperCase(java.util.Locale.ROOT);
        }
        List<String> roles = create ? new ArrayList<>(List.of("public")) : new ArrayList<>();
        if (c.keywords("to")) {
            roles.clear();
            int end = c.findTopLevel("using", "with");
            for (int[] r : c.splitTopLevel(c.i, end, ",")) {
                String role = c.range(r).identifier();
                if (role != null) roles.add(role);
            }
            c.i = end;
        }
        List<SqlLexer.Token> using = null, withCheck = null;
        if (c.keywords("using")) {
            int[] e = c.parens();
            if (e != null) using = c.t.subList(e[0], e[1]);
        }
        if (c.keywords("with", "check")) {
            int[] e = c.parens();
            if (e != null) withCheck = c.t.subList(e[0], e[1]);
        }
        return new Policy(create, name, table, permissive, command, roles, using, withCheck);
    }
}
