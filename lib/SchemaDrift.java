import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Has someone changed the schema by hand? The repository's migrations, up to the version the
 * target has applied, go into a throwaway shadow PostgreSQL of the target's major version, and
 * the two catalogs are compared. The target is only read; the shadow is removed afterwards.
 */
final class SchemaDrift {

    static List<String> check(Connection target, String appliedVersion, Path dir, Path prisma, Console console) throws SQLException {
        int major;
        try (var st = target.createStatement(); ResultSet rs = st.executeQuery("select current_setting('server_version_num')::int / 10000")) {
            rs.next();
            major = rs.getInt(1);
        }
        if (!EmbeddedServer.BINARIES.containsKey(major)) {
            throw KitException.usage("--schema needs a shadow PostgreSQL " + major + ", and the kit has binaries for 15, 16 and 17 only.");
        }
        SchemaSnapshot actual = SchemaSnapshot.read(target);
        String platform = actual.notManagedHere();
        if (platform != null) console.line("  " + platform);
        try (EmbeddedServer shadow = EmbeddedServer.start(major, null, true)) {
            String url = shadow.createDatabase("shadow");
            try (Connection c = shadow.admin("shadow")) {
                installTargetExtensions(actual, c);
            }
            if (appliedVersion != null) {
                Map<String, String> env = new HashMap<>();
                env.put("DIRECT_URL", url);
                List<String> args = new ArrayList<>(List.of("--dir", dir.toString(), "--target", appliedVersion, "--yes", "--allow-destructive", "--lock-timeout", "1m"));
                if (prisma != null) args.addAll(List.of("--prisma", prisma.toString()));
                StringWriter out = new StringWriter(), err = new StringWriter();
                int code = Cli.run(new migrate(), env, new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
                if (code != 0) {
                    throw KitException.failed("the migrations did not apply to the shadow database (exit " + code + "): " + err.toString().strip(), null);
                }
            }
            try (Connection c = shadow.admin("shadow")) {
                return SchemaSnapshot.compare(SchemaSnapshot.read(c), actual);
            }
        } catch (java.io.IOException e) {
            throw KitException.failed("could not start the shadow PostgreSQL " + major + ": " + e.getMessage(), e);
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
                String schema = "\"" + e.schema().replace("\"", "\"\"") + "\"";
                st.execute("create schema if not exists " + schema + "; create extension if not exists \"" + e.name().replace("\"", "\"\"") + "\" with schema " + schema + " cascade");
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
