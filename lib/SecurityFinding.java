//SOURCES SecurityLint.java SqlScript.java
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One security finding: which check, at which level, on which object, what was found (and proven),
 * and a statement PostgreSQL accepts for that kind of object that closes it. Never a row's value:
 * objects, columns, roles and policies are named, rows only counted.
 */
record SecurityFinding(SecurityLint lint, SecurityLint.Level level, DbObject object, String what, Fix fix, Map<String, Object> details) {

    /**
     * What closes the finding: SQL that PostgreSQL accepts for this kind of object (a placeholder in
     * angle brackets only where the operator must write a condition), another way, and what to do after.
     */
    record Fix(String sql, String or, String then) {
        static Fix of(String sql) {
            return new Fix(sql, null, null);
        }

        Fix or(String other) {
            return new Fix(sql, other, then);
        }

        Fix then(String after) {
            return new Fix(sql, or, after);
        }

        String shown() {
            return sql + (or == null ? "" : "; or " + or) + (then == null ? "" : " (then " + then + ")");
        }
    }

    /** A schema object: its schema, name and kind (table, view, function, policy, ...); a routine's arguments (else null). */
    record DbObject(String schema, String name, String kind, String arguments) {
        static DbObject of(String schema, String name, String kind) {
            return new DbObject(schema, name, kind, null);
        }

        /** As SQL names it: "schema"."name", with a routine's argument types. */
        String sql() {
            return (schema == null ? "" : SqlScript.identifier(schema) + ".") + SqlScript.identifier(name) + (arguments == null ? "" : "(" + arguments + ")");
        }

        /** As the report names it: its SQL name and its kind. */
        String shown() {
            return sql() + " (" + kind + ")";
        }
    }

    SecurityFinding(SecurityLint lint, DbObject object, String what, Fix fix) {
        this(lint, lint.level, object, what, fix, Map.of());
    }

    SecurityFinding with(String key, Object value) {
        Map<String, Object> more = new LinkedHashMap<>(details);
        more.put(key, value);
        return new SecurityFinding(lint, level, object, what, fix, more);
    }

    /** What the finding is about and why it matters, in one sentence without the fix. */
    String sentence() {
        return object.shown() + ": " + what + "; " + lint.why;
    }

    /** The report's lines: the level, the advisor's name and the sentence, then the fix. */
    List<String> lines(String indent) {
        return List.of(indent + String.format("%-5s ", level.name()) + lint.advisorName() + ": " + sentence(),
                indent + "      fix: " + fix.shown());
    }

    /** Which check on which object: two runs (or a copy and its target) have the same finding when they have the same key. */
    String key() {
        return lint.advisorName() + " " + object.shown();
    }

    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lint", lint.advisorName());
        m.put("level", level.word());
        m.put("schema", object.schema());
        m.put("name", object.name());
        m.put("kind", object.kind());
        if (object.arguments() != null) m.put("arguments", object.arguments());
        m.put("finding", what);
        m.put("why", lint.why);
        m.put("fix", fix.sql());
        if (fix.or() != null) m.put("or", fix.or());
        if (fix.then() != null) m.put("then", fix.then());
        m.putAll(details);
        return m;
    }
}
