//SOURCES RowSecurity.java
import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
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

    /**
     * What the catalog says about the tables the seed files name, read in one query (one round
     * trip for any number of files): each table's columns with their enum labels, and its unique
     * indexes, in the search path's first schema. Also answers, in the same query, whether the
     * relations in {@code alsoExists} exist and which of Supabase's API roles exist, so status
     * needs no query of its own for them; and which of these tables row-level security hides from
     * this session's role (not their owner nor a member of it, no BYPASSRLS, no policy at all), whose
     * rows it would take for missing.
     */
    record Catalog(Map<String, SeedTable> tables, Set<String> existing, List<String> apiRoles, Set<String> hidden, String role) {
        /** The table, or null when the current schema has no such table. */
        SeedTable table(String name) {
            return tables.get(name);
        }
    }

    static Catalog read(Connection c, java.util.Collection<String> tables, java.util.Collection<String> alsoExists) throws SQLException {
        String sql = """
                select 0, c.relname::text, a.attnum, a.attname::text, format_type(a.atttypid, a.atttypmod), t.typcategory::text, a.attnotnull,
                       (a.atthasdef or a.attidentity <> '' or a.attgenerated <> ''), coalesce(et.typtype, t.typtype) = 'e', t.typcategory = 'A',
                       case when coalesce(et.typtype, t.typtype) = 'e'
                            then array(select e.enumlabel::text from pg_enum e where e.enumtypid = coalesce(et.oid, t.oid) order by e.enumsortorder) end,
                       current_schema()::text
                from pg_attribute a
                join pg_class c on c.oid = a.attrelid
                join pg_namespace n on n.oid = c.relnamespace
                join pg_type t on t.oid = a.atttypid
                left join pg_type et on et.oid = t.typelem and t.typcategory = 'A'
                where n.nspname = current_schema() and c.relname = any(?) and c.relkind in ('r', 'p')
                  and a.attnum > 0 and not a.attisdropped
                union all
                select 1, c.relname::text, 0, null, null, null, null, null, null, null, array_agg(a.attname::text), null
                from pg_index i
                join pg_class c on c.oid = i.indrelid
                join pg_namespace n on n.oid = c.relnamespace
                join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
                where n.nspname = current_schema() and c.relname = any(?) and i.indisunique and i.indpred is null and i.indexprs is null
                group by c.relname, i.indexrelid
                union all
                select 2, r.name, 0, null, null, null, null, null, null, null, null, null
                from unnest(cast(? as text[])) as r(name)
                where to_regclass(quote_ident(current_schema()) || '.' || quote_ident(r.name)) is not null
                union all
                select 3, rolname::text, 0, null, null, null, null, null, null, null, null, null
                from pg_roles where rolname in ('anon', 'authenticated')
                union all
                select 4, c.relname::text, 0, null, null, null, null, null, null, null, null, current_user::text
                from pg_class c join pg_namespace n on n.oid = c.relnamespace
                where n.nspname = current_schema() and (c.relname = any(?) or c.relname = any(?)) and c.relkind in ('r', 'p')
                  and %s
                order by 1, 2, 3""".formatted(RowSecurity.ROWS_HIDDEN.formatted("c"));
        Map<String, String> schemas = new LinkedHashMap<>();
        Map<String, Map<String, Column>> columns = new LinkedHashMap<>();
        Map<String, List<Set<String>>> unique = new LinkedHashMap<>();
        Set<String> existing = new HashSet<>();
        List<String> roles = new ArrayList<>();
        Set<String> hidden = new java.util.TreeSet<>();
        String role = null;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setArray(1, c.createArrayOf("text", tables.toArray()));
            ps.setArray(2, c.createArrayOf("text", tables.toArray()));
            ps.setArray(3, c.createArrayOf("text", alsoExists.toArray()));
            ps.setArray(4, c.createArrayOf("text", tables.toArray()));
            ps.setArray(5, c.createArrayOf("text", alsoExists.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String table = rs.getString(2);
                    switch (rs.getInt(1)) {
                        case 0 -> {
                            String name = rs.getString(4);
                            boolean isEnum = rs.getBoolean(9), isArray = rs.getBoolean(10);
                            List<String> labels = isEnum ? List.of((String[]) rs.getArray(11).getArray()) : List.of();
                            char category = isEnum && !isArray ? 'E' : rs.getString(6).charAt(0);
                            schemas.put(table, rs.getString(12));
                            columns.computeIfAbsent(table, k -> new LinkedHashMap<>())
                                    .put(name, new Column(name, rs.getString(5), category, rs.getBoolean(7), rs.getBoolean(8), isArray, labels));
                        }
                        case 1 -> unique.computeIfAbsent(table, k -> new ArrayList<>()).add(new HashSet<>(List.of((String[]) rs.getArray(11).getArray())));
                        case 2 -> existing.add(table);
                        case 3 -> roles.add(table);
                        default -> {
                            hidden.add(table);
                            role = rs.getString(12);
                        }
                    }
                }
            }
        }
        Map<String, SeedTable> result = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, Column>> e : columns.entrySet()) {
            result.put(e.getKey(), new SeedTable(schemas.get(e.getKey()), e.getKey(), e.getValue(), unique.getOrDefault(e.getKey(), List.of())));
        }
        return new Catalog(result, existing, List.copyOf(roles), hidden, role);
    }

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
            default -> v.isTextual() ? null : "expected a string for " + type + ", got " + got(value);
        };
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
