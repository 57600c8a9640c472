import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;

/**
 * A database shaped like a fresh Supabase project, built by Supabase's own set-up scripts
 * (../shared/supabase, read at test time, never copied here) as that folder's README says, in an
 * embedded cluster of its own: roles are cluster-wide, and this one demotes {@code postgres}.
 *
 * <p>What differs from the README, and why:
 * <ul>
 * <li>zonky's initdb always names the bootstrap superuser {@code postgres}; renaming it to
 *     {@code supabase_admin} (from another superuser, which is then dropped) gives what
 *     {@code initdb -U supabase_admin} gives: the bootstrap superuser, OID 10, is {@code supabase_admin}.</li>
 * <li>The server is PostgreSQL 17 (the kit's embedded binaries), where Supabase runs 15;
 *     {@code SUPABASE_SHAPE_PG=15} builds it on 15 instead (zonky's binaries, fetched from Maven
 *     Central once). Every script applies unchanged on both.</li>
 * <li>Each test gets its own project: a copy of the built {@code postgres} database
 *     ({@code CREATE DATABASE ... TEMPLATE postgres OWNER postgres}). Schemas, extensions, event
 *     triggers, default privileges and grants inside the database are copied; the one grant on the
 *     database itself ({@code GRANT ALL ON DATABASE postgres TO postgres}) is covered by ownership.</li>
 * </ul>
 * The operator connects as {@code postgres} with its password (scram-sha-256); {@code supabase_admin},
 * for setting up and checking by plain SQL, gives the embedded server's superuser password (no login is trusted).
 */
final class SupabaseShape {
    static final Path SCRIPTS = TestSupport.kitDir().resolveSibling("shared").resolve("supabase");
    /** Needs the pgsodium extension, which a vanilla server lacks (the README says to skip it). */
    static final String SKIPPED = "20230529180330_alter_api_roles_for_inherit.sql";

    private static EmbeddedServer server;
    private static String password;
    private static final AtomicInteger projects = new AtomicInteger();

    /** The scripts' folder, or the test is skipped with a sentence (as the corpus tests are). */
    static Path scripts() {
        Assumptions.assumeTrue(Files.isRegularFile(SCRIPTS.resolve("README.md")),
                "Supabase's set-up scripts are read from " + SCRIPTS + " (shared/supabase beside the kit), which is not here; the Supabase-shaped tests need them");
        return SCRIPTS;
    }

    static synchronized EmbeddedServer server() {
        scripts();
        if (server == null) {
            try {
                server = build();
            } catch (IOException | SQLException e) {
                throw new IllegalStateException("could not build the Supabase-shaped database: " + e.getMessage(), e);
            }
        }
        return server;
    }

    /** The server's major version: 17, the kit's embedded binaries, unless SUPABASE_SHAPE_PG says 15 (Supabase's) or 16. */
    static int major() {
        String v = System.getenv("SUPABASE_SHAPE_PG");
        return v == null || v.isBlank() ? 17 : Integer.parseInt(v.strip());
    }

