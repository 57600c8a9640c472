//SOURCES HistoryTable.java
/**
 * The one catalog query a schema snapshot is read with (one round trip): a row per fact, as
 * (kind, object kind, object, role, owned by, definition), the definition's parts joined by the unit
 * separator. Facts: schemas, tables and their row-level security, columns (type, nullability,
 * default, identity, generated, collation), enums, indexes, constraints, views, sequences (type,
 * start, increment, bounds, cache, cycle; not their current value), functions (result, language,
 * volatility, SECURITY DEFINER, their SET options such as search_path, body), triggers, extensions,
 * policies, the owner of every relation, function, enum and schema, and the privileges each role
 * holds on each of them ("its owner" for the owner's own, so that a new owner is one difference, not
 * three), and on columns where granted there: ACLs read through aclexplode, with
 * the built-in defaults where an ACL was never set (acldefault), so an untouched object and one
 * granted back to its defaults read the same.
 *
 * <p>The two parameters rename one role: the shadow's migrating role reads as the target's, so
 * that an object the migrations made is owned by "the same" role on both sides.
 */
final class SchemaCatalog {
    static final String SEPARATOR = "\u001f";
    /** The platform's schemas: what is left to it, not compared. */
    static final String MANAGED = "'pg_catalog', 'information_schema', 'pg_toast', 'auth', 'storage', 'realtime', 'extensions', 'graphql', "
            + "'graphql_public', 'vault', 'pgsodium', 'pgsodium_masks', '_realtime', 'net', 'cron', 'pgbouncer', 'supabase_functions', 'supabase_migrations', '_analytics'";
    static final String USER_SCHEMA = "n.nspname not in (" + MANAGED + ") and n.nspname not like 'pg\\_%' and n.nspname not like 'supabase\\_%'";

