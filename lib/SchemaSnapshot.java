//SOURCES SchemaCatalog.java SchemaComparison.java
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A database's schema as comparable facts, read from the catalog in one query ({@link SchemaCatalog}):
 * what a migration or a hand can change, privileges and owners included. Supabase-managed schemas and
 * the kit's bookkeeping tables are left out, and so are the extensions the platform installed (those
 * in its schemas, such as pgcrypto and uuid-ossp in {@code extensions}): they are not managed here.
 * An extension in a schema of the project's own (public, say) is compared like any other object.
 */
final class SchemaSnapshot {
    static final String MANAGED = SchemaCatalog.MANAGED;

    /**
     * A fact: its kind, its name as an operator reads it ("of anon on table "Admin"" for privileges),
     * the key of the fact it belongs to (a column's table, a privilege's object; said with it when
     * that is missing), and what it is, in parts.
     */
    record Fact(String kind, String name, String parent, List<String> parts) {
        String definition() {
            return String.join(", ", parts);
        }

        /** "column "Team"."seats"", "privileges of anon on table "Admin"". */
        String shown() {
            return kind + " " + name;
        }
    }

    /** An extension installed in one of the platform's schemas: not managed here, but the shadow gets it too. */
    record PlatformExtension(String name, String schema) {}

    final Map<String, Fact> facts = new TreeMap<>();
    /** The platform's schemas present in the database (auth, storage, extensions, ...), by name. */
    final List<String> platformSchemas = new ArrayList<>();
    final List<PlatformExtension> platformExtensions = new ArrayList<>();
    /** The search_path a new session of this role gets (the one the migrations ran with). */
    String sessionSearchPath;

    static SchemaSnapshot read(Connection c) throws SQLException {
        return read(c, null, null);
    }

    /**
     * Reads the catalog with search_path set to public alone, so that a default, a type or a policy
     * that names an object of another schema reads the same whatever the session's own path
     * (Supabase gives postgres "$user", public, extensions; a plain server "$user", public); the
     * session's path is put back afterwards. Role `as` reads as `shownAs` (the shadow's migrating
     * role as the target's); null for none.
     */
    static SchemaSnapshot read(Connection c, String as, String shownAs) throws SQLException {
        SchemaSnapshot s = new SchemaSnapshot();
        String before;
        try (var st = c.createStatement(); ResultSet rs = st.executeQuery(
                "select current_setting('search_path'), (select reset_val from pg_settings where name = 'search_path'), set_config('search_path', 'public', false)")) {
            rs.next();
            before = rs.getString(1);
            s.sessionSearchPath = rs.getString(2);
        }
        try {
            s.readPlatform(c);
            s.readFacts(c, as, shownAs);
        } catch (SQLException e) {
            // in a transaction the failed read aborted, the path goes back with its rollback; else it is put back here
            try {
                restore(c, before);
            } catch (SQLException aborted) {
                e.addSuppressed(aborted);
            }
            throw e;
        }
        restore(c, before);
        return s;
    }

    private static void restore(Connection c, String searchPath) throws SQLException {
        try (var ps = c.prepareStatement("select set_config('search_path', ?, false)")) {
            ps.setString(1, searchPath);
            ps.execute();
        }
    }

    /** The names of the extensions installed, wherever they are. */
    List<String> extensions() {
        List<String> names = new ArrayList<>(platformExtensions.stream().map(PlatformExtension::name).toList());
        facts.values().stream().filter(f -> f.kind().equals("extension")).forEach(f -> names.add(f.name().replace("\"", "")));
        return names;
    }

    /**
     * One line for the operator, or null when the database has nothing of a platform: what is left
     * to the platform and not compared.
     */
    String notManagedHere() {
        if (platformSchemas.isEmpty() && platformExtensions.isEmpty()) return null;
        List<String> extensions = platformExtensions.stream().map(PlatformExtension::name).sorted().toList();
        return "not managed here: the platform's schemas (" + String.join(", ", platformSchemas) + ")"
                + (extensions.isEmpty() ? "" : " and the extensions it installed (" + String.join(", ", extensions) + ")");
    }

    private void readPlatform(Connection c) throws SQLException {
        try (var st = c.createStatement(); ResultSet rs = st.executeQuery(SchemaCatalog.PLATFORM)) {
            while (rs.next()) {
                if (rs.getString(1).equals("s")) platformSchemas.add(rs.getString(2));
                else platformExtensions.add(new PlatformExtension(rs.getString(2), rs.getString(3)));
            }
        }
    }

    private void readFacts(Connection c, String as, String shownAs) throws SQLException {
        try (var ps = c.prepareStatement(SchemaCatalog.QUERY)) {
            ps.setString(1, as);
            ps.setString(2, shownAs);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) add(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6));
            }
        }
    }

    private void add(String kind, String objectKind, String object, String role, String ownedBy, String definition) {
        String name = alwaysQuoted(object.replaceFirst("^public\\.", ""));
        List<String> parts = Arrays.asList(definition.split(SchemaCatalog.SEPARATOR));
        String key, shown, parent;
        switch (kind) {
            case "owner" -> {
                key = "owner " + objectKind + " " + name;
                shown = "of " + objectKind + " " + name;
                parent = objectKind + " " + name;
            }
            case "privileges" -> {
                key = "privileges " + objectKind + " " + name + " " + role;
                shown = "of " + role + " on " + objectKind + " " + name;
                parent = objectKind + " " + name;
            }
            default -> {
                key = kind + " " + name;
                shown = name;
                parent = kind.equals("column") ? "table " + tableOf(name)
                        : ownedBy != null ? "column " + alwaysQuoted(ownedBy.replaceFirst("^public\\.", "")) : null;
            }
        }
        facts.put(key, new Fact(kind, shown, parent, parts));
    }

    /** "Team".seats -> "Team"."seats": every part quoted, as the operator wrote it in the migration. */
    static String alwaysQuoted(String dotted) {
        List<String> parts = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        boolean quoted = false;
        for (char ch : dotted.toCharArray()) {
            if (ch == '"') quoted = !quoted;
            if (ch == '.' && !quoted) {
                parts.add(part.toString());
                part.setLength(0);
            } else {
                part.append(ch);
            }
        }
        parts.add(part.toString());
        List<String> out = new ArrayList<>();
        for (String p : parts) {
            if (p.startsWith("\"") || p.contains("(")) out.add(p);
            else out.add("\"" + p + "\"");
        }
        return String.join(".", out);
    }

    static String tableOf(String columnName) {
        int dot = columnName.lastIndexOf('.');
        return dot < 0 ? columnName : columnName.substring(0, dot);
    }

    /** One sentence per difference, saying what exists where (see {@link SchemaComparison}). */
    static List<String> compare(SchemaSnapshot migrations, SchemaSnapshot database) {
        return SchemaComparison.compare(migrations, database);
    }
}
