//SOURCES SeedFile.java SeedValue.java SqlScript.java KitException.java
import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A seed file's table as the database's catalog describes it, and the file checked against it:
 * the table and every column exist (in the search path's first schema), a unique index covers
 * exactly the key, required columns are given, and each value fits its column's type.
 */
record SeedTable(String schema, String name, Map<String, Column> columns, List<Set<String>> uniqueKeys) {

    record Column(String name, String sqlType, char category, boolean notNull, boolean hasDefault, boolean isArray, List<String> enumLabels) {}

    /** Everything about the file that the catalog can refute; a problem is a drift (5) or a usage error (2). */
    void check(SeedFile file) {
        Set<String> used = new java.util.LinkedHashSet<>();
        for (SeedFile.Row row : file.rows()) used.addAll(row.values().keySet());
        for (String column : used) {
            if (!columns.containsKey(column)) {
                throw KitException.drift(file.name() + " names the column \"" + column + "\", which table \"" + name + "\" does not have: migrate the database, or fix the column name in the file.");
            }
        }
        if (!uniqueKeys.contains(new HashSet<>(file.key()))) {
            throw KitException.drift(file.name() + " uses " + file.key() + " as its key, but table \"" + name + "\" has no unique index on exactly those columns; seeding needs one to tell existing rows apart.");
        }
        int index = 0;
        for (SeedFile.Row row : file.rows()) {
            index++;
            for (Column col : columns.values()) {
                if (col.notNull && !col.hasDefault && !row.values().containsKey(col.name)) {
                    throw KitException.usage(file.name() + " row " + index + " has no value for \"" + col.name + "\", which the table requires (NOT NULL, no default).");
                }
            }
            for (Map.Entry<String, SeedValue> e : row.values().entrySet()) {
                String problem = typeProblem(columns.get(e.getKey()), e.getValue());
                if (problem != null) throw KitException.usage(file.name() + " row " + index + " column \"" + e.getKey() + "\": " + problem + ".");
            }
        }
    }

    /** Why a value does not fit its column, or null when it does. */
    static String typeProblem(Column col, SeedValue value) {
        if (value.isNull()) return col.notNull ? "null in a NOT NULL column" : null;
        JsonNode v = value.json();
        if (v.isTextual() ? v.asText().indexOf('\0') >= 0 : v.isContainerNode() && v.toString().contains("\\u0000")) {
            return "it holds a NUL character (\\u0000), which PostgreSQL cannot store";
        }
        if (value.argon2()) return col.category == 'S' ? null : "$argon2id needs a text column, and this one is " + col.sqlType;
        if (col.isArray) return v.isArray() ? null : "expected a JSON list for " + col.sqlType + ", got " + got(value);
        String type = col.sqlType;
        return switch (col.category) {
            case 'B' -> v.isBoolean() ? null : "expected true or false for " + type + ", got " + got(value);
            case 'N' -> {
                if (!v.isNumber()) yield "expected a number for " + type + ", got " + got(value);
                boolean integral = type.equals("integer") || type.equals("smallint") || type.equals("bigint");
                if (integral && !(v.isIntegralNumber() && v.canConvertToLong())) yield "expected a whole number for " + type + ", got " + v;
                if (type.equals("integer") && !v.canConvertToInt()) yield v + " is out of range for integer";
                if (type.equals("smallint") && (v.asLong() < Short.MIN_VALUE || v.asLong() > Short.MAX_VALUE)) yield v + " is out of range for smallint";
                yield null;
            }
            case 'E' -> v.isTextual() && col.enumLabels.contains(v.asText()) ? null
                    : "expected one of " + col.enumLabels + " for " + type + ", got " + got(value);
            case 'U' -> type.equals("json") || type.equals("jsonb") || v.isTextual() ? null : "expected a string for " + type + ", got " + got(value);
            case 'D' -> v.isTextual() && dateTime(type, v.asText()) ? null
                    : "expected " + (type.startsWith("time ") || type.startsWith("time(") ? "a time such as 09:30:00" : type.equals("date") ? "a date such as 2025-01-31"
                    : "a date and time such as 2025-01-31T09:30:00Z") + " (ISO 8601) for " + type + ", got " + got(value);
            default -> v.isTextual() ? null : "expected a string for " + type + ", got " + got(value);
        };
    }

    private static final String ZONE = "(?:\\s*(?:Z|[+-]\\d{1,2}(?::?\\d{2})?|[A-Za-z][A-Za-z_/+-]*))?";
    private static final java.util.regex.Pattern DATE_TIME = java.util.regex.Pattern.compile(
            "(\\d{4})-(\\d{1,2})-(\\d{1,2})(?:[T ](\\d{1,2}):(\\d{2})(?::(\\d{2})(?:\\.\\d{1,6})?)?)?" + ZONE);
    private static final java.util.regex.Pattern TIME = java.util.regex.Pattern.compile("(\\d{1,2}):(\\d{2})(?::(\\d{2})(?:\\.\\d{1,6})?)?" + ZONE);

    /**
     * Whether text is a date or time PostgreSQL takes for the type, as a seed file writes one: ISO 8601
     * (2025-01-31, 2025-01-31T09:30:00.123Z, 2025-01-31 09:30+02, 09:30:00), a real calendar day and
     * clock time, or one of PostgreSQL's special values. Checked before anything is written; a form
     * outside these is refused, never left to fail at write time.
     */
    static boolean dateTime(String type, String text) {
        String t = text.strip().toLowerCase(java.util.Locale.ROOT);
        boolean time = type.startsWith("time ") || type.startsWith("time(");
        if ((time ? java.util.List.of("now", "allballs") : java.util.List.of("now", "today", "tomorrow", "yesterday", "epoch", "infinity", "-infinity")).contains(t)) return true;
        var m = (time ? TIME : DATE_TIME).matcher(text.strip());
        if (!m.matches()) return false;
        try {
            int at = 1;
            if (!time) {
                java.time.LocalDate.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
                at = 4;
            }
            if (m.group(at) == null) return true;
            int h = Integer.parseInt(m.group(at)), min = Integer.parseInt(m.group(at + 1)), sec = m.group(at + 2) == null ? 0 : Integer.parseInt(m.group(at + 2));
            return min < 60 && sec <= 60 && (h < 24 || h == 24 && min == 0 && sec == 0);
        } catch (java.time.DateTimeException e) {
            return false;
        }
    }

    /** The value as a sentence shows it; a variable's value is never shown, as it may be a secret. */
    private static String got(SeedValue value) {
        return value.variable() != null ? "the value of " + value.variable() : describe(value.json());
    }

    private static String describe(JsonNode v) {
        if (v.isTextual()) {
            String t = v.asText();
            return "the string \"" + (t.length() > 40 ? t.substring(0, 40) + "..." : t) + "\"";
        }
        if (v.isObject()) return "an object";
        if (v.isArray()) return "a list";
        return v.toString();
    }

    /** The text to bind for a value: JSON as text for json columns, a Postgres literal for arrays. */
    static String bindText(Column col, JsonNode v) {
        if (v == null || v.isNull()) return null;
        if (col.sqlType.equals("json") || col.sqlType.equals("jsonb")) return v.toString();
        if (col.isArray) return arrayLiteral(v);
        return v.asText();
    }

    /** A JSON list as a PostgreSQL array literal: {"a","b"}, quotes and backslashes escaped, NULL for null. */
    static String arrayLiteral(JsonNode list) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < list.size(); i++) {
            JsonNode e = list.get(i);
            if (i > 0) sb.append(',');
            if (e.isNull()) sb.append("NULL");
            else sb.append('"').append((e.isTextual() ? e.asText() : e.toString()).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        return sb.append('}').toString();
    }

    /** The SQL that turns a bound text parameter (see bindText) into the column's type. */
    static String castExpr(Column col) {
        return "cast(? as " + col.sqlType + ")";
    }

    String qualified() {
        return SqlScript.identifier(schema) + "." + SqlScript.identifier(name);
    }
}
