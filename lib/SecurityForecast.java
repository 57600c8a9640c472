//SOURCES SecurityAdvisor.java ExposedStatements.java ShadowServer.java MigrationFile.java Console.java KitException.java ExitCode.java SqlScript.java
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * migrate --rehearse's security part: Supabase's advisor's checks run on the copy after the pending
 * migrations, and what they find there that they did not find before is what the migrations would
 * expose. The copy is made to grant the API roles what the target grants them first (the privileges
 * anon, authenticated and PUBLIC hold on the project's schemas, relations, columns and functions,
 * and the default privileges of the role migrate runs as, given to the role that runs them on the
 * copy), so that a pending CREATE TABLE is granted there as Supabase would grant it. The copy holds no
 * rows: what the API roles would read is judged from the catalog alone.
 */
final class SecurityForecast {
    private final List<String> exposedSchemas;
    private final String currentSchema;
    private final Set<String> before;
    private final boolean supabase;

    private SecurityForecast(List<String> exposedSchemas, String currentSchema, Set<String> before, boolean supabase) {
        this.exposedSchemas = exposedSchemas;
        this.currentSchema = currentSchema;
        this.before = before;
        this.supabase = supabase;
    }

    /** The target's grants to the API roles and PUBLIC, as statements for the copy (the default privileges for the copy's role). */
    private static final String GRANTS = """
            with api as (select oid, rolname::text as name from pg_roles where rolname in ('anon', 'authenticated') union all select 0::oid, 'PUBLIC'),
            own as (select n.oid, n.nspname, n.nspacl, n.nspowner from pg_namespace n where %s or n.nspname = any(?))
            select format('revoke all on schema %%I from anon, authenticated, public', n.nspname) from own n
            union all
            select format('grant %%s on schema %%I to %%s', a.privilege_type, n.nspname, case when a.grantee = 0 then 'public' else quote_ident(api.name) end)
            from own n, aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) a join api on api.oid = a.grantee
            union all
            select format('revoke all on table %%I.%%I from anon, authenticated, public', n.nspname, c.relname)
            from pg_class c join own n on n.oid = c.relnamespace where c.relkind in ('r', 'p', 'v', 'm', 'f')
            union all
            select format('grant %%s on table %%I.%%I to %%s', a.privilege_type, n.nspname, c.relname, case when a.grantee = 0 then 'public' else quote_ident(api.name) end)
            from pg_class c join own n on n.oid = c.relnamespace, aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a join api on api.oid = a.grantee
            where c.relkind in ('r', 'p', 'v', 'm', 'f')
            union all
            select format('grant %%s (%%I) on table %%I.%%I to %%s', a.privilege_type, t.attname, n.nspname, c.relname, case when a.grantee = 0 then 'public' else quote_ident(api.name) end)
            from pg_attribute t join pg_class c on c.oid = t.attrelid join own n on n.oid = c.relnamespace, aclexplode(t.attacl) a join api on api.oid = a.grantee
            where t.attnum > 0 and not t.attisdropped and t.attacl is not null
            union all
            select format('revoke all on routine %%I.%%I(%%s) from anon, authenticated, public', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid))
            from pg_proc p join own n on n.oid = p.pronamespace where p.prokind in ('f', 'p', 'w')
            union all
            select format('grant execute on routine %%I.%%I(%%s) to %%s', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid),
                          case when a.grantee = 0 then 'public' else quote_ident(api.name) end)
            from pg_proc p join own n on n.oid = p.pronamespace, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a join api on api.oid = a.grantee
            where p.prokind in ('f', 'p', 'w')
            union all
            select format('alter default privileges for role %%s %%s revoke all on %%s from public',
                          '$copy', coalesce('in schema ' || quote_ident(n.nspname), ''), case d.defaclobjtype when 'r' then 'tables' when 'f' then 'functions' when 'S' then 'sequences' when 'T' then 'types' else 'schemas' end)
            from pg_default_acl d left join pg_namespace n on n.oid = d.defaclnamespace
            where d.defaclrole = (select oid from pg_roles where rolname = current_user) and d.defaclnamespace = 0
            union all
            select format('alter default privileges for role %%s %%s grant %%s on %%s to %%s',
                          '$copy', coalesce('in schema ' || quote_ident(n.nspname), ''), a.privilege_type,
                          case d.defaclobjtype when 'r' then 'tables' when 'f' then 'functions' when 'S' then 'sequences' when 'T' then 'types' else 'schemas' end,
                          case when a.grantee = 0 then 'public' else quote_ident(api.name) end)
            from pg_default_acl d left join pg_namespace n on n.oid = d.defaclnamespace, aclexplode(d.defaclacl) a join api on api.oid = a.grantee
            where d.defaclrole = (select oid from pg_roles where rolname = current_user)""".formatted(SecurityCatalog.OWN_SCHEMA.formatted("n"));

