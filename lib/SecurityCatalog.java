//SOURCES Flight.java SchemaSnapshot.java Console.java
import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the security checks need to know of a database, read from its catalog in four queries that
 * ride in the caller's flight: the project's relations with what anon and authenticated may do to
 * each, its policies, its functions, and a few facts about extensions, columns, keys and the
 * platform. The platform's own schemas (auth, storage, extensions, ...) are left out: they are
 * Supabase's to fix, and the report says so once.
 */
final class SecurityCatalog {
    /** The platform's schemas (as drift has them), and those its extensions make. */
    static final String PLATFORM = SchemaSnapshot.MANAGED + ", 'pgmq', 'pgmq_public', 'pgroonga', 'tiger', 'topology', 'repack', 'pgtle'";
    /** SQL: the schema %1$s (a pg_namespace row) is the project's own, not the platform's. */
    static final String OWN_SCHEMA = "(%1$s.nspname not in (" + PLATFORM + ") and %1$s.nspname !~ '^(pg_|supabase_|_timescaledb_)')";

    /** What one API role may do to a relation: use its schema, the table privileges it holds, the columns it may select. */
    record Access(boolean usage, List<String> privileges, List<String> columns) {
        /** Whether the role can read some of it through the Data API. */
        boolean reads() {
            return usage && !columns.isEmpty();
        }

        /** The privileges it holds that reach the rows, when it may use the schema. */
        List<String> held() {
            return usage ? privileges : List.of();
        }
    }

    /** A relation of the project's: kind r, p, v, m or f; its RLS; whether a Data API schema holds it; what each API role may do. */
    record Relation(String schema, String name, String kind, boolean rls, boolean exposed, List<String> options, boolean readsAuthUsers,
            List<String> columns, int policies, String owner, List<String> publicPrivileges, Map<String, Access> roles) {
        String kindWord() {
            return switch (kind) {
                case "v" -> "view";
                case "m" -> "materialized view";
                case "f" -> "foreign table";
                case "p" -> "partitioned table";
                default -> "table";
            };
        }

        boolean isTable() {
            return kind.equals("r") || kind.equals("p");
        }

        /** A view that runs with its caller's rights: security_invoker set to a value PostgreSQL reads as true. */
        boolean securityInvoker() {
            return options.stream().anyMatch(o -> o.toLowerCase(java.util.Locale.ROOT)
                    .matches("security_invoker=(t|tr|tru|true|y|ye|yes|on|1)"));
        }

        Access access(String role) {
            return roles.getOrDefault(role, new Access(false, List.of(), List.of()));
        }

        /** The API roles that can read some of it. */
        List<String> readers() {
            return roles.entrySet().stream().filter(e -> e.getValue().reads()).map(Map.Entry::getKey).sorted().toList();
        }
    }

    /** A policy: on which table, permissive or restrictive, for which roles ("public" for all) and command, and its expressions as PostgreSQL prints them. */
    record Policy(String schema, String table, String name, boolean permissive, List<String> roles, String command, String using, String withCheck) {
        boolean appliesTo(String role) {
            return roles.contains(role) || roles.contains("public");
        }

        boolean covers(String cmd) {
            return command.equals("ALL") || command.equals(cmd);
        }
    }

    /** A function or procedure of the project's: SECURITY DEFINER or not, whether it fixes its search_path, who may execute it. */
    record Function(String schema, String name, String arguments, boolean procedure, boolean securityDefiner, boolean fixedSearchPath,
            boolean exposed, boolean publicExecutes, List<String> executors, boolean trigger) {}

    /** A fact of one of the other kinds: its kind, the schema and name of its object, and two more words. */
    record Fact(String kind, String schema, String name, String a, String b) {}

    /** Everything the checks read, once the flight has been sent. */
    record Facts(List<Relation> relations, List<Policy> policies, List<Function> functions, List<Fact> facts) {
        List<Fact> facts(String kind) {
            return facts.stream().filter(f -> f.kind().equals(kind)).toList();
        }

        boolean has(String kind) {
            return !facts(kind).isEmpty();
        }
    }

