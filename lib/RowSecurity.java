/** Row-level security questions the kit asks of a table, as SQL fragments to put in its queries. */
final class RowSecurity {
    /**
     * SQL: whether row-level security hides every row of the table pg_class %1$s from this session: it
     * is on, the role does not bypass it (the owner or a member of the owner's role, unless FORCE;
     * BYPASSRLS), and no permissive policy for SELECT applies to the role. False when there is no table.
     */
    static final String ROWS_HIDDEN = """
            coalesce(%1$s.relrowsecurity
                     and (%1$s.relforcerowsecurity or not pg_has_role(%1$s.relowner, 'USAGE'))
                     and not (select rolbypassrls from pg_roles where rolname = current_user)
                     and not exists (select 1 from pg_policy p where p.polrelid = %1$s.oid and p.polpermissive and p.polcmd in ('*', 'r')
                                     and (0 = any(p.polroles) or exists (select 1 from unnest(p.polroles) r where r <> 0 and pg_has_role(r, 'USAGE')))), false)""";

    private RowSecurity() {}
}
