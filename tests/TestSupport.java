import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** One embedded PostgreSQL for the whole run, a fresh database per test, and the scripts run in-process. */
final class TestSupport {
    static final String ADMIN_EMAIL = "ops@revenuecouncil.example";
    static final String ADMIN_PASSWORD = "Tr1ckle-Down-Quill-88";

    private static EmbeddedServer server;
    private static final AtomicInteger databases = new AtomicInteger();

    static synchronized EmbeddedServer server() {
        if (server == null) {
            try {
                server = EmbeddedServer.start(17, null, true);
            } catch (IOException | SQLException e) {
                throw new IllegalStateException("could not start the embedded PostgreSQL", e);
            }
        }
        return server;
    }

    static synchronized void shutdown() {
        if (server != null) {
            try {
                server.close();
            } catch (IOException ignored) {
                // the run is over
            }
        }
    }

    /** A new, empty database; returns its URL (with the login role's password). */
    static String freshDatabase() {
        try {
            return server().createDatabase("t" + databases.incrementAndGet());
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static String databaseName(String url) {
        return url.substring(url.lastIndexOf('/') + 1);
    }

    /** The kit's folder: the one holding migrations/ (tests run from it or from tests/). */
    static Path kitDir() {
        Path here = Path.of("").toAbsolutePath();
        if (Files.isDirectory(here.resolve("migrations"))) return here;
        if (Files.isDirectory(here.getParent().resolve("migrations"))) return here.getParent();
        throw new IllegalStateException("run the tests from the kit's folder");
    }

    record Result(int code, String out, String err) {
        String all() { return out + err; }
    }

    /** Environment with no URL or admin variables from the machine running the tests. */
    static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>(System.getenv());
        for (String k : List.of("DIRECT_URL", "DATABASE_URL", "ADMIN_SEED_EMAIL", "ADMIN_SEED_PASSWORD")) env.remove(k);
        for (int i = 0; i < pairs.length; i += 2) env.put(pairs[i], pairs[i + 1]);
        return env;
    }

    /**
     * A login role of the test's own (roles are the whole cluster's: give each test its own name)
     * that may connect to the database of url and use and create in its public schema; returns url
     * as that role.
     */
    static String asNewRole(String url, String role, String password) {
        exec(url, "create role " + role + " login password '" + password + "'");
        exec(url, "grant connect on database " + databaseName(url) + " to " + role);
        exec(url, "grant usage, create on schema public to " + role);
        return url.replaceFirst("//[^@]*@", "//" + role + ":" + password + "@");
    }

    static Map<String, String> adminEnv(String url) {
        return env("DIRECT_URL", url, "ADMIN_SEED_EMAIL", ADMIN_EMAIL, "ADMIN_SEED_PASSWORD", ADMIN_PASSWORD);
    }

    /** Runs a script in-process; by default in the kit's folder (--dir). Checks no secret leaked. */
    static Result run(Cli command, Map<String, String> env, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        if (!all.contains("--dir") && !all.contains("--help") && !all.contains("--version")) {
            all.add("--dir");
            all.add(kitDir().toString());
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.run(command, env, new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
        Result r = new Result(code, out.toString(), err.toString());
        assertNoSecrets(r.all(), env);
        return r;
    }

    static void assertNoSecrets(String text, Map<String, String> env) {
        List<String> secrets = new ArrayList<>();
        if (server != null) secrets.add(server.password);
        if (env.get("ADMIN_SEED_PASSWORD") != null && env.get("ADMIN_SEED_PASSWORD").length() >= 6) secrets.add(env.get("ADMIN_SEED_PASSWORD"));
        for (String s : secrets) assertFalse(text.contains(s), "output contains a secret:\n" + text);
    }

    /** Rows of a query against the test database, as superuser, each row as "a|b|c". */
    static List<String> rows(String url, String sql) {
        try (Connection c = server().admin(databaseName(url))) {
            return rows(c, sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Rows of a query on an open connection, each row as "a|b|c". */
    static List<String> rows(Connection c, String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (var st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder sb = new StringBuilder();
                for (int i = 1; i <= n; i++) sb.append(i > 1 ? "|" : "").append(rs.getObject(i) instanceof Boolean b ? b.toString() : rs.getString(i));
                rows.add(sb.toString());
            }
        }
        return rows;
    }

    /** A copy of the kit with one more migration file. */
    static Path kitWith(String file, String sql) throws IOException {
        Path kit = kitCopy();
        Files.writeString(kit.resolve("migrations").resolve(file), sql);
        return kit;
    }

    static String one(String url, String sql) {
        List<String> r = rows(url, sql);
        return r.isEmpty() ? null : r.get(0);
    }

    /** Rows in Admin, FeatureFlag, PointConfig and EmailTemplate, as "a|f|p|e" (production seeds: 1|8|4|10). */
    static String seededCounts(String url) {
        return one(url, "select (select count(*) from \"Admin\"), (select count(*) from \"FeatureFlag\"), (select count(*) from \"PointConfig\"), (select count(*) from \"EmailTemplate\")");
    }

    static void exec(String url, String sql) {
        try (Connection c = server().admin(databaseName(url)); var st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** md5 of every table in public, to show that nothing changed. */
    static String fingerprint(String url) {
        StringBuilder sb = new StringBuilder();
        for (String table : rows(url, "select quote_ident(tablename) from pg_tables where schemaname = 'public' order by 1")) {
            sb.append(table).append('=').append(one(url, "select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from " + table + " t")).append(';');
        }
        return sb.toString();
    }

    /** A copy of the kit's migrations/ and seeds/ in a temp folder, to edit freely. */
    static Path kitCopy() {
        try {
            Path dir = Files.createTempDirectory("rc-dbkit-test-");
            copyTree(kitDir().resolve("migrations"), dir.resolve("migrations"));
            copyTree(kitDir().resolve("seeds"), dir.resolve("seeds"));
            return dir;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (var walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target);
            }
        }
    }

    static String migrated() {
        String url = freshDatabase();
        Result r = run(new migrate(), env("DIRECT_URL", url));
        if (r.code() != 0) throw new IllegalStateException("migrate failed: " + r.all());
        return url;
    }

    static String seeded() {
        String url = migrated();
        Result r = run(new seed(), adminEnv(url));
        if (r.code() != 0) throw new IllegalStateException("seed failed: " + r.all());
        return url;
    }

    /** A script run as an operator runs it: ./jbang in its own JVM, output in files. */
    record Proc(Process process, Path out, Path err) {
        String stdout() throws IOException { return Files.readString(out); }
        String stderr() throws IOException { return Files.readString(err); }
        String all() throws IOException { return stdout() + stderr(); }
        int waitFor() throws Exception {
            if (!process.waitFor(180, java.util.concurrent.TimeUnit.SECONDS)) throw new AssertionError("did not finish: " + all());
            return process.exitValue();
        }
    }

    static Proc launch(Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(kitDir().resolve("jbang").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(kitDir().toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Path out = Files.createTempFile("out", ".txt"), err = Files.createTempFile("err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        return new Proc(pb.start(), out, err);
    }

    private TestSupport() {}
}
