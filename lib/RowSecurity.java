/** Row-level security questions the kit asks of a table, as SQL fragments to put in its queries. */
final class RowSecurity {
    /** SQL: row-level security is on for the table pg_class %1$s and this role does not bypass it (the owner or a member of the owner's role, unless FORCE; BYPASSRLS). */
    private static final String APPLIES = "%1$s.relrowsecurity and (%1$s.relforcerowsecurity or not pg_has_role(%1$s.relowner, 'USAGE'))"
            + " and not (select rolbypassrls from pg_roles where rolname = current_user)";

    /** SQL over pg_policy p: the policy is one PostgreSQL applies to this role's SELECT on table %1$s. */
    private static final String FOR_MY_SELECT = "p.polrelid = %1$s.oid and p.polcmd in ('*', 'r')"
            + " and (0 = any(p.polroles) or exists (select 1 from unnest(p.polroles) r where r <> 0 and pg_has_role(r, 'USAGE')))";

    /** SQL over pg_policy p: the policy's USING expression is no filter (true). */
    private static final String PASSES_ALL = "coalesce(pg_get_expr(p.polqual, p.polrelid), '') = 'true'";

    /**
     * SQL: whether row-level security hides every row of the table pg_class %1$s from this session: it
     * applies to the role, and no permissive policy for SELECT applies to the role. False when there is no table.
     */
    static final String ROWS_HIDDEN = "coalesce(" + APPLIES + " and not exists (select 1 from pg_policy p where p.polpermissive and " + FOR_MY_SELECT + "), false)";

    /**
     * SQL (text): what row-level security lets this session see of the table pg_class %1$s. Null: every
     * row (it is off or bypassed, or a permissive policy USING (true) applies and no restrictive one
     * that filters); '': no row (no permissive policy for SELECT applies to the role); else the
     * policies that filter, as "name USING (expression)", joined by "; ". Null when there is no table.
     */
    static final String ROWS_FILTERED = "case when " + APPLIES + " then case"
            + " when not exists (select 1 from pg_policy p where p.polpermissive and " + FOR_MY_SELECT + ") then ''"
            + " when exists (select 1 from pg_policy p where p.polpermissive and " + FOR_MY_SELECT + " and " + PASSES_ALL + ")"
            + " and not exists (select 1 from pg_policy p where not p.polpermissive and " + FOR_MY_SELECT + " and not " + PASSES_ALL + ") then null"
            + " else (select string_agg(quote_ident(p.polname) || ' USING (' || coalesce(pg_get_expr(p.polqual, p.polrelid), 'no expression') || ')', '; ' order by p.polname)"
            + " from pg_policy p where " + FOR_MY_SELECT + " and not " + PASSES_ALL + ") end end";

    /** {@link #ROWS_FILTERED} for the table pg_class `alias`. */
    static String rowsFiltered(String alias) {
        return ROWS_FILTERED.formatted(alias);
    }

    private RowSecurity() {}
}