    /** Before the pending migrations run on database "shadow" of the copy: the target's grants there, and what the checks find already. */
    static SecurityForecast prepare(Connection target, ShadowServer copy, List<String> exposedSchemas, Console console) throws SQLException {
        List<String> grants = new ArrayList<>();
        String currentSchema;
        boolean supabase;
        try (var ps = target.prepareStatement("select current_schema()::text, exists (select 1 from pg_roles where rolname in ('anon', 'authenticated'))")) {
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                currentSchema = rs.getString(1);
                supabase = rs.getBoolean(2);
            }
        }
        if (!supabase) return new SecurityForecast(exposedSchemas, currentSchema, Set.of(), false);
        try (var ps = target.prepareStatement(GRANTS)) {
            ps.setArray(1, target.createArrayOf("text", exposedSchemas.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) grants.add(rs.getString(1));
            }
        }
        try (Connection c = copy.admin("shadow"); var st = c.createStatement()) {
            String role = SqlScript.identifier(copy.migratingRole());
            int refused = 0;
            for (String g : grants) {
                try {
                    st.execute(g.replace("$copy", role));
                } catch (SQLException notThere) {
                    refused++; // an object the copy does not have (drift would have said so): its grants cannot matter
                }
            }
            if (refused > 0) console.note(refused + " of the target's grants to the API roles could not be given to the copy; the security forecast may miss what they open.");
            Set<String> seen = SecurityAdvisor.check(c, exposedSchemas).findings().stream().map(SecurityFinding::key).collect(Collectors.toSet());
            return new SecurityForecast(exposedSchemas, currentSchema, seen, true);
        }
    }

    /** A finding the pending migrations would add, and the statement that made or opened its object (null when none names it). */
    record Predicted(SecurityFinding finding, ExposedStatements.At at) {
        String sentence() {
            String where = at == null ? "the pending migrations" : at.file() + " line " + at.line() + " (" + at.statement() + ")";
            return where + " would make " + finding.lint().advisorName() + " on " + finding.sentence() + "; fix: " + finding.fix().shown();
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>(finding.json());
            if (at != null) {
                m.put("file", at.file());
                m.put("line", at.line());
            }
            return m;
        }
    }

    /** After the pending migrations applied to the copy: the findings they add, each with its statement; none where the target is not Supabase. */
    List<Predicted> predict(ShadowServer copy, List<MigrationFile> pending) throws SQLException {
        if (!supabase) return List.of();
        try (Connection c = copy.admin("shadow")) {
            return SecurityAdvisor.check(c, exposedSchemas).findings().stream().filter(f -> !before.contains(f.key()))
                    .map(f -> new Predicted(f, ExposedStatements.maker(pending, currentSchema, f.object().schema(), f.object().name()))).toList();
        }
    }

    /**
     * The rehearsal's security part, said and returned as its JSON: errors as report lines (the first
     * becomes the rehearsal's error, exit 6), warnings on stderr, informational ones with --verbose.
     */
    Map<String, Object> report(ShadowServer copy, List<MigrationFile> pending, Console console) throws SQLException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("exposedSchemas", exposedSchemas);
        if (!supabase) {
            doc.put("state", "not checked");
            doc.put("reason", "not Supabase: no anon or authenticated role");
            return doc;
        }
        List<Predicted> added = predict(copy, pending);
        String firstError = null;
        for (Predicted p : added) {
            String sentence = p.sentence();
            if (p.finding().level() == SecurityLint.Level.ERROR) {
                console.line("  EXPOSES: " + sentence);
                if (firstError == null) firstError = sentence;
            } else if (p.finding().level() == SecurityLint.Level.WARN) {
                console.warn("predicted: " + sentence);
            } else if (console.verbose) {
                console.note("predicted: " + sentence);
            }
        }
        doc.put("state", firstError != null ? "exposed" : added.isEmpty() ? "ok" : "warnings");
        doc.put("findings", added.stream().map(Predicted::json).toList());
        if (firstError != null) {
            KitException e = new KitException(ExitCode.SECURITY, "the rehearsal predicts that the pending migrations would expose data through Supabase's Data API: "
                    + firstError + ". Nothing was applied to the target.");
            e.details.put("security", doc);
            throw e;
        }
        long warnings = added.stream().filter(p -> p.finding().level() == SecurityLint.Level.WARN).count(), infos = added.size() - warnings;
        console.line("  Supabase's advisor's checks on the copy: the pending migrations add no error"
                + (warnings > 0 ? ", " + warnings + " warning" + (warnings == 1 ? "" : "s") + " (above)" : "")
                + (infos > 0 ? ", " + infos + " informational (in --json" + (console.verbose ? " and above)" : ")") : ""));
        return doc;
    }
}
