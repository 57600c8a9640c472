//SOURCES HistoryTable.java
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A database's schema as comparable facts, read from the catalog: tables, columns (type,
 * nullability, default, identity), enums and their labels in order, indexes, constraints, views,
 * functions, triggers, extensions, row-level security and policies. Supabase-managed schemas and
 * the kit's bookkeeping tables are left out, and so are the extensions the platform installed (those
 * in its schemas, such as pgcrypto and uuid-ossp in {@code extensions}): they are not managed here.
 * An extension in a schema of the project's own (public, say) is compared like any other object.
 */
final class SchemaSnapshot {
    static final String MANAGED = "'pg_catalog', 'information_schema', 'pg_toast', 'auth', 'storage', 'realtime', 'extensions', 'graphql', "
            + "'graphql_public', 'vault', 'pgsodium', 'pgsodium_masks', '_realtime', 'net', 'cron', 'pgbouncer', 'supabase_functions', 'supabase_migrations', '_analytics'";
    private static final String USER_SCHEMA = "n.nspname not in (" + MANAGED + ") and n.nspname not like 'pg\\_%' and n.nspname not like 'supabase\\_%'";
    private static final String NOT_BOOKKEEPING = "<> all(" + HistoryTable.BOTH + ")";

    /** A fact: what kind of thing, its name as an operator reads it, and what it is. */
    record Fact(String kind, String name, String definition) {}

    /** An extension installed in one of the platform's schemas: not managed here, but the shadow gets it too. */
    record PlatformExtension(String name, String schema) {}

    final Map<String, Fact> facts = new TreeMap<>();
    /** The platform's schemas present in the database (auth, storage, extensions, ...), by name. */
    final List<String> platformSchemas = new ArrayList<>();
    final List<PlatformExtension> platformExtensions = new ArrayList<>();
    /** The search_path a new session of this role gets (the one the migrations ran with). */
    String sessionSearchPath;

