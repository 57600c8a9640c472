//SOURCES MigrationFormat.java MigrationEngine.java MigrationFile.java SchemaSnapshot.java ShadowServer.java ShadowUrl.java ShadowSetup.java
//SOURCES ShadowBuild.java Throwaway.java Phase.java LockHolder.java DatabaseTarget.java Database.java Durations.java Console.java KitException.java
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Has someone changed the schema by hand? The repository's migrations, up to the version the
 * target has applied, go into a shadow database through the same engine migrate uses, and the two
 * catalogs are compared. The shadow is a throwaway PostgreSQL of the target's major version, or a
 * throwaway database on the operator's server (--shadow-url); it is removed on every way out. The
 * target is only read. Each phase is said on stderr as it starts and with its time ({@link Phase}).
 */
final class SchemaDrift {

    /**
     * status --schema: the differences, reading the target with each wait for a lock bounded by
     * `lockTimeout` (inside status's read-only transaction: SET LOCAL, safe through a pooler).
     */
    static List<String> check(Connection target, String appliedVersion, MigrationFormat format, Console console, DatabaseTarget shadowUrl, Duration lockTimeout) throws SQLException {
        try (var st = target.createStatement()) {
            st.execute("set local lock_timeout = '" + lockTimeout.toMillis() + "ms'");
        }
        try (Shadow shadow = build(target, appliedVersion, List.of(), format, console, "--schema", shadowUrl)) {
            return shadow.differences;
        }
    }

    /** A shadow database "shadow", built from the target's applied migrations, and how it differs from the target. */
    static final class Shadow implements AutoCloseable {
        final ShadowServer server;
        final List<String> differences;

        private Shadow(ShadowServer server, List<String> differences) {
            this.server = server;
            this.differences = differences;
        }

        @Override
        public void close() {
            server.close();
        }
    }

    /**
     * Builds the shadow for `option` ("--schema", "--rehearse") and leaves it for the caller, who
     * closes it. Before anything is built, an extension the target has, or that one of `pending`
     * creates, which the shadow cannot install is refused (exit 2); applied migrations that do not
     * rebuild there are exit 5, never blamed as a migration's failure.
     */
    static Shadow build(Connection target, String appliedVersion, List<MigrationFile> pending, MigrationFormat format, Console console, String option,
            DatabaseTarget shadowUrl) throws SQLException {
        int major = major(target);
        SchemaSnapshot actual;
        try (Phase phase = Phase.start(console, "reading the target's schema")) {
            actual = SchemaSnapshot.read(target);
            phase.done();
        }
        String platform = actual.notManagedHere();
        if (platform != null) console.line("  " + platform);
        ShadowServer server = ShadowServer.open(shadowUrl, major, console, option);
        try {
            if (server instanceof ShadowUrl url) {
                url.refuseTarget(target);
                refuseOtherMajor(server, major);
            }
            ShadowSetup setup = new ShadowSetup(target, actual, server);
            Set<String> available = server.availableExtensions();
            setup.refuseMissingExtensions(available, List.of(), pending);
            server.createDatabase("shadow");
            try (Connection c = server.admin("shadow")) {
                setup.apply(c, available); // before the engine's first session, which takes the database's search_path
            }
            if (appliedVersion != null) new ShadowBuild(server, setup, available, console).apply(format, appliedVersion);
            try (Phase phase = Phase.start(console, "comparing the copy with the target"); Connection c = server.admin("shadow")) {
                List<String> differences = SchemaSnapshot.compare(SchemaSnapshot.read(c, server.migratingRole(), setup.targetRole), actual);
                phase.done();
                return new Shadow(server, differences);
            }
        } catch (RuntimeException | SQLException e) {
            server.close();
            Throwaway.holdIfLeaving();
            throw e;
        }
    }

    private static int major(Connection target) throws SQLException {
        try (var st = target.createStatement(); ResultSet rs = st.executeQuery("select current_setting('server_version_num')::int / 10000")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** A catalog reads differently across major versions (PostgreSQL 17's MAINTAIN privilege, say): the shadow must be the target's. */
    private static void refuseOtherMajor(ShadowServer server, int major) throws SQLException {
        try (Connection c = server.admin("postgres")) {
            int theirs = major(c);
            if (theirs != major) {
                throw KitException.usage("--shadow-url is PostgreSQL " + theirs + " and the target PostgreSQL " + major + ": catalogs differ between major versions, so give --shadow-url a PostgreSQL " + major + ".");
            }
        }
    }

    /** The sentence for an interrupted status --schema, said by {@link Interruption} once the shadow is removed. */
    static String interrupted() {
        String phase = Phase.current();
        return "status --schema was interrupted" + (phase == null ? "" : " while " + phase) + ": the shadow was removed, and the target was only read.";
    }

    /** The sentence for status --schema when a read of the target waited past --lock-timeout: what it waited for, and who holds it. */
    static String lockTimedOut(Connection target, Duration lockTimeout) {
        String holder = LockHolder.describe(target);
        return "status --schema waited longer than --lock-timeout (" + Durations.format(lockTimeout) + ") for a lock while reading the target's schema"
                + (holder == null ? "" : ": " + holder) + "; run it again when that is done (a migrate in flight, say), or give a longer --lock-timeout.";
    }
}
