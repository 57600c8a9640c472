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
        try (EmbeddedServer shadow = EmbeddedServer.start(major, null, true)) {
            String url = shadow.createDatabase("shadow");
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
}