    /**
     * Reads the catalog with search_path set to public alone, so that a default, a type or a policy
     * that names an object of another schema reads the same whatever the session's own path
     * (Supabase gives postgres "$user", public, extensions; a plain server "$user", public); the
     * session's path is put back afterwards.
     */
    static SchemaSnapshot read(Connection c) throws SQLException {
        SchemaSnapshot s = new SchemaSnapshot();
        String before;
        try (var st = c.createStatement(); ResultSet rs = st.executeQuery(
                "select current_setting('search_path'), (select reset_val from pg_settings where name = 'search_path'), set_config('search_path', 'public', false)")) {
            rs.next();
            before = rs.getString(1);
            s.sessionSearchPath = rs.getString(2);
        }
        try {
            s.readFacts(c);
        } finally {
            try (var ps = c.prepareStatement("select set_config('search_path', ?, false)")) {
                ps.setString(1, before);
                ps.execute();
            }
        }
        return s;
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

    private void readFacts(Connection c) throws SQLException {
        try (var st = c.createStatement(); ResultSet rs = st.executeQuery("""
                select 's', n.nspname, null from pg_namespace n
                where not (%1$s) and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%%'
                union all
                select 'e', e.extname, n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace
                where e.extname <> 'plpgsql' and not (%1$s)
                order by 1, 2""".formatted(USER_SCHEMA))) {
            while (rs.next()) {
                if (rs.getString(1).equals("s")) platformSchemas.add(rs.getString(2));
                else platformExtensions.add(new PlatformExtension(rs.getString(2), rs.getString(3)));
            }
        }
        collect(c, "table", """
                select quote_ident(n.nspname) || '.' || quote_ident(c.relname), 'rls ' || case when c.relrowsecurity then 'enabled' else 'disabled' end
                       || case when c.relforcerowsecurity then ', forced' else '' end
                from pg_class c join pg_namespace n on n.oid = c.relnamespace
                where c.relkind in ('r', 'p') and %s and c.relname %s""".formatted(USER_SCHEMA, NOT_BOOKKEEPING));
        collect(c, "column", """
                select quote_ident(n.nspname) || '.' || quote_ident(c.relname) || '.' || quote_ident(a.attname),
                       'type ' || format_type(a.atttypid, a.atttypmod)
                       || case when a.attnotnull then ', not null' else ', nullable' end
                       || coalesce(', default ' || pg_get_expr(d.adbin, d.adrelid), ', no default')
                       || case a.attidentity when 'a' then ', identity always' when 'd' then ', identity by default' else '' end
                       || case a.attgenerated when 's' then ', generated' else '' end
                from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
                left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
                where c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped and %s and c.relname %s""".formatted(USER_SCHEMA, NOT_BOOKKEEPING));
        collect(c, "enum", """
                select quote_ident(n.nspname) || '.' || quote_ident(t.typname), 'labels ' || string_agg(quote_literal(e.enumlabel), ', ' order by e.enumsortorder)
                from pg_type t join pg_namespace n on n.oid = t.typnamespace join pg_enum e on e.enumtypid = t.oid
                where %s group by 1""".formatted(USER_SCHEMA));
        collect(c, "index", """
                select quote_ident(n.nspname) || '.' || quote_ident(i.relname), regexp_replace(pg_get_indexdef(i.oid), ' ON [^ ]+ ', ' ON ' || quote_ident(t.relname) || ' ')
                from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid join pg_namespace n on n.oid = i.relnamespace
                where %s and t.relname %s""".formatted(USER_SCHEMA, NOT_BOOKKEEPING));
        collect(c, "constraint", """
                select quote_ident(n.nspname) || '.' || quote_ident(t.relname) || '.' || quote_ident(k.conname), pg_get_constraintdef(k.oid)
                from pg_constraint k join pg_class t on t.oid = k.conrelid join pg_namespace n on n.oid = t.relnamespace
                where %s and t.relname %s""".formatted(USER_SCHEMA, NOT_BOOKKEEPING));
        collect(c, "view", """
                select quote_ident(n.nspname) || '.' || quote_ident(c.relname), pg_get_viewdef(c.oid)
                from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relkind in ('v', 'm') and %s""".formatted(USER_SCHEMA));
        collect(c, "function", """
                select quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '(' || pg_get_function_identity_arguments(p.oid) || ')',
                       'returns ' || pg_get_function_result(p.oid) || ', body md5 ' || md5(coalesce(p.prosrc, ''))
                from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                where %s and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')""".formatted(USER_SCHEMA));
        collect(c, "trigger", """
                select quote_ident(n.nspname) || '.' || quote_ident(t.relname) || '.' || quote_ident(g.tgname), pg_get_triggerdef(g.oid)
                from pg_trigger g join pg_class t on t.oid = g.tgrelid join pg_namespace n on n.oid = t.relnamespace
                where not g.tgisinternal and %s""".formatted(USER_SCHEMA));
        collect(c, "extension", """
                select quote_ident(e.extname), 'installed in schema ' || quote_ident(n.nspname)
                from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname <> 'plpgsql' and %s""".formatted(USER_SCHEMA));
        collect(c, "policy", """
                select quote_ident(schemaname) || '.' || quote_ident(tablename) || '.' || quote_ident(policyname),
                       cmd || ' to ' || array_to_string(roles, ',') || coalesce(' using ' || qual, '') || coalesce(' check ' || with_check, '')
                from pg_policies where schemaname not in (%s)""".formatted(MANAGED));
    }

    private void collect(Connection c, String kind, String sql) throws SQLException {
        try (var st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                String name = alwaysQuoted(rs.getString(1).replaceFirst("^public\\.", ""));
                facts.put(kind + " " + name, new Fact(kind, name, rs.getString(2)));
            }
        }
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

    /** Only the parts of two definitions that differ (a column's default, say), or the whole of each. */
    private static String difference(Fact mine, Fact theirs) {
        String[] a = mine.definition().split(", "), b = theirs.definition().split(", ");
        if (a.length == b.length && (mine.kind().equals("column") || mine.kind().equals("table"))) {
            List<String> ours = new ArrayList<>(), db = new ArrayList<>();
            for (int i = 0; i < a.length; i++) {
                if (!a[i].equals(b[i])) {
                    ours.add(a[i]);
                    db.add(b[i]);
                }
            }
            return String.join(", ", ours) + " in the migrations, " + String.join(", ", db) + " in the database";
        }
        return mine.definition() + " in the migrations; " + theirs.definition() + " in the database";
    }

    /** One sentence per difference, saying what exists where. */
    static List<String> compare(SchemaSnapshot migrations, SchemaSnapshot database) {
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, Fact> e : database.facts.entrySet()) {
            Fact mine = migrations.facts.get(e.getKey());
            Fact theirs = e.getValue();
            if (mine == null) {
                if (theirs.kind().equals("column") && !migrations.facts.containsKey("table " + tableOf(theirs.name()))) continue; // said with its table
                lines.add(theirs.kind() + " " + theirs.name() + " is in the database but no migration creates it: added by hand?");
            } else if (!mine.definition().equals(theirs.definition())) {
                lines.add(theirs.kind() + " " + theirs.name() + ": " + difference(mine, theirs));
            }
        }
        for (Map.Entry<String, Fact> e : migrations.facts.entrySet()) {
            if (database.facts.containsKey(e.getKey())) continue;
            Fact mine = e.getValue();
            if (mine.kind().equals("column") && !database.facts.containsKey("table " + tableOf(mine.name()))) continue;
            lines.add(mine.kind() + " " + mine.name() + " is in the migrations but not in the database: dropped by hand?");
        }
        return lines;
    }

    private static String tableOf(String columnName) {
        int dot = columnName.lastIndexOf('.');
        return dot < 0 ? columnName : columnName.substring(0, dot);
    }
}
