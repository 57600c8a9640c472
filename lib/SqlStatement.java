//SOURCES SqlLexer.java SqlCursor.java AlterAction.java
import java.util.ArrayList;
import java.util.List;

/**
 * A statement read by its kind from the one lexer's tokens: what the lint, the data checks and the
 * run's tracker ({@link RunTables}) need to know of it, read once. Only the forms they judge are
 * read in detail; any other statement is {@link Other}, with its first word. (A general SQL parser
 * would not do: JSqlParser 5.3 rejects PostgreSQL's NOT VALID, SET DATA TYPE, ADD CHECK and NULLS
 * NOT DISTINCT.)
 */
sealed interface SqlStatement {
    /** CREATE [TEMP | UNLOGGED] TABLE [IF NOT EXISTS] name ... [AS query]. */
    record CreateTable(SqlCursor.Name table, boolean ifNotExists, boolean fromQuery) implements SqlStatement {}

    /** CREATE TYPE, DOMAIN, EXTENSION or COLLATION: what a DROP ... CASCADE of it would reach; an enum's labels (else null). */
    record CreateObject(String kind, SqlCursor.Name name, boolean ifNotExists, List<String> enumLabels) implements SqlStatement {}

    /** CREATE [UNIQUE] INDEX [CONCURRENTLY] ... ON table (elements) [NULLS NOT DISTINCT] [WHERE predicate]. */
    record CreateIndex(SqlCursor.Name table, boolean unique, boolean concurrently, List<List<SqlLexer.Token>> elements,
            boolean nullsNotDistinct, List<SqlLexer.Token> predicate) implements SqlStatement {}

    record AlterTable(SqlCursor.Name table, List<AlterAction> actions) implements SqlStatement {}

    /** DROP kind [IF EXISTS] names [CASCADE]; kind is the object's kind in lower case ("table", "type", "owned", ...). */
    record Drop(String kind, List<SqlCursor.Name> names, boolean cascade) implements SqlStatement {}

    record Truncate(List<SqlCursor.Name> tables, boolean cascade) implements SqlStatement {}

    /** DELETE or UPDATE of one table, and which rows its WHERE picks. */
    record Write(String verb, SqlCursor.Name table, Where where) implements SqlStatement {}

    /** INSERT, MERGE or COPY into a table: its rows change. */
    record Fill(SqlCursor.Name table) implements SqlStatement {}

    /** WITH ...: each common table expression's statement, then the main one. */
    record With(List<SqlStatement> parts) implements SqlStatement {}

    record Other(String first) implements SqlStatement {}

    /** Which rows a WHERE clause picks: there is none, it is always true, or a real condition. */
    enum Where { NONE, ALWAYS_TRUE, CONDITION }

    static SqlStatement read(List<SqlLexer.Token> tokens) {
        SqlCursor c = new SqlCursor(tokens);
        String first = c.anyKeyword("create", "alter", "drop", "truncate", "delete", "update", "insert", "merge", "copy", "with");
        SqlStatement s = first == null ? null : switch (first) {
            case "create" -> create(c);
            case "alter" -> c.keywords("table") ? alterTable(c) : null;
            case "drop" -> drop(c);
            case "truncate" -> {
                c.keywords("table");
                List<SqlCursor.Name> names = c.names();
                yield names.isEmpty() ? null : new Truncate(names, c.has("cascade"));
            }
            case "delete" -> c.keywords("from") ? write("delete", c) : null;
            case "update" -> write("update", c);
            case "insert", "merge" -> c.keywords("into") ? fill(c) : null;
            case "copy" -> fill(c);
            default -> with(c);
        };
        if (s != null) return s;
        return new Other(tokens.isEmpty() || tokens.get(0).value() == null ? "" : tokens.get(0).value());
    }

    private static SqlStatement create(SqlCursor c) {
        c.keywords("or", "replace");
        c.anyKeyword("global", "local");
        c.anyKeyword("temporary", "temp", "unlogged");
        if (c.keywords("table")) {
            boolean ifNotExists = c.keywords("if", "not", "exists");
            SqlCursor.Name name = c.name();
            return name == null ? null : new CreateTable(name, ifNotExists, c.findTopLevel("as") < c.end);
        }
        boolean unique = c.keywords("unique");
        if (c.keywords("index")) return index(c, unique);
        String kind = c.anyKeyword("type", "domain", "extension", "collation");
        if (kind == null) return null;
        boolean ifNotExists = c.keywords("if", "not", "exists");
        SqlCursor.Name name = c.name();
        if (name == null) return null;
        List<String> labels = null;
        if (kind.equals("type") && c.keywords("as", "enum")) {
            int[] list = c.parens();
            labels = new ArrayList<>();
            if (list != null) for (int[] l : c.splitTopLevel(list[0], list[1], ",")) {
                SqlLexer.Token t = c.t.get(l[0]);
                if (t.kind() == SqlLexer.Token.Kind.STRING && l[1] == l[0] + 1) labels.add(t.value());
            }
        }
        return new CreateObject(kind, name, ifNotExists, labels);
    }

