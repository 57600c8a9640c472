import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;

/** A real PgBouncer in transaction pool mode on loopback, in front of the embedded PostgreSQL. */
final class PgBouncer implements AutoCloseable {
    final int port;
    private final Process process;
    private final Path dir;

    private PgBouncer(int port, Process process, Path dir) {
        this.port = port;
        this.process = process;
        this.dir = dir;
    }

    static Path binary() {
        return Tool.pgbouncer().orElseThrow(() -> new IllegalStateException(Tool.PGBOUNCER.missingSentence(Tool.Machine.current())));
    }

    static PgBouncer start(EmbeddedServer server) throws IOException, InterruptedException {
        int port;
        try (var s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path dir = Files.createTempDirectory("pgbouncer-");
        Files.writeString(dir.resolve("pgbouncer.ini"), String.join("\n",
                "[databases]",
                "* = host=127.0.0.1 port=" + server.port(),
                "[pgbouncer]",
                "listen_addr = 127.0.0.1",
                "listen_port = " + port,
                "unix_socket_dir =",
                "auth_type = scram-sha-256",
                "auth_file = " + dir.resolve("userlist.txt"),
                "pool_mode = transaction",
                "default_pool_size = 4",
                "max_client_conn = 200",
                "ignore_startup_parameters = extra_float_digits",
                ""));
        Files.writeString(dir.resolve("userlist.txt"), "\"" + EmbeddedServer.USER + "\" \"" + server.password + "\"\n");
        String user = null;
        if ("root".equals(System.getProperty("user.name"))) {
            // PgBouncer will not run as root; it drops to another user, who must read its files.
            user = userExists("postgres") ? "postgres" : "nobody";
            UserPrincipal owner = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(user);
            for (Path p : new Path[] {dir, dir.resolve("pgbouncer.ini"), dir.resolve("userlist.txt")}) Files.setOwner(p, owner);
        }
        Files.setPosixFilePermissions(dir.resolve("userlist.txt"), PosixFilePermissions.fromString("rw-------"));
        ProcessBuilder pb = user == null
                ? new ProcessBuilder(binary().toString(), dir.resolve("pgbouncer.ini").toString())
                : new ProcessBuilder(binary().toString(), "-u", user, dir.resolve("pgbouncer.ini").toString());
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile());
        Process process = pb.start();
        for (int i = 0; i < 100; i++) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return new PgBouncer(port, process, dir);
            } catch (IOException notYet) {
                if (!process.isAlive()) throw new IllegalStateException("pgbouncer exited: " + Files.readString(dir.resolve("log")));
                Thread.sleep(50);
            }
        }
        process.destroy();
        throw new IllegalStateException("pgbouncer did not start: " + Files.readString(dir.resolve("log")));
    }

    private static boolean userExists(String name) throws IOException {
        return Files.readAllLines(Path.of("/etc/passwd")).stream().anyMatch(l -> l.startsWith(name + ":"));
    }

    /** The same database, reached through the pooler (no pgbouncer=true, no port 6543: it must be found from the server side). */
    String url(String directUrl) {
        return directUrl.replaceFirst(":\\d+/", ":" + port + "/");
    }

    String log() throws IOException {
        return Files.readString(dir.resolve("log"));
    }

    @Override
    public void close() {
        process.destroy();
    }
}
