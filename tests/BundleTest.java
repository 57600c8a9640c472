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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The bundle (bundle.java) where nothing else is installed. It is built once per run with
 * `./jbang bundle.java --out DIR`; its tarball is checked with sha256sum and unpacked, `.env` is put
 * beside it, and bin/migrate, bin/seed and bin/status run from the bundle's folder made read-only,
 * with a PATH that holds no java, jbang or mvn and a JAVA_HOME whose java must not run, against a
 * PostgreSQL that takes TLS with a SCRAM password only. Each run's exit code and output (timings
 * and dates aside) are the JBang path's: the same script in-process, on the same database state,
 * reading the same folder and .env.
 */
class BundleTest {
    static final String NAME = "rc-dbkit-" + KitVersion.NUMBER + "-linux-x64";
    static final Map<String, Supplier<Cli>> SCRIPTS = Map.of("migrate", migrate::new, "seed", seed::new, "status", status::new, "verify", verify::new);

    /** Where this run's bundle.java wrote the bundle, shared with DocsTest. */
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
                bundle.delete(out);
            } catch (IOException ignored) {
                // a temp folder; the run is over
            }
        }));
        Path log = out.resolve("bundle.log");
        Process p = new ProcessBuilder(TestSupport.kitDir().resolve("jbang").toString(), "bundle.java", "--out", out.toString())
                .directory(TestSupport.kitDir().toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
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
    static Path emptyPath;
    static Path poisonJavaHome;

    /** The server, the unpacked bundle with its .env, and the bare environment: made by the first test that needs them. */
    static synchronized void start() throws Exception {
        if (tls != null) return;
        certs = bundle.certificate(Files.createTempDirectory("bundle-certs-"));
        tls = EmbeddedServer.start(17, null, true, Map.of("ssl", "on",
                "ssl_cert_file", certs.resolve("server.crt").toString(), "ssl_key_file", certs.resolve("server.key").toString()));
        bundle.onlyTlsWithScram(tls);
        home = Files.createTempDirectory("bundle-home-");
        emptyPath = Files.createTempDirectory("bundle-path-");
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
        readOnly = ReadOnly.choose(bundleDir);
    }

    @AfterAll
    static void stop() throws Exception {
        if (tls != null) tls.close();
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

    static String counts() throws Exception {
        try (Connection c = tls.admin("bundle")) {
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

    /**
     * How the bundle's folder is read-only for a run: a read-only bind mount in a private mount
     * namespace when this run may make one (root on Linux), else chmod -R a-w, which holds for
     * every user but root.
     */
    record ReadOnly(List<String> prefix, String how) {
        static ReadOnly choose(Path dir) throws Exception {
            var unshare = Tool.onPath("unshare");
            var mount = Tool.onPath("mount");
            if (unshare.isPresent() && mount.isPresent()
                    && exec(dir, TestSupport.env(), List.of(unshare.get().toString(), "-m", "--propagation", "private", "true")).code() == 0) {
                return new ReadOnly(List.of(unshare.get().toString(), "-m", "--propagation", "private", "/bin/sh", "-c",
                        "\"$0\" --bind \"$1\" \"$1\" && \"$0\" -o remount,bind,ro \"$1\" && shift && exec \"$@\"", mount.get().toString(), dir.toString()),
                        "a read-only bind mount");
            }
            assertFalse(Tool.isRoot(), "this run is root and cannot make a mount namespace: chmod -R a-w would not stop root from writing");
            assertEquals(0, exec(dir, TestSupport.env(), List.of("chmod", "-R", "a-w", dir.toString())).code());
            return new ReadOnly(List.of(), "chmod -R a-w");
        }
    }

    static ReadOnly readOnly;

    /** What a server with nothing installed gives the launcher: no java, jbang or mvn on PATH; a JAVA_HOME whose java fails. */
    static Map<String, String> bareEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", emptyPath.toString());
        env.put("HOME", home.toString());
        env.put("LANG", "C.UTF-8");
        env.put("JAVA_HOME", poisonJavaHome.toString());
        return env;
    }

    /** bin/LAUNCHER ARGS from the read-only bundle folder (its working folder too), in the bare environment. */
    static TestSupport.Result bundleRun(Path dir, String launcher, String... args) throws Exception {
        List<String> command = new ArrayList<>(dir.equals(bundleDir) ? readOnly.prefix() : List.of());
        command.add("bin/" + launcher);
        command.addAll(List.of(args));
        TestSupport.Result r = exec(dir, bareEnvironment(), command);
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
                .replaceAll("\"(durationMs|elapsedMs|ms|seconds|millis)\"\\s*:\\s*[0-9.]+", "\"$1\": <n>");
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

    @Test
    void migrateSeedAndStatusFromTheReadOnlyBundleDoAndSayWhatTheScriptsDoOverTlsWithScram() throws Exception {
        start();
        assertTrue(Files.list(emptyPath).findAny().isEmpty(), "the launchers' PATH must hold nothing (no java, jbang, mvn)");
        Map<String, Long> before = listing(bundleDir);

        reset(null);
        snapshot("fresh");
        TestSupport.Result look = same("fresh", "status");
        assertEquals(1, look.code(), look.all());
        assertTrue(look.out().contains("4 pending"), look.out());

        same("fresh", "migrate", "--dry-run");
        TestSupport.Result migrate = same("fresh", "migrate");
        assertEquals(0, migrate.code(), migrate.all());
        assertTrue(migrate.out().contains("Applied 4 migrations"), migrate.out());
        snapshot("migrated");

        TestSupport.Result seed = same("migrated", "seed");
        assertEquals(0, seed.code(), seed.all());
        assertEquals("1|8|4|10", counts());
        snapshot("seeded");

        TestSupport.Result upToDate = same("seeded", "status");
        assertEquals(0, upToDate.code(), upToDate.all());
        assertTrue(upToDate.out().contains("Database is up to date."), upToDate.out());
        TestSupport.Result json = same("seeded", "status", "--json");
        assertTrue(Console.JSON.readTree(json.out()).get("target").get("ssl").asBoolean(), "status over TLS says ssl: true\n" + json.out());
        TestSupport.Result again = same("seeded", "seed");
        assertTrue(again.out().contains("nothing needed changing"), again.out());

        assertEquals(before, listing(bundleDir), "the bundle's folder changed (" + readOnly.how() + ")");
    }

    @Test
    void optionsErrorsAndExitCodesAreTheScripts() throws Exception {
        start();
        for (String script : SCRIPTS.keySet()) same(null, script, "--help");
        TestSupport.Result bad = same(null, "migrate", "--no-such-option");
        assertEquals(2, bad.code());
        TestSupport.Result wrong = same(null, "status", "--url", "postgresql://kit:not-the-password@localhost:" + tls.port() + "/bundle?sslmode=require");
        assertEquals(3, wrong.code(), wrong.all());
        TestSupport.Result noTls = same(null, "status", "--url", "postgresql://kit:" + "x" + "@localhost:" + tls.port() + "/bundle?sslmode=disable");
        assertEquals(3, noTls.code(), noTls.all());
    }

    @Test
    void versionNamesTheCommitTheBundleWasBuiltFromAsTheScriptsNameTheirCheckouts() throws Exception {
        start();
        String head = KitVersion.git(TestSupport.kitDir(), "rev-parse", "--short=12", "HEAD");
        boolean changes = !KitVersion.git(TestSupport.kitDir(), "status", "--porcelain").isEmpty();
        TestSupport.Result v = bundleRun(bundleDir, "status", "--version");
        assertEquals(0, v.code(), v.all());
        assertEquals("rc-dbkit " + KitVersion.NUMBER + ", commit " + head + (changes ? " with uncommitted changes" : "") + " (bundle " + NAME + " built "
                + java.time.LocalDate.now() + " on Java " + System.getProperty("java.version") + ")", v.out().strip());
        TestSupport.Result script = TestSupport.run(new status(), TestSupport.env(), "--version", "--dir", TestSupport.kitDir().toString());
        assertEquals("rc-dbkit " + KitVersion.NUMBER + ", commit " + head + (changes ? " with uncommitted changes" : "") + " (the git checkout at "
                + TestSupport.kitDir().toAbsolutePath().normalize() + ")", script.out().strip());
    }

    /** A script run by JBang names the commit of the checkout it reads (--dir), its uncommitted changes, or that there is none. */
    @Test
    void aScriptsVersionNamesTheCommitOfTheCheckoutItReadsOrSaysThereIsNone() throws Exception {
        Path repo = Files.createTempDirectory("version-checkout-");
        Map<String, String> env = TestSupport.env("GIT_CONFIG_NOSYSTEM", "1", "HOME", repo.toString());
        assertEquals(0, sh(repo, env, "git init -q && git -c user.email=ops@example.com -c user.name=ops commit -q --allow-empty -m first").code());
        String head = KitVersion.git(repo, "rev-parse", "--short=12", "HEAD");
        assertEquals(12, head.length());
        String expected = "rc-dbkit " + KitVersion.NUMBER + ", commit " + head;
        assertEquals(expected + " (the git checkout at " + repo + ")", TestSupport.run(new migrate(), TestSupport.env(), "--version", "--dir", repo.toString()).out().strip());
        Files.writeString(repo.resolve("V9__new.sql"), "select 1;\n");
        assertEquals(expected + " with uncommitted changes (the git checkout at " + repo + ")",
                TestSupport.run(new seed(), TestSupport.env(), "--dir", repo.toString(), "--version").out().strip());
        Path plain = Files.createTempDirectory("version-plain-");
        TestSupport.Result none = TestSupport.run(new status(), TestSupport.env(), "--version", "--dir", plain.toString());
        assertEquals(0, none.code());
        assertEquals("rc-dbkit " + KitVersion.NUMBER + ", unknown commit (" + plain + " is not in a git checkout)", none.out().strip());
    }

    /**
     * Two processes print the same target line: the URL's parameters in the order they were
     * written (Map.copyOf iterates in an order drawn anew by every JVM, so a bundle run and a
     * script run printed sslmode and sslrootcert in either order).
     */
    @Test
    void theTargetLineKeepsTheUrlsParametersInTheOrderWritten() {
        String query = "sslmode=require&connectTimeout=9&ApplicationName=x&tcpKeepAlive=true&loginTimeout=8&sslrootcert=/r.crt";
        assertEquals("postgresql://kit:****@db.example.com:5432/rc?" + query,
                DatabaseTarget.parse("postgresql://kit:pw@db.example.com:5432/rc?" + query, "DIRECT_URL", null).masked());
    }

    private static Map<String, Long> listing(Path dir) throws IOException {
        Map<String, Long> files = new java.util.TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.toList()) files.put(dir.relativize(p) + (Files.isDirectory(p) ? "/" : ""), Files.isDirectory(p) ? 0 : Files.size(p) ^ Files.getLastModifiedTime(p).toMillis());
        }
        return files;
    }
}
