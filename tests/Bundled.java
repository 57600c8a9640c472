//SOURCES ../bundle.java
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The bundle as the tests use it (BundleTest, BundleImageTest, DocsTest): built once per run with `./jbang
 * bundle.java --out DIR`, unpacked after sha256sum -c as an operator does, and run from its
 * folder made read-only, with a PATH that holds no java, jbang or mvn and a JAVA_HOME whose java
 * must not run, against a PostgreSQL that takes TLS with a SCRAM password only; beside it, the same
 * script in-process on the same database state, reading the same folder and .env.
 */
final class Bundled {
    static final String NAME = "rc-dbkit-" + KitVersion.NUMBER + "-linux-x64";
    static final Map<String, Supplier<Cli>> SCRIPTS = Map.of("migrate", migrate::new, "seed", seed::new, "status", status::new, "verify", verify::new);

    /** Where this run's bundle.java wrote the bundle. */
    record Built(Path out) {
        Path tarball() { return out.resolve(NAME + ".tar.gz"); }
        Path postgresPart() { return out.resolve(NAME + "-postgres.tar.gz"); }
    }

    private static Built built;

    /** `./jbang bundle.java --out DIR`, once per run (a few minutes: four JBang builds, jlink, the class-data archives). */
    static synchronized Built built() throws Exception {
        if (built != null) return built;
        Path out = Files.createTempDirectory("rc-dbkit-dist-");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                BundleFiles.delete(out);
            } catch (IOException ignored) {
                // a temp folder; the run is over
            }
        }));
        Path log = out.resolve("bundle.log");
        ProcessBuilder pb = new ProcessBuilder(TestSupport.kitDir().resolve("jbang").toString(), "bundle.java", "--out", out.toString())
                .directory(TestSupport.kitDir().toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().clear();
        pb.environment().putAll(TestSupport.env());
        Process p = pb.start();
        if (!p.waitFor(30, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("bundle.java did not finish in 30 minutes:\n" + Files.readString(log));
        }
        assertEquals(0, p.exitValue(), "./jbang bundle.java --out " + out + ":\n" + Files.readString(log));
        built = new Built(out);
        return built;
    }

    // ---- a PostgreSQL that takes TLS with a SCRAM password only ---------------------------------

    static EmbeddedServer tls;
    static Path certs;
    static Path bundleDir;
    static Path home;
    static Path noJavaPath;
    static Path poisonJavaHome;

    /** The server, the unpacked bundle with its .env, and the bare environment: made by the first test that needs them. */
    static synchronized void start() throws Exception {
        if (tls != null) return;
        certs = Files.createTempDirectory("bundle-certs-");
        tls = BundleTlsServer.start(certs);
        home = Files.createTempDirectory("bundle-home-");
        noJavaPath = noJavaPath(Files.createTempDirectory("bundle-path-"));
        poisonJavaHome = Files.createTempDirectory("bundle-java-home-");
        Files.createDirectories(poisonJavaHome.resolve("bin"));
        Path java = poisonJavaHome.resolve("bin/java");
        Files.writeString(java, "#!/bin/sh\necho \"error: JAVA_HOME's java ran; the bundle must use its own runtime\" >&2\nexit 97\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        bundleDir = unpack(built(), Files.createTempDirectory("bundle-server-"), false);
        Files.writeString(bundleDir.resolve(".env"), String.join("\n",
                "DIRECT_URL=" + url("bundle") + "?sslmode=verify-full&sslrootcert=" + certs.resolve("server.crt"),
                "ADMIN_SEED_EMAIL=" + TestSupport.ADMIN_EMAIL,
                "ADMIN_SEED_PASSWORD=" + TestSupport.ADMIN_PASSWORD, ""));
        Files.setPosixFilePermissions(bundleDir.resolve(".env"), PosixFilePermissions.fromString("rw-------"));
    }

    /** Stops the server; the next start() (another test class) makes a new one and unpacks the bundle again. */
    static synchronized void stop() throws Exception {
        if (tls != null) tls.close();
        tls = null;
    }

    /**
     * A server's PATH without Java: a folder of links to the system's commands (zonky runs initdb
     * through unshare when root, say), leaving out java, jbang, mvn and everything of a JDK or Maven.
     */
    static Path noJavaPath(Path dir) throws IOException {
        for (String from : List.of("/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
            if (!Files.isDirectory(Path.of(from))) continue;
            try (Stream<Path> list = Files.list(Path.of(from))) {
                for (Path p : list.toList()) {
                    String name = p.getFileName().toString();
                    if (Files.exists(dir.resolve(name)) || !Files.isExecutable(p) || Files.isDirectory(p)) continue;
                    String real = p.toRealPath().toString();
                    if (name.equals("java") || name.equals("jbang") || name.startsWith("mvn") || real.contains("/jvm/") || real.contains("maven")) continue;
                    Files.createSymbolicLink(dir.resolve(name), p.toRealPath());
                }
            }
        }
        return dir;
    }

    static String url(String database) {
        return "postgresql://" + EmbeddedServer.USER + ":" + tls.password + "@localhost:" + tls.port() + "/" + database;
    }

    static void admin(String sql) throws Exception {
        try (Connection c = tls.admin("postgres"); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** The database `bundle` as the snapshot `from` holds it (a fresh one when from is null). */
    static void reset(String from) throws Exception {
        admin("drop database if exists bundle with (force)");
        admin("create database bundle owner " + EmbeddedServer.USER + (from == null ? "" : " template " + from));
    }

    static void snapshot(String as) throws Exception {
        admin("drop database if exists " + as);
        admin("create database " + as + " owner " + EmbeddedServer.USER + " template bundle");
    }

    /** Admin, feature flags, point configs and e-mail templates in `database`: "1|8|4|10" once seeded. */
    static String counts(String database) throws Exception {
        try (Connection c = tls.admin(database)) {
            return TestSupport.rows(c, "select (select count(*) from \"Admin\"), (select count(*) from \"FeatureFlag\"), (select count(*) from \"PointConfig\"), (select count(*) from \"EmailTemplate\")").get(0);
        }
    }

    // ---- the bundle as an operator unpacks it and runs it -----------------------------------------

    /** As docs/deploying.md says: the tarball (and its .sha256) in a folder, sha256sum -c, tar xzf; returns the bundle's folder. */
    static Path unpack(Built b, Path into, boolean withPostgres) throws Exception {
        List<Path> parts = withPostgres ? List.of(b.tarball(), b.postgresPart()) : List.of(b.tarball());
        StringBuilder script = new StringBuilder();
        for (Path part : parts) {
            Files.copy(part, into.resolve(part.getFileName()));
            Files.copy(Path.of(part + ".sha256"), into.resolve(part.getFileName() + ".sha256"));
            script.append("sha256sum -c ").append(part.getFileName()).append(".sha256 && tar xzf ").append(part.getFileName()).append(" && ");
        }
        TestSupport.Result r = sh(into, TestSupport.env(), script.append("true").toString());
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains(NAME + ".tar.gz: OK"), r.out());
        return into.resolve(NAME);
    }

    static TestSupport.Result sh(Path dir, Map<String, String> env, String script) throws Exception {
        return exec(dir, env, List.of("sh", "-c", script));
    }

    static TestSupport.Result exec(Path dir, Map<String, String> env, List<String> command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Path out = Files.createTempFile("out", ".txt"), err = Files.createTempFile("err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("did not finish in 5 minutes: " + command + "\n" + Files.readString(out) + Files.readString(err));
        }
        TestSupport.Result r = new TestSupport.Result(p.exitValue(), Files.readString(out), Files.readString(err));
        Files.delete(out);
        Files.delete(err);
        return r;
    }

    private static Boolean namespaces;
    private static final Set<Path> readOnlyByMode = new HashSet<>();

    /**
     * How a bundle's folder is read-only for a run: a read-only bind mount in a private mount
     * namespace when this run may make one (root on Linux), else chmod -R a-w, which holds for
     * every user but root. Returns the command prefix that runs a command so.
     */
    static synchronized List<String> readOnly(Path dir) throws Exception {
        if (namespaces == null) {
            var unshare = Tool.onPath("unshare");
            namespaces = unshare.isPresent() && Tool.onPath("mount").isPresent()
                    && exec(dir, TestSupport.env(), List.of(unshare.get().toString(), "-m", "--propagation", "private", "true")).code() == 0;
        }
        if (namespaces) {
            return List.of(Tool.onPath("unshare").get().toString(), "-m", "--propagation", "private", "/bin/sh", "-c",
                    "\"$0\" --bind \"$1\" \"$1\" && \"$0\" -o remount,bind,ro \"$1\" && shift && exec \"$@\"", Tool.onPath("mount").get().toString(), dir.toString());
        }
        assertFalse(Tool.isRoot(), "this run is root and cannot make a mount namespace: chmod -R a-w would not stop root from writing");
        if (readOnlyByMode.add(dir)) assertEquals(0, exec(dir, TestSupport.env(), List.of("chmod", "-R", "a-w", dir.toString())).code());
        return List.of();
    }

    static String readOnlyHow() {
        return Boolean.TRUE.equals(namespaces) ? "a read-only bind mount" : "chmod -R a-w";
    }

    /** What a server with nothing installed gives the launcher: no java, jbang or mvn on PATH; a JAVA_HOME whose java fails. */
    static Map<String, String> bareEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", noJavaPath.toString());
        env.put("HOME", home.toString());
        env.put("LANG", "C.UTF-8");
        env.put("JAVA_HOME", poisonJavaHome.toString());
        return env;
    }

    /** bin/LAUNCHER ARGS from the read-only bundle folder (its working folder too), in the bare environment and more. */
    static TestSupport.Result bundleRun(Path dir, String launcher, String... args) throws Exception {
        return bundleRun(dir, Map.of(), launcher, args);
    }

    static TestSupport.Result bundleRun(Path dir, Map<String, String> more, String launcher, String... args) throws Exception {
        List<String> command = new ArrayList<>(readOnly(dir));
        command.add("bin/" + launcher);
        command.addAll(List.of(args));
        Map<String, String> env = bareEnvironment();
        env.putAll(more);
        TestSupport.Result r = exec(dir, env, command);
        assertFalse(r.all().contains(tls.password), "the bundle printed the database password:\n" + r.all());
        assertFalse(r.all().contains(TestSupport.ADMIN_PASSWORD), "the bundle printed the admin password:\n" + r.all());
        return r;
    }

    /** The same script in-process, reading the same folder (and its .env), as the JBang path does with --dir. */
    static TestSupport.Result scriptRun(String script, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        if (!all.contains("--help") && !all.contains("--version")) all.addAll(List.of("--dir", bundleDir.toString()));
        TestSupport.Result r = TestSupport.run(SCRIPTS.get(script).get(), TestSupport.env(), all.toArray(String[]::new));
        assertFalse(r.all().contains(tls.password), r.all());
        return r;
    }

    /** Timings and clock times differ between two runs; nothing else may. */
    static String normal(String text) {
        return text.replaceAll("\\d{4}-\\d\\d-\\d\\d[ T]\\d\\d:\\d\\d(:\\d\\d(\\.\\d+)?)?Z?", "<time>")
                .replaceAll("\\d+(\\.\\d+)? ?(ms|s)\\b", "<duration>")
                .replaceAll("\"(\\w*(Ms|Millis|Seconds))\"\\s*:\\s*[0-9.]+", "\"$1\": <n>");
    }

    /** Runs the launcher and the script from the same database state (snapshot `from`); both must say the same. */
    static TestSupport.Result same(String from, String script, String... args) throws Exception {
        reset(from);
        TestSupport.Result viaBundle = bundleRun(bundleDir, script, args);
        reset(from);
        TestSupport.Result viaScript = scriptRun(script, args);
        String what = "bin/" + script + " " + String.join(" ", args) + " against " + script + ".java";
        assertEquals(viaScript.code(), viaBundle.code(), what + ": exit codes\n--- bundle:\n" + viaBundle.all() + "\n--- script:\n" + viaScript.all());
        assertEquals(normal(viaScript.out()), normal(viaBundle.out()), what + ": stdout");
        assertEquals(normal(viaScript.err()), normal(viaBundle.err()), what + ": stderr");
        return viaBundle;
    }

    /** Every file and folder under dir, with its size and modification time. */
    static Map<String, Long> listing(Path dir) throws IOException {
        Map<String, Long> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.toList()) files.put(dir.relativize(p) + (Files.isDirectory(p) ? "/" : ""), Files.isDirectory(p) ? 0 : Files.size(p) ^ Files.getLastModifiedTime(p).toMillis());
        }
        return files;
    }

    private Bundled() {}
}
