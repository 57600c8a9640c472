import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A cluster of the tests' own on the machine's PostgreSQL 15 (Debian's postgresql-15, {@link Tool#POSTGRESQL_15}):
 * initdb and pg_ctl into a temp folder, every login with a password (SCRAM), on 127.0.0.1 and a
 * private socket folder; run as the operating system's postgres user when the tests run as root
 * (PostgreSQL refuses to run as root). It has what the kit's embedded PostgreSQL lacks: the
 * extension {@value #EXTENSION}, whose .control and .sql files the tests install, as root, into its
 * share folder. Stopped and removed when the JVM ends.
 */
record Postgres15(Path folder, int port, String password) {
    static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    static final String EXTENSION = "kit_probe";
    static final String CONTROL = """
            comment = 'rc-dbkit tests: an extension the kit''s embedded PostgreSQL does not have'
            default_version = '1.0'
            relocatable = true
            trusted = true
            """;
    static final String SCRIPT = """
            \\echo Use "CREATE EXTENSION kit_probe" to load this file. \\quit
            CREATE DOMAIN probe_vector AS real[];
            CREATE FUNCTION probe_norm(probe_vector) RETURNS real LANGUAGE sql IMMUTABLE AS $$ SELECT sqrt(sum(x * x))::real FROM unnest($1) x $$;
            """;

    private static Postgres15 running;

    /** The cluster, started once for the run (the extension installed first), or the test skipped with what would enable it. */
    static synchronized Postgres15 get() throws Exception {
        if (running == null) {
            installExtension();
            running = start();
            Runtime.getRuntime().addShutdownHook(new Thread(running::stop));
        }
        return running;
    }

    private static void installExtension() throws IOException, InterruptedException {
        Path share = Path.of(run(List.of(BIN.resolve("pg_config").toString(), "--sharedir")).strip()).resolve("extension");
        Path control = share.resolve(EXTENSION + ".control"), script = share.resolve(EXTENSION + "--1.0.sql");
        if (Files.isRegularFile(control) && Files.readString(control).equals(CONTROL) && Files.isRegularFile(script) && Files.readString(script).equals(SCRIPT)) return;
        Assumptions.assumeTrue(Files.isWritable(share), "the extension " + EXTENSION + " is installed into " + share + " by a run as root; to run these tests as another user,"
                + " copy its two files there (tests/Postgres15.java holds them) with sudo");
        Files.writeString(control, CONTROL);
        Files.writeString(script, SCRIPT);
    }

    private static Postgres15 start() throws IOException, InterruptedException {
        Path folder = Files.createTempDirectory("rc-dbkit-pg15-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(new SecureRandom().generateSeed(18));
        Path pwfile = folder.resolve("pwfile");
        Files.writeString(pwfile, password + "\n");
        if (Tool.isRoot()) {
            UserPrincipal postgres = folder.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
            Files.setOwner(folder, postgres);
            Files.setOwner(pwfile, postgres);
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path data = folder.resolve("data");
        run(asServerUser(List.of(BIN.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres", "--pwfile=" + pwfile, "--auth=scram-sha-256", "-E", "UTF-8")));
        Files.delete(pwfile);
        run(asServerUser(List.of(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", folder.resolve("log").toString(), "-w", "-t", "60",
                "-o", "-p " + port + " -k " + folder + " -c listen_addresses=127.0.0.1 -c fsync=off", "start")));
        return new Postgres15(folder, port, password);
    }

    /** PostgreSQL will not run as root: as the postgres user then (runuser, util-linux). */
    private static List<String> asServerUser(List<String> command) {
        if (!Tool.isRoot()) return command;
        List<String> as = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        as.addAll(command);
        return as;
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) throw new IOException(String.join(" ", command) + " failed: " + out);
        return out;
    }

    private void stop() {
        try {
            run(asServerUser(List.of(BIN.resolve("pg_ctl").toString(), "-D", folder.resolve("data").toString(), "-m", "fast", "-w", "-t", "30", "stop")));
        } catch (IOException | InterruptedException ignored) {
            // removed below either way
        }
        TestSupport.deleteTree(folder);
    }

    /** The URL of a database there as `user`, with its password. */
    String url(String user, String userPassword, String database) {
        return "postgresql://" + user + ":" + userPassword + "@127.0.0.1:" + port + "/" + database;
    }

    /** A new database, owned by the superuser; its URL as the superuser. */
    String freshDatabase(String name) throws SQLException {
        exec("postgres", "create database " + name);
        return url("postgres", password, name);
    }

    Connection superuser(String database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, "postgres", password);
    }

    void exec(String database, String sql) throws SQLException {
        try (Connection c = superuser(database); var st = c.createStatement()) {
            st.execute(sql);
        }
    }

    List<String> rows(String database, String sql) throws SQLException {
        try (Connection c = superuser(database)) {
            return TestSupport.rows(c, sql);
        }
    }
}