    /** auth.users, found in the catalog (to_regclass would need USAGE on schema auth, which a role of the project's may lack). */
    private static final String AUTH_USERS = "select c.oid from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'auth' and c.relname = 'users'";

    private static final String RELATIONS = """
            select n.nspname::text, c.relname::text, c.relkind::text, c.relrowsecurity, n.nspname = any(?),
                   coalesce(c.reloptions, '{}')::text[],
                   exists (select 1 from pg_rewrite w join pg_depend d on d.classid = 'pg_rewrite'::regclass and d.objid = w.oid
                           where w.ev_class = c.oid and d.refobjid = (%2$s)),
                   array(select a.attname::text from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped order by a.attnum),
                   (select count(*) from pg_policy p where p.polrelid = c.oid)::int,
                   pg_get_userbyid(c.relowner)::text,
                   array(select distinct lower(a.privilege_type) from aclexplode(c.relacl) a where a.grantee = 0),
                   coalesce((select jsonb_object_agg(r.rolname, jsonb_build_object(
                       'usage', has_schema_privilege(r.oid, n.oid, 'USAGE'),
                       'privileges', array(select p from unnest(array['select', 'insert', 'update', 'delete']) p where has_table_privilege(r.oid, c.oid, p)),
                       'columns', array(select a.attname from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
                                        and has_column_privilege(r.oid, c.oid, a.attnum, 'select') order by a.attnum)))
                     from pg_roles r where r.rolname in ('anon', 'authenticated')), '{}')::text
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where c.relkind in ('r', 'p', 'v', 'm', 'f')
              and (%s or (n.nspname = 'pgmq' and c.relname like 'q\\_%%'))
              and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
            order by 1, 2""".formatted(OWN_SCHEMA.formatted("n"), AUTH_USERS);

    private static final String POLICIES = """
            select p.schemaname::text, p.tablename::text, p.policyname::text, p.permissive = 'PERMISSIVE', p.roles::text[], p.cmd, p.qual, p.with_check
            from pg_policies p join pg_namespace n on n.nspname = p.schemaname
            where %s order by 1, 2, 3""".formatted(OWN_SCHEMA.formatted("n"));

    private static final String FUNCTIONS = """
            select n.nspname::text, p.proname::text, pg_get_function_identity_arguments(p.oid), p.prokind = 'p', p.prosecdef,
                   exists (select 1 from unnest(coalesce(p.proconfig, '{}')) s where s like 'search_path=%%'),
                   n.nspname = any(?),
                   p.proacl is null or exists (select 1 from aclexplode(p.proacl) a where a.grantee = 0 and a.privilege_type = 'EXECUTE'),
                   array(select r.rolname::text from pg_roles r where r.rolname in ('anon', 'authenticated')
                         and has_function_privilege(r.oid, p.oid, 'EXECUTE') and has_schema_privilege(r.oid, n.oid, 'USAGE') order by 1),
                   p.prorettype in ('trigger'::regtype, 'event_trigger'::regtype)
            from pg_proc p join pg_namespace n on n.oid = p.pronamespace
            where p.prokind in ('f', 'p', 'w') and %s
              and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
            order by 1, 2, 3""".formatted(OWN_SCHEMA.formatted("n"));