    /** Columns: kind, object kind (of an owner or privileges fact), object (dotted, quoted), role (privileges), owned by (a sequence's column), definition. */
    static final String QUERY = """
            with me as (select ?::text as shadow, ?::text as target),
            rn as (select r.oid, case when r.rolname = (select shadow from me) then (select target from me) else r.rolname::text end as name from pg_roles r
                   union all select 0, 'PUBLIC'),
            ns as (select n.oid, n.nspname, n.nspowner, n.nspacl from pg_namespace n where {USER_SCHEMA}),
            rel as (select c.oid, c.relname, c.relkind, c.relowner, c.relacl, c.relrowsecurity, c.relforcerowsecurity, n.nspname,
                           quote_ident(n.nspname) || '.' || quote_ident(c.relname) as object,
                           case c.relkind when 'S' then 'sequence' when 'v' then 'view' when 'm' then 'view' else 'table' end as kind
                    from pg_class c join ns n on n.oid = c.relnamespace
                    where c.relkind in ('r', 'p', 'v', 'm', 'S') and c.relname <> all({BOTH})),
            fn as (select p.*, quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '(' || pg_get_function_identity_arguments(p.oid) || ')' as object
                   from pg_proc p join ns n on n.oid = p.pronamespace
                   where not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')),
            typ as (select t.oid, t.typowner, quote_ident(n.nspname) || '.' || quote_ident(t.typname) as object
                    from pg_type t join ns n on n.oid = t.typnamespace where t.typtype = 'e')
            select 'schema', null, quote_ident(nspname), null, null, 'schema' from ns where nspname <> 'public'
            union all
            select 'table', null, object, null, null, 'rls ' || case when relrowsecurity then 'enabled' else 'disabled' end
                   || case when relforcerowsecurity then ', forced' else '' end
            from rel where relkind in ('r', 'p')
            union all
            select 'column', null, c.object || '.' || quote_ident(a.attname), null, null, concat_ws(E'\\x1f',
                   'type ' || format_type(a.atttypid, a.atttypmod),
                   case when a.attnotnull then 'not null' else 'nullable' end,
                   coalesce('default ' || pg_get_expr(d.adbin, d.adrelid), 'no default'),
                   case a.attidentity when 'a' then 'identity always' when 'd' then 'identity by default' end,
                   case a.attgenerated when 's' then 'generated' end,
                   case when a.attcollation <> t.typcollation then 'collate ' || (select quote_ident(collname) from pg_collation where oid = a.attcollation) end)
            from pg_attribute a join rel c on c.oid = a.attrelid join pg_type t on t.oid = a.atttypid
            left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
            where c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped
            union all
            select 'enum', null, t.object, null, null, 'labels ' || string_agg(quote_literal(e.enumlabel), ', ' order by e.enumsortorder)
            from typ t join pg_enum e on e.enumtypid = t.oid group by t.object
            union all
            select 'index', null, quote_ident(n.nspname) || '.' || quote_ident(i.relname), null, null,
                   regexp_replace(pg_get_indexdef(i.oid), ' ON [^ ]+ ', ' ON ' || quote_ident(t.relname) || ' ')
            from pg_index x join pg_class i on i.oid = x.indexrelid join rel t on t.oid = x.indrelid join pg_namespace n on n.oid = i.relnamespace
            union all
            select 'constraint', null, t.object || '.' || quote_ident(k.conname), null, null, pg_get_constraintdef(k.oid)
            from pg_constraint k join rel t on t.oid = k.conrelid
            union all
            select 'view', null, object, null, null, pg_get_viewdef(oid) from rel where kind = 'view'
            union all
            select 'sequence', null, s.object, null,
                   (select quote_ident(tn.nspname) || '.' || quote_ident(t.relname) || '.' || quote_ident(a.attname)
                    from pg_depend d join pg_class t on t.oid = d.refobjid join pg_namespace tn on tn.oid = t.relnamespace
                    join pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
                    where d.classid = 'pg_class'::regclass and d.objid = s.oid and d.refclassid = 'pg_class'::regclass and d.deptype in ('a', 'i') limit 1),
                   concat_ws(E'\\x1f', 'as ' || format_type(q.seqtypid, null), 'start ' || q.seqstart, 'increment ' || q.seqincrement,
                             'min ' || q.seqmin, 'max ' || q.seqmax, 'cache ' || q.seqcache, case when q.seqcycle then 'cycle' else 'no cycle' end)
            from rel s join pg_sequence q on q.seqrelid = s.oid
            union all
            select 'function', null, object, null, null, concat_ws(E'\\x1f', 'returns ' || pg_get_function_result(oid),
                   'language ' || (select lanname from pg_language where oid = prolang),
                   case provolatile when 'i' then 'immutable' when 's' then 'stable' else 'volatile' end,
                   case when prosecdef then 'security definer' else 'security invoker' end,
                   coalesce('set ' || array_to_string(proconfig, ' '), 'no set options'),
                   'body md5 ' || md5(coalesce(prosrc, '')))
            from fn
            union all
            select 'trigger', null, t.object || '.' || quote_ident(g.tgname), null, null, pg_get_triggerdef(g.oid)
            from pg_trigger g join rel t on t.oid = g.tgrelid where not g.tgisinternal
            union all
            select 'extension', null, quote_ident(e.extname), null, null, 'installed in schema ' || quote_ident(n.nspname)
            from pg_extension e join ns n on n.oid = e.extnamespace where e.extname <> 'plpgsql'
            union all
            select 'policy', null, quote_ident(schemaname) || '.' || quote_ident(tablename) || '.' || quote_ident(policyname), null, null,
                   cmd || ' to ' || array_to_string(array(select case when r = (select shadow from me) then (select target from me) else r::text end from unnest(roles) r), ',')
                   || coalesce(' using ' || qual, '') || coalesce(' check ' || with_check, '')
            from pg_policies where schemaname not in ({MANAGED})
            union all
            select 'owner', kind, object, null, null, (select name from rn where oid = relowner) from rel
            union all
            select 'owner', 'function', object, null, null, (select name from rn where oid = proowner) from fn
            union all
            select 'owner', 'enum', object, null, null, (select name from rn where oid = typowner) from typ
            union all
            select 'owner', 'schema', quote_ident(nspname), null, null, (select name from rn where oid = nspowner) from ns where nspname <> 'public'
            union all
            select 'privileges', kind, object, case when x.grantee = relowner then 'its owner' else (select name from rn where oid = x.grantee) end, null,
                   string_agg(x.privilege_type || case when x.is_grantable then ' (grantable)' else '' end, ', ' order by x.privilege_type)
            from rel, aclexplode(coalesce(relacl, acldefault((case when relkind = 'S' then 's' else 'r' end)::"char", relowner))) x group by kind, object, relowner, x.grantee
            union all
            select 'privileges', 'column', c.object || '.' || quote_ident(a.attname), (select name from rn where oid = x.grantee), null,
                   string_agg(x.privilege_type || case when x.is_grantable then ' (grantable)' else '' end, ', ' order by x.privilege_type)
            from rel c join pg_attribute a on a.attrelid = c.oid, aclexplode(a.attacl) x
            where a.attnum > 0 and not a.attisdropped and a.attacl is not null group by c.object, a.attname, x.grantee
            union all
            select 'privileges', 'function', object, case when x.grantee = proowner then 'its owner' else (select name from rn where oid = x.grantee) end, null,
                   string_agg(x.privilege_type || case when x.is_grantable then ' (grantable)' else '' end, ', ' order by x.privilege_type)
            from fn, aclexplode(coalesce(proacl, acldefault('f', proowner))) x group by object, proowner, x.grantee
            union all
            select 'privileges', 'schema', quote_ident(nspname), case when x.grantee = nspowner then 'its owner' else (select name from rn where oid = x.grantee) end, null,
                   string_agg(x.privilege_type || case when x.is_grantable then ' (grantable)' else '' end, ', ' order by x.privilege_type)
            from ns, aclexplode(coalesce(nspacl, acldefault('n', nspowner))) x where nspname <> 'public' group by nspname, nspowner, x.grantee
            """.replace("{USER_SCHEMA}", USER_SCHEMA).replace("{BOTH}", HistoryTable.BOTH).replace("{MANAGED}", MANAGED);

    /** The platform's schemas present, and the extensions installed in them (kind 's' or 'e', name, schema). */
    static final String PLATFORM = """
            select 's', n.nspname, null from pg_namespace n
            where not ({USER_SCHEMA}) and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%'
            union all
            select 'e', e.extname, n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace
            where e.extname <> 'plpgsql' and not ({USER_SCHEMA})
            order by 1, 2""".replace("{USER_SCHEMA}", USER_SCHEMA);

    private SchemaCatalog() {}
}