    private static EmbeddedServer build() throws IOException, SQLException {
        EmbeddedServer srv = EmbeddedServer.start(major(), null, true);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                srv.close();
            } catch (IOException ignored) {
                // the run is over
            }
        }));
        // 1. the bootstrap superuser is supabase_admin (renamed from another superuser's session; its SCRAM password stays)
        String jdbc = "jdbc:postgresql://localhost:" + srv.port() + "/postgres";
        try (Connection c = DriverManager.getConnection(jdbc, EmbeddedServer.USER, srv.password); Statement st = c.createStatement()) {
            st.execute("alter role postgres rename to supabase_admin");
        }
        password = Base64.getUrlEncoder().withoutPadding().encodeToString(new SecureRandom().generateSeed(18));
        // 2. as supabase_admin: postgres, a superuser for now, owns the database
        try (Connection c = srv.postgres.getDatabase("supabase_admin", "postgres").getConnection(); Statement st = c.createStatement()) {
            st.execute("drop role " + EmbeddedServer.USER);
            st.execute("create role postgres superuser login password '" + password + "'");
            st.execute("alter database postgres owner to postgres");
        }
        // 3. as postgres: init-scripts/ in name order, without the pgjwt line (not in contrib)
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", password); Statement st = c.createStatement()) {
            for (Path file : sqlFiles(SCRIPTS.resolve("init-scripts"))) {
                String sql = Files.readString(file).lines().filter(l -> !l.matches("(?i)\\s*create extension .*pgjwt.*"))
                        .reduce("", (a, b) -> a + b + "\n");
                run(st, file, sql);
            }
        }
        // 4. as supabase_admin: migrations/ in name order (the demotion of postgres among them)
        try (Connection c = srv.postgres.getDatabase("supabase_admin", "postgres").getConnection(); Statement st = c.createStatement()) {
            for (Path file : sqlFiles(SCRIPTS.resolve("migrations"))) {
                if (file.getFileName().toString().equals(SKIPPED)) continue;
                run(st, file, Files.readString(file));
            }
        }
        return srv;
    }

    private static List<Path> sqlFiles(Path folder) throws IOException {
        try (var s = Files.list(folder)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".sql")).sorted().toList();
        }
    }

    private static void run(Statement st, Path file, String sql) throws SQLException {
        try {
            st.execute(sql);
        } catch (SQLException e) {
            throw new SQLException(file.getFileName() + ": " + e.getMessage(), e.getSQLState(), e);
        }
    }

    /** A fresh project (a copy of the built database); its URL as the operator has it: postgres with its password. */
    static String freshProject() {
        EmbeddedServer srv = server();
        String name = "project" + projects.incrementAndGet();
        try (Connection c = srv.postgres.getDatabase("supabase_admin", "postgres").getConnection(); Statement st = c.createStatement()) {
            st.execute("create database " + name + " template postgres owner postgres");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return "postgresql://postgres:" + password + "@localhost:" + srv.port() + "/" + name;
    }

    private static String seeded;

    /**
     * A fresh project as an operator leaves it after migrate and seed (the kit's migrations and seed
     * files): a copy of one migrated and seeded once for the run.
     */
    static synchronized String seededProject() {
        if (seeded == null) {
            seeded = freshProject();
            Map<String, String> env = TestSupport.adminEnv(seeded);
            TestSupport.Result m = run(new migrate(), env);
            if (m.code() != 0) throw new IllegalStateException("migrate failed on the Supabase-shaped project: " + m.all());
            TestSupport.Result s = run(new seed(), env);
            if (s.code() != 0) throw new IllegalStateException("seed failed on the Supabase-shaped project: " + s.all());
        }
        return copyOf(seeded);
    }

    /** A new project, a copy of this one (nobody may be connected to it meanwhile). */
    static String copyOf(String url) {
        String name = "project" + projects.incrementAndGet();
        try (Connection c = server().postgres.getDatabase("supabase_admin", "postgres").getConnection(); Statement st = c.createStatement()) {
            st.execute("create database " + name + " template " + TestSupport.databaseName(url) + " owner postgres");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return url.substring(0, url.lastIndexOf('/') + 1) + name;
    }

    /** The platform's superuser (supabase_admin) on a project, for setting up and checking by plain SQL. */
    static Connection platform(String url) throws SQLException {
        return server().postgres.getDatabase("supabase_admin", TestSupport.databaseName(url)).getConnection();
    }

    /** The operator's own session (postgres, with its password), as the kit opens it. */
    static Connection operator(String url) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://localhost:" + server().port() + "/" + TestSupport.databaseName(url), "postgres", password);
    }

    /** {@link TestSupport#fingerprint}, read by the platform's superuser. */
    static String fingerprint(String url) {
        try (Connection c = platform(url)) {
            return TestSupport.fingerprint(c);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> rows(String url, String sql) {
        try (Connection c = platform(url)) {
            return TestSupport.rows(c, sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static String one(String url, String sql) {
        List<String> r = rows(url, sql);
        return r.isEmpty() ? null : r.get(0);
    }

    /** Runs SQL as the operator (postgres), as someone at the SQL editor would. */
    static void asOperator(String url, String sql) {
        try (Connection c = operator(url); var st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A script run in-process, as TestSupport.run, checking that postgres's password never shows either. */
    static TestSupport.Result run(Cli command, Map<String, String> env, String... args) {
        TestSupport.Result r = TestSupport.run(command, env, args);
        assertFalse(r.all().contains(password), "output contains postgres's password:\n" + r.all());
        return r;
    }

    private SupabaseShape() {}
}
