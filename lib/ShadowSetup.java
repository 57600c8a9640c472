//SOURCES SchemaSnapshot.java ShadowServer.java ShadowUrl.java MigrationFile.java SqlStatement.java SqlScript.java KitException.java
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the platform gave the target before any migration ran, given to the shadow's database too,
 * so that the migrations apply there as they did on the target: its roles (without login), its
 * extensions in the same schemas, the search_path its sessions start with, the privileges of the
 * schemas that were there before the migrations (public), and the default privileges the platform
 * set for the role that runs the migrations (Supabase grants every new table in public to anon and
 * authenticated this way). First of all, the extensions the shadow cannot install are refused.
 */
final class ShadowSetup {
    private final Connection target;
    private final SchemaSnapshot snapshot;
    private final ShadowServer server;
    /** The role the target's migrations ran as: the owner of its history table, else the session's. */
    final String targetRole;

    ShadowSetup(Connection target, SchemaSnapshot snapshot, ShadowServer server) throws SQLException {
        this.target = target;
        this.snapshot = snapshot;
        this.server = server;
        try (var st = target.createStatement(); ResultSet rs = st.executeQuery("select coalesce((select pg_get_userbyid(c.relowner) from pg_class c where c.oid in"
                + " (to_regclass('" + HistoryTable.FLYWAY + "'), to_regclass('" + HistoryTable.PRISMA + "')) limit 1), current_user)")) {
            rs.next();
            targetRole = rs.getString(1);
        }
    }

    /**
     * Refuses, before anything is built, an extension the target has (or one a pending migration
     * creates, which the target could install) that the shadow cannot install: the copy would fail
     * or differ for a reason that is no migration's. The platform's own extensions in its schemas
     * that no migration creates (pg_graphql, supabase_vault, ...) are left out, as before.
     */
    void refuseMissingExtensions(Set<String> available, List<MigrationFile> applied, List<MigrationFile> pending) throws SQLException {
        Set<String> missing = new TreeSet<>();
        for (String name : snapshot.extensions()) {
            boolean platforms = snapshot.platformExtensions.stream().anyMatch(e -> e.name().equals(name));
            if (!available.contains(name) && (!platforms || created(applied).contains(name))) missing.add(name);
        }
        Set<String> wanted = created(pending);
        wanted.removeAll(available);
        if (!wanted.isEmpty()) missing.addAll(installableOnTarget(wanted));
        if (missing.isEmpty()) return;
        String names = String.join(", ", missing.stream().map(n -> "\"" + n + "\"").toList());
        throw KitException.usage("the target " + (missing.size() == 1 ? "has extension " + names + ", which " : "has extensions " + names + ", which ")
                + server.describe() + " cannot install (not in its pg_available_extensions), so a copy there would fail or differ for no migration's fault: " + server.remedy() + ".");
    }

    /** The target's extensions, the platform's included, that the shadow cannot install, quoted. */
    List<String> lackedExtensions(Set<String> available) {
        return snapshot.extensions().stream().filter(n -> !available.contains(n)).sorted().map(n -> "\"" + n + "\"").toList();
    }

    /** The extensions that CREATE EXTENSION statements of these migrations create. */
    static Set<String> created(List<MigrationFile> migrations) {
        Set<String> names = new TreeSet<>();
        for (MigrationFile m : migrations) {
            for (SqlScript.Statement s : m.statements()) {
                if (SqlStatement.read(s.tokens()) instanceof SqlStatement.CreateObject o && o.kind().equals("extension")) names.add(o.name().name());
            }
        }
        return names;
    }

