import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
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
            if (appliedVersion != null) migrate(DatabaseTarget.parse(url, "the shadow database"), appliedVersion, dir, prisma);
            try (Connection c = shadow.admin("shadow")) {
                return SchemaSnapshot.compare(SchemaSnapshot.read(c), actual);
            }
        } catch (java.io.IOException e) {
            throw KitException.failed("could not start the shadow PostgreSQL " + major + ": " + e.getMessage(), e);
        }
    }

    /** The migrations up to `version`, applied to the shadow by the engine migrate uses for them. */
    private static void migrate(DatabaseTarget shadow, String version, Path dir, Path prisma) {
        Console quiet = new Console(new PrintWriter(Writer.nullWriter()), new PrintWriter(Writer.nullWriter()), false, false);
        Duration minute = Duration.ofMinutes(1);
        Database db = new Database(prisma != null ? PrismaEngine.simpleProtocol(shadow) : shadow, "rc-dbkit status --schema", Duration.ZERO, quiet);
        try (Connection c = db.connect();
                MigrationEngine engine = prisma != null ? new PrismaEngine(prisma, c, quiet, minute, Duration.ZERO) : new FlywayEngine(dir, db, c, quiet, minute, Duration.ZERO)) {
            engine.apply(engine.plan(version), MigrationEngine.Progress.SILENT);
        } catch (KitException | SQLException e) {
            throw KitException.failed("the migrations did not apply to the shadow database: " + e.getMessage(), e);
        }
    }
}
