//SOURCES Console.java SensitiveColumns.java
import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a target gives the Data API before a migration runs, for reading pending statements against
 * it: the schema unqualified names land in, whether anon and authenticated exist, who gets a new
 * table or function in each exposed schema (the default privileges of the role migrate runs as, and
 * PostgreSQL's own: EXECUTE on functions to PUBLIC), the tables there now (row-level security, the
 * API roles holding privileges, sensitive columns), the extensions installed. One query.
 */
record ApiDefaults(String currentSchema, boolean supabase, List<String> exposedSchemas, Map<String, List<String>> tableGrantees,
        Map<String, List<String>> functionGrantees, Map<String, Table> tables, Set<String> extensions) {

    /** A table in an exposed schema now: its row-level security, the API roles holding a privilege on it, its sensitive columns. */
    record Table(boolean rls, List<String> roles, List<String> sensitiveColumns) {}

    private static final String DEFAULTS = """
            array(select distinct coalesce(r.rolname::text, 'public') from aclexplode(
                      coalesce((select d.defaclacl from pg_default_acl d where d.defaclrole = u.oid and d.defaclnamespace = 0 and d.defaclobjtype = '%1$s'),
                               acldefault('%1$s', u.oid))
                      || coalesce((select d.defaclacl from pg_default_acl d where d.defaclrole = u.oid and d.defaclnamespace = n.oid and d.defaclobjtype = '%1$s'),
                                  '{}'::aclitem[])) a
                  left join pg_roles r on r.oid = a.grantee
                  where a.grantee = 0 or r.rolname in ('anon', 'authenticated'))""";

    private static final String QUERY = """
            with u as (select oid from pg_roles where rolname = current_user)
            select current_schema()::text,
                   exists (select 1 from pg_roles where rolname in ('anon', 'authenticated')),
                   (select coalesce(jsonb_object_agg(n.nspname, jsonb_build_object('tables', %s, 'functions', %s)), '{}')
                    from pg_namespace n, u where n.nspname = any(?))::text,
                   (select coalesce(jsonb_agg(jsonb_build_object('schema', n.nspname, 'name', c.relname, 'rls', c.relrowsecurity,
                        'roles', array(select r.rolname from pg_roles r where r.rolname in ('anon', 'authenticated')
                                       and exists (select 1 from unnest(array['select', 'insert', 'update', 'delete']) p where has_table_privilege(r.oid, c.oid, p))),
                        'columns', array(select a.attname from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped))), '[]')
                    from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = any(?) and c.relkind in ('r', 'p'))::text,
                   array(select extname::text from pg_extension)""".formatted(DEFAULTS.formatted("r"), DEFAULTS.formatted("f"));

    static ApiDefaults read(Connection c, List<String> exposedSchemas) throws SQLException {
        try (var ps = c.prepareStatement(QUERY)) {
            var schemas = c.createArrayOf("text", exposedSchemas.toArray());
            ps.setArray(1, schemas);
            ps.setArray(2, schemas);
            try (var rs = ps.executeQuery()) {
                rs.next();
                Map<String, List<String>> tableGrantees = new HashMap<>(), functionGrantees = new HashMap<>();
                Map<String, Table> tables = new HashMap<>();
                try {
                    Console.JSON.readTree(rs.getString(3)).properties().forEach(e -> {
                        tableGrantees.put(e.getKey(), strings(e.getValue().get("tables")));
                        functionGrantees.put(e.getKey(), strings(e.getValue().get("functions")));
                    });
                    for (JsonNode t : Console.JSON.readTree(rs.getString(4))) {
                        tables.put(key(t.get("schema").asText(), t.get("name").asText()),
                                new Table(t.get("rls").asBoolean(), strings(t.get("roles")), SensitiveColumns.among(strings(t.get("columns")))));
                    }
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new SQLException("the catalog's answer about the Data API could not be read: " + e.getOriginalMessage(), e);
                }
                Set<String> extensions = new HashSet<>(List.of((String[]) rs.getArray(5).getArray()));
                return new ApiDefaults(rs.getString(1), rs.getBoolean(2), exposedSchemas, tableGrantees, functionGrantees, tables, extensions);
            }
        }
    }

    static String key(String schema, String name) {
        return schema + "." + name;
    }

    boolean exposed(String schema) {
        return exposedSchemas.contains(schema);
    }

    private static List<String> strings(JsonNode array) {
        List<String> list = new ArrayList<>();
        array.forEach(n -> list.add(n.asText()));
        return list;
    }
}