    /** The rest, one row per fact: the platform's schemas present, extensions, reg* columns, keys into auth, pg_graphql, auth.users's RLS, the server. */
    private static final String FACTS = """
            select 'platform schema', n.nspname::text, null, null, null from pg_namespace n
            where not %1$s and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast') and n.nspname !~ '^pg_(temp|toast_temp)_'
            union all
            select 'extension in public', n.nspname::text, e.extname::text, e.extrelocatable::text, null
            from pg_extension e join pg_namespace n on n.oid = e.extnamespace where n.nspname = 'public' and e.extname <> 'plpgsql'
            union all
            select 'extension outdated', n.nspname::text, e.extname::text, e.extversion, a.default_version
            from pg_extension e join pg_namespace n on n.oid = e.extnamespace join pg_available_extensions a on a.name = e.extname
            where %1$s and a.default_version is not null and e.extversion <> a.default_version
            union all
            select 'reg column', n.nspname::text, c.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod)
            from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
            where %1$s and c.relkind in ('r', 'p', 'm') and a.attnum > 0 and not a.attisdropped
              and a.atttypid in ('regcollation'::regtype, 'regconfig'::regtype, 'regdictionary'::regtype, 'regnamespace'::regtype,
                                 'regoper'::regtype, 'regoperator'::regtype, 'regproc'::regtype, 'regprocedure'::regtype)
            union all
            select 'auth key', n.nspname::text, c.relname::text, k.conname::text, r.relname::text
            from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
                 join pg_class r on r.oid = k.confrelid join pg_index i on i.indexrelid = k.conindid
            where k.contype = 'f' and r.relnamespace = (select oid from pg_namespace where nspname = 'auth') and i.indisunique and not i.indisprimary and %1$s
            union all
            select 'pg_graphql', null, null, null, null where exists (select 1 from pg_extension where extname = 'pg_graphql')
            union all
            select 'auth.users has rls', null, null, null, null from pg_class where oid = (%2$s) and relrowsecurity
            union all
            select 'server', null, null, current_setting('server_version_num'), null
            order by 1, 2, 3""".formatted(OWN_SCHEMA.formatted("n"), AUTH_USERS);

    /** The four queries, added to a flight the caller sends; the facts once it has been sent. */
    static Supplier<Facts> ask(Flight flight, Connection c, List<String> exposedSchemas) throws SQLException {
        Array exposed = c.createArrayOf("text", exposedSchemas.toArray());
        Supplier<List<Relation>> relations = flight.ask(RELATIONS, rs -> {
            List<Relation> list = new ArrayList<>();
            while (rs.next()) {
                list.add(new Relation(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4), rs.getBoolean(5), texts(rs, 6),
                        rs.getBoolean(7), texts(rs, 8), rs.getInt(9), rs.getString(10), texts(rs, 11), access(rs.getString(12))));
            }
            return list;
        }, exposed);
        Supplier<List<Policy>> policies = flight.ask(POLICIES, rs -> {
            List<Policy> list = new ArrayList<>();
            while (rs.next()) {
                list.add(new Policy(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4), texts(rs, 5), rs.getString(6), rs.getString(7), rs.getString(8)));
            }
            return list;
        });
        Supplier<List<Function>> functions = flight.ask(FUNCTIONS, rs -> {
            List<Function> list = new ArrayList<>();
            while (rs.next()) {
                list.add(new Function(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4), rs.getBoolean(5), rs.getBoolean(6),
                        rs.getBoolean(7), rs.getBoolean(8), texts(rs, 9), rs.getBoolean(10)));
            }
            return list;
        }, exposed);
        Supplier<List<Fact>> facts = flight.ask(FACTS, rs -> {
            List<Fact> list = new ArrayList<>();
            while (rs.next()) list.add(new Fact(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)));
            return list;
        });
        return () -> new Facts(relations.get(), policies.get(), functions.get(), facts.get());
    }

    private static List<String> texts(ResultSet rs, int column) throws SQLException {
        Array a = rs.getArray(column);
        return a == null ? List.of() : Arrays.asList((String[]) a.getArray());
    }

    /** {"anon": {"usage": true, "privileges": [...], "columns": [...]}, ...} as read by the catalog query. */
    private static Map<String, Access> access(String json) throws SQLException {
        Map<String, Access> roles = new LinkedHashMap<>();
        try {
            JsonNode doc = Console.JSON.readTree(json);
            doc.properties().forEach(e -> roles.put(e.getKey(), new Access(e.getValue().get("usage").asBoolean(),
                    strings(e.getValue().get("privileges")), strings(e.getValue().get("columns")))));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new SQLException("the catalog's answer about the API roles could not be read: " + e.getOriginalMessage(), e);
        }
        return roles;
    }

    private static List<String> strings(JsonNode array) {
        List<String> list = new ArrayList<>();
        array.forEach(n -> list.add(n.asText()));
        return list;
    }

    private SecurityCatalog() {}
}