    private List<String> installableOnTarget(Set<String> names) throws SQLException {
        List<String> out = new ArrayList<>();
        try (var ps = target.prepareStatement("select name from pg_available_extensions where name = any(?)")) {
            ps.setArray(1, target.createArrayOf("text", names.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** All of it, on the shadow's database (a session as its admin), before the migrations run. */
    void apply(Connection shadow, Set<String> available) throws SQLException {
        installTargetRoles(shadow);
        installTargetExtensions(shadow, available);
        copyPrivileges(shadow);
    }

    /**
     * The target's roles, made on the shadow without login (roles belong to the platform, not to
     * the migrations), so that a migration's GRANT ... TO authenticated, or a policy for anon,
     * applies to the shadow as it does to the target.
     */
    private void installTargetRoles(Connection shadow) throws SQLException {
        List<String> roles = new ArrayList<>();
        try (var st = target.createStatement(); ResultSet rs = st.executeQuery("select rolname from pg_roles where rolname !~ '^pg_' order by 1")) {
            while (rs.next()) roles.add(rs.getString(1));
        }
        if (roles.isEmpty()) return;
        List<String> missing = new ArrayList<>();
        try (var ps = shadow.prepareStatement("select r from unnest(?::text[]) r where not exists (select 1 from pg_roles where rolname = r)")) {
            ps.setArray(1, shadow.createArrayOf("text", roles.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) missing.add(rs.getString(1));
            }
        }
        try (var st = shadow.createStatement()) {
            for (String role : missing) {
                st.execute("create role " + SqlScript.identifier(role) + " nologin");
                if (server instanceof ShadowUrl url) url.madeRole(role);
            }
        }
    }

    /**
     * The target's platform extensions, in the same schemas, and the search_path the target's
     * sessions start with, so that a migration's {@code CREATE EXTENSION IF NOT EXISTS "uuid-ossp"}
     * finds it there and an unqualified {@code uuid_generate_v4()} resolves, on the shadow as on the
     * target. One the shadow lacks and no migration creates (pg_graphql, say) is left out.
     */
    private void installTargetExtensions(Connection shadow, Set<String> available) throws SQLException {
        try (var st = shadow.createStatement()) {
            for (SchemaSnapshot.PlatformExtension e : snapshot.platformExtensions) {
                if (!available.contains(e.name())) continue;
                String schema = SqlScript.identifier(e.schema());
                st.execute("create schema if not exists " + schema + "; create extension if not exists " + SqlScript.identifier(e.name()) + " with schema " + schema + " cascade");
            }
        }
        if (snapshot.sessionSearchPath != null) {
            try (var ps = shadow.prepareStatement("select set_config('search_path', ?, false)")) {
                ps.setString(1, snapshot.sessionSearchPath);
                ps.execute();
            }
            try (var st = shadow.createStatement()) {
                st.execute("alter database " + SqlScript.identifier(server.name("shadow")) + " set search_path from current");
            }
        }
    }

    /**
     * Privileges as the platform left them before the migrations: the ACL of each schema the shadow
     * has too (public, extensions), and the default privileges for the target's migrating role, set
     * for the shadow's (FOR ROLE, IN SCHEMA), with the grants to that role itself made to the shadow's.
     * A default set for all schemas replaces the built-in one, so it is set whole (revoked, then granted).
     */
    private void copyPrivileges(Connection shadow) throws SQLException {
        String me = SqlScript.identifier(server.migratingRole());
        Map<String, List<String>> bySchema = new LinkedHashMap<>();
        Set<String> replaced = new TreeSet<>();
        try (var ps = target.prepareStatement("""
                select 'n', n.nspname, case when x.grantee = 0 then 'public' else pg_get_userbyid(x.grantee) end, x.privilege_type, x.is_grantable
                from pg_namespace n, aclexplode(n.nspacl) x where n.nspacl is not null and x.grantee <> n.nspowner
                union all
                select d.defaclobjtype::text, n.nspname, case when x.grantee = 0 then 'public' else pg_get_userbyid(x.grantee) end, x.privilege_type, x.is_grantable
                from pg_default_acl d left join pg_namespace n on n.oid = d.defaclnamespace, aclexplode(d.defaclacl) x
                where pg_get_userbyid(d.defaclrole) = ?""")) {
            ps.setString(1, targetRole);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String kind = rs.getString(1), schema = rs.getString(2), grantee = rs.getString(3).equals(targetRole) ? server.migratingRole() : rs.getString(3);
                    String objects = switch (kind) {
                        case "r" -> "tables";
                        case "S" -> "sequences";
                        case "f" -> "functions";
                        case "T" -> "types";
                        default -> null;
                    };
                    String to = " to " + (grantee.equals("public") ? "public" : SqlScript.identifier(grantee)) + (rs.getBoolean(5) ? " with grant option" : "");
                    List<String> sql = bySchema.computeIfAbsent(schema == null ? "" : schema, k -> new ArrayList<>());
                    if (kind.equals("n")) {
                        sql.add("grant " + rs.getString(4) + " on schema " + SqlScript.identifier(schema) + to);
                    } else if (objects != null && schema != null) {
                        sql.add("alter default privileges for role " + me + " in schema " + SqlScript.identifier(schema) + " grant " + rs.getString(4) + " on " + objects + to);
                    } else if (objects != null) {
                        if (replaced.add(objects)) sql.add(0, "alter default privileges for role " + me + " revoke all on " + objects + " from public, " + me);
                        sql.add("alter default privileges for role " + me + " grant " + rs.getString(4) + " on " + objects + to);
                    }
                }
            }
        }
        Set<String> schemas = new TreeSet<>(List.of(""));
        try (var st = shadow.createStatement(); ResultSet rs = st.executeQuery("select nspname from pg_namespace")) {
            while (rs.next()) schemas.add(rs.getString(1));
        }
        try (var st = shadow.createStatement()) {
            for (Map.Entry<String, List<String>> e : bySchema.entrySet()) {
                if (!schemas.contains(e.getKey())) continue;
                for (String sql : e.getValue()) st.execute(sql);
            }
        }
    }
}
