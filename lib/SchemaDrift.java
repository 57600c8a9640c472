//SOURCES MigrationFormat.java MigrationEngine.java SchemaSnapshot.java EmbeddedServer.java SqlScript.java DatabaseTarget.java Console.java KitException.java
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/**
 * Has someone changed the schema by hand? The repository's migrations, up to the version the
 * target has applied, go into a throwaway shadow PostgreSQL of the target's major version through
 * the same engine migrate uses, and the two catalogs are compared. The target is only read; the
 * shadow is removed afterwards.
 */
final class SchemaDrift {

    static List<String> check(Connection target, String appliedVersion, MigrationFormat format, Console console) throws SQLException {
        try (Shadow shadow = build(target, appliedVersion, format, console, "--schema")) {
            return shadow.differences;
        }
    }

    /** A shadow server holding database "shadow", built from the target's applied migrations, and how it differs from the target. */
    static final class Shadow implements AutoCloseable {
        final EmbeddedServer server;
        final List<String> differences;

        private Shadow(EmbeddedServer server, List<String> differences) {
            this.server = server;
            this.differences = differences;
        }

        @Override
        public void close() {
            try {
                server.close();
            } catch (java.io.IOException e) {
                // the shadow's files are temporary; nothing of the target's depends on them
            }
        }
    }

    /**
     * Builds the shadow (for `option`, named in the sentence when the kit lacks the target's major
     * version) and leaves it running for the caller, who closes it.
     */
    static Shadow build(Connection target, String appliedVersion, MigrationFormat format, Console console, String option) throws SQLException {
        int major;
        try (var st = target.createStatement(); ResultSet rs = st.executeQuery("select current_setting('server_version_num')::int / 10000")) {
            rs.next();
            major = rs.getInt(1);
        }
        if (!EmbeddedServer.BINARIES.containsKey(major)) {
            throw KitException.usage(option + " needs a shadow PostgreSQL " + major + ", and the kit has binaries for 15, 16 and 17 only.");
        }
        SchemaSnapshot actual = SchemaSnapshot.read(target);
        String platform = actual.notManagedHere();
        if (platform != null) console.line("  " + platform);
        EmbeddedServer shadow;
        try {
            shadow = EmbeddedServer.start(major, null, true);
        } catch (java.io.IOException e) {
            throw KitException.failed("could not start the shadow PostgreSQL " + major + ": " + e.getMessage(), e);
        }
        try {
            String url = shadow.createDatabase("shadow");
            try (Connection c = shadow.admin("shadow")) {
                installTargetRoles(target, c);
                installTargetExtensions(actual, c);
            }
            if (appliedVersion != null) migrate(DatabaseTarget.parse(url, "the shadow database"), appliedVersion, format);
            try (Connection c = shadow.admin("shadow")) {
                return new Shadow(shadow, SchemaSnapshot.compare(SchemaSnapshot.read(c), actual));
            }
        } catch (RuntimeException | SQLException e) {
            try {
                shadow.close();
            } catch (java.io.IOException ignored) {
                // as in Shadow.close
            }
            throw e;
        }
    }

    /** The migrations up to `version`, applied to the shadow by the engine migrate uses for them. */
    private static void migrate(DatabaseTarget shadow, String version, MigrationFormat format) {
        try {
            format.applyTo(shadow, "rc-dbkit status --schema", version, MigrationFormat.Options.throwaway(Duration.ofMinutes(1), Duration.ZERO), MigrationEngine.Progress.SILENT);
        } catch (KitException | SQLException e) {
            throw KitException.failed("the migrations did not apply to the shadow database: " + e.getMessage(), e);
        }
    }

    /**
     * The target's roles, made on the shadow without login (roles belong to the platform, not to
     * the migrations), so that a migration's GRANT ... TO authenticated, or a policy for anon,
     * applies to the shadow as it does to the target.
     */
    static void installTargetRoles(Connection target, Connection shadow) throws SQLException {
        java.util.List<String> roles = new java.util.ArrayList<>();
        try (var st = target.createStatement(); ResultSet rs = st.executeQuery("select rolname from pg_roles where rolname !~ '^pg_' order by 1")) {
            while (rs.next()) roles.add(rs.getString(1));
        }
        if (roles.isEmpty()) return;
        try (var ps = shadow.prepareStatement("select r from unnest(?::text[]) r where not exists (select 1 from pg_roles where rolname = r)")) {
            ps.setArray(1, shadow.createArrayOf("text", roles.toArray()));
            java.util.List<String> missing = new java.util.ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) missing.add(rs.getString(1));
            }
            try (var st = shadow.createStatement()) {
                for (String role : missing) st.execute("create role " + SqlScript.identifier(role) + " nologin");
            }
        }
    }

    /**
     * Gives the shadow what the platform gave the target before any migration ran: its extensions,
     * in the same schemas, and the search_path the target's sessions start with, so that a
     * migration's {@code CREATE EXTENSION IF NOT EXISTS "uuid-ossp"} finds it there and an
     * unqualified {@code uuid_generate_v4()} resolves, on the shadow as on the target. An extension
     * the shadow's binaries lack (Supabase's own, such as pg_graphql) is left out.
     */
    static void installTargetExtensions(SchemaSnapshot target, Connection shadow) throws SQLException {
        java.util.Set<String> available = new java.util.HashSet<>();
        try (var st = shadow.createStatement(); ResultSet rs = st.executeQuery("select name from pg_available_extensions")) {
            while (rs.next()) available.add(rs.getString(1));
        }
        try (var st = shadow.createStatement()) {
            for (SchemaSnapshot.PlatformExtension e : target.platformExtensions) {
                if (!available.contains(e.name())) continue;
                String schema = SqlScript.identifier(e.schema());
                st.execute("create schema if not exists " + schema + "; create extension if not exists " + SqlScript.identifier(e.name()) + " with schema " + schema + " cascade");
            }
        }
        if (target.sessionSearchPath != null) {
            try (var ps = shadow.prepareStatement("select set_config('search_path', ?, false)")) {
                ps.setString(1, target.sessionSearchPath);
                ps.execute();
            }
            try (var st = shadow.createStatement()) {
                st.execute("alter database shadow set search_path from current");
            }
        }
    }
}