    private static SqlStatement index(SqlCursor c, boolean unique) {
        boolean concurrently = c.keywords("concurrently");
        c.keywords("if", "not", "exists");
        if (!c.peekKeyword("on")) c.name();
        if (!c.keywords("on")) return null;
        c.keywords("only");
        SqlCursor.Name table = c.name();
        if (table == null) return null;
        if (c.keywords("using")) c.identifier();
        int[] list = c.parens();
        List<List<SqlLexer.Token>> elements = null;
        if (list != null) {
            elements = new ArrayList<>();
            for (int[] e : c.splitTopLevel(list[0], list[1], ",")) elements.add(c.t.subList(e[0], e[1]));
            if (c.keywords("include")) c.parens();
        }
        boolean nullsNotDistinct = c.keywords("nulls", "not", "distinct");
        c.keywords("nulls", "distinct");
        int where = c.findTopLevel("where");
        return new CreateIndex(table, unique, concurrently, elements, nullsNotDistinct, where < c.end ? c.t.subList(where + 1, c.end) : null);
    }

    private static SqlStatement alterTable(SqlCursor c) {
        c.keywords("if", "exists");
        c.keywords("only");
        SqlCursor.Name table = c.name();
        if (table == null) return null;
        c.accept("*");
        List<AlterAction> actions = new ArrayList<>();
        for (int[] action : c.splitTopLevel(c.i, c.end, ",")) actions.add(AlterAction.read(c.range(action)));
        return new AlterTable(table, actions);
    }

    private static SqlStatement drop(SqlCursor c) {
        int at = c.i;
        String kind = c.keywords("materialized", "view") ? "materialized view" : c.keywords("foreign", "table") ? "foreign table" : c.identifier();
        if (kind == null || c.t.get(at).kind() != SqlLexer.Token.Kind.WORD) return null;
        if (kind.equals("owned")) return new Drop(kind, List.of(), c.has("cascade"));
        c.keywords("concurrently");
        c.keywords("if", "exists");
        List<SqlCursor.Name> names = c.names();
        return new Drop(kind, names, c.has("cascade"));
    }

    /** DELETE FROM / UPDATE [ONLY] table [*] [[AS] alias] ... [WHERE condition] [RETURNING ...]. */
    private static SqlStatement write(String verb, SqlCursor c) {
        c.keywords("only");
        SqlCursor.Name table = c.name();
        if (table == null) return null;
        int where = c.findTopLevel("where");
        if (where == c.end) return new Write(verb, table, Where.NONE);
        SqlCursor condition = new SqlCursor(c.t, where + 1, c.end);
        int returning = condition.findTopLevel("returning");
        return new Write(verb, table, alwaysTrue(c.t.subList(where + 1, returning)) ? Where.ALWAYS_TRUE : Where.CONDITION);
    }

    private static SqlStatement fill(SqlCursor c) {
        c.keywords("only");
        SqlCursor.Name table = c.name();
        return table == null ? null : new Fill(table);
    }

    /** WITH [RECURSIVE] name [(columns)] AS [[NOT] MATERIALIZED] (statement) [, ...] statement. */
    private static SqlStatement with(SqlCursor c) {
        c.keywords("recursive");
        List<SqlStatement> parts = new ArrayList<>();
        do {
            if (c.identifier() == null) return null;
            if (c.peek("(")) c.parens();
            if (!c.keywords("as")) return null;
            c.keywords("not");
            c.keywords("materialized");
            int[] body = c.parens();
            if (body == null) return null;
            parts.add(read(c.t.subList(body[0], body[1])));
            if (c.peekKeyword("search") || c.peekKeyword("cycle")) return null; // a recursive query's order: not read
        } while (c.accept(","));
        parts.add(read(c.rest()));
        return new With(parts);
    }

    /**
     * Whether a condition is true for every row whatever the row holds: TRUE, NOT FALSE, a comparison
     * of two constants that holds (1 = 1, 'a' = 'a'), an OR with such a part, an AND of such parts.
     */
    static boolean alwaysTrue(List<SqlLexer.Token> condition) {
        List<SqlLexer.Token> e = SqlCursor.unwrap(condition);
        SqlCursor c = new SqlCursor(e);
        List<int[]> any = c.splitTopLevel(0, e.size(), "or");
        if (any.size() > 1) return any.stream().anyMatch(r -> alwaysTrue(e.subList(r[0], r[1])));
        List<int[]> all = c.splitTopLevel(0, e.size(), "and");
        if (all.size() > 1) return all.stream().allMatch(r -> alwaysTrue(e.subList(r[0], r[1])));
        if (e.size() == 1) return e.get(0).keyword("true");
        if (e.size() == 2) return e.get(0).keyword("not") && e.get(1).keyword("false");
        if (e.size() != 3 || e.get(1).kind() != SqlLexer.Token.Kind.OPERATOR) return false;
        SqlLexer.Token a = e.get(0), b = e.get(2);
        int order;
        if (a.kind() == SqlLexer.Token.Kind.NUMBER && b.kind() == SqlLexer.Token.Kind.NUMBER) {
            try {
                order = new java.math.BigDecimal(a.text()).compareTo(new java.math.BigDecimal(b.text()));
            } catch (NumberFormatException notADecimal) {
                return false;
            }
        } else if (a.kind() == b.kind() && (a.kind() == SqlLexer.Token.Kind.STRING || a.keyword("true") || a.keyword("false"))) {
            if (!a.value().equals(b.value())) return false;
            order = 0;
        } else {
            return false;
        }
        return switch (e.get(1).text()) {
            case "=" -> order == 0;
            case "<>", "!=" -> order != 0;
            case "<" -> order < 0;
            case ">" -> order > 0;
            case "<=" -> order <= 0;
            case ">=" -> order >= 0;
            default -> false;
        };
    }
}
