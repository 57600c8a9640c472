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
        certs = bundle.certificate(Files.createTempDirectory("bundle-certs-"));
        tls = EmbeddedServer.start(17, null, true, Map.of("ssl", "on",
                "ssl_cert_file", certs.resolve("server.crt").toString(), "ssl_key_file", certs.resolve("server.key").toString()));
        bundle.onlyTlsWithScram(tls);
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

    static Boolean namespaces;
    static final java.util.Set<Path> readOnlyByMode = new java.util.HashSet<>();

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

    @Test
    void migrateSeedAndStatusFromTheReadOnlyBundleDoAndSayWhatTheScriptsDoOverTlsWithScram() throws Exception {
        start();
        for (String tool : List.of("java", "jbang", "mvn")) assertFalse(Files.exists(noJavaPath.resolve(tool)), "the launchers' PATH holds " + tool);
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

        assertEquals(before, listing(bundleDir), "the bundle's folder changed (" + readOnlyHow() + ")");
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

        // a link to a launcher, run from another folder, finds its bundle and the bundle's .env
        Path elsewhere = Files.createTempDirectory("bundle-link-");
        Files.createSymbolicLink(elsewhere.resolve("rc-status"), bundleDir.resolve("bin/status"));
        reset(null);
        TestSupport.Result linked = exec(elsewhere, bareEnvironment(), List.of(elsewhere.resolve("rc-status").toString(), "--json"));
        assertEquals(1, linked.code(), linked.all());
        assertTrue(Console.JSON.readTree(linked.out()).get("target").get("source").asText().endsWith(bundleDir.resolve(".env").toString()), linked.out());
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

    /**
     * PostgreSQL's binaries come in the optional part: without it, the commands that start one say
     * so (exit 2); with it unpacked beside the bundle, migrate --rehearse and verify run on them.
     */
    @Test
    void withoutItsPostgresPartTheBundleSaysSoAndWithItRehearsesAndVerifies() throws Exception {
        start();
        reset(null);
        TestSupport.Result schema = bundleRun(bundleDir, "status", "--schema");
        assertEquals(2, schema.code(), schema.all());
        assertTrue(schema.err().contains("this bundle has no embedded PostgreSQL") && schema.err().contains("-postgres.tar.gz"), schema.all());
        TestSupport.Result rehearse = bundleRun(bundleDir, "migrate", "--rehearse");
        assertEquals(2, rehearse.code(), rehearse.all());

        Path full = unpack(built(), Files.createTempDirectory("bundle-full-"), true);
        Map<String, String> target = Map.of("DIRECT_URL", url("bundle") + "?sslmode=require");
        rehearse = bundleRun(full, target, "migrate", "--rehearse");
        assertEquals(0, rehearse.code(), rehearse.all());
        assertTrue(rehearse.out().contains("Rehearsal"), rehearse.out());
        TestSupport.Result verify = bundleRun(full, "verify");
        assertEquals(0, verify.code(), verify.all());
    }

    /**
     * deploy/Dockerfile, step by step, on this machine (no Docker engine here): ADD of the tarball
     * as tar xzf into a folder that stands for the image's /, RUN with that folder before its
     * absolute paths, WORKDIR, USER as setpriv (when root); then the one-shot service's command from
     * docs/deploying.md's compose file, with only the variables compose passes, and the image's CMD.
     */
    @Test
    void theDockerfilesStepsOnTheBundleMakeAnImageWhoseComposeServiceMigratesAndSeeds() throws Exception {
        start();
        Path root = Files.createTempDirectory("image-root-");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> vars = new LinkedHashMap<>();
        Path workdir = root;
        String user = null;
        List<String> cmd = null;
        String from = null;
        for (String instruction : dockerfile(TestSupport.kitDir().resolve("deploy/Dockerfile"))) {
            String keyword = instruction.substring(0, instruction.indexOf(' ')).toUpperCase(java.util.Locale.ROOT);
            String rest = expand(instruction.substring(instruction.indexOf(' ') + 1).strip(), vars);
            switch (keyword) {
                case "FROM" -> from = rest;
                case "ARG" -> vars.put(rest.substring(0, rest.indexOf('=')), rest.substring(rest.indexOf('=') + 1));
                case "ADD" -> {
                    String[] parts = rest.split("\\s+");
                    assertEquals(2, parts.length, instruction);
                    Path into = root.resolve(parts[1].substring(1));
                    Files.createDirectories(into);
                    assertTrue(parts[0].endsWith(".tar.gz"), "ADD of a tarball, which Docker unpacks: " + instruction);
                    assertEquals(0, exec(root, TestSupport.env(), List.of("tar", "xzf", built().out().resolve(parts[0]).toString(), "-C", into.toString())).code(), instruction);
                }
                case "RUN" -> {
                    TestSupport.Result r = sh(root, TestSupport.env(), rest.replaceAll("(^|\\s)/", "$1" + root + "/"));
                    assertEquals(0, r.code(), instruction + ":\n" + r.all());
                }
                case "WORKDIR" -> workdir = root.resolve(rest.substring(1));
                case "USER" -> user = rest;
                case "CMD" -> cmd = List.of(Console.JSON.readValue(rest, String[].class));
                default -> throw new AssertionError("BundleTest does not know how to run the Dockerfile's " + keyword + "; teach it, or keep the Dockerfile to FROM, ARG, ADD, RUN, WORKDIR, USER, CMD");
            }
        }
        assertTrue(from != null && from.startsWith("debian:") && !from.contains("alpine"), "a glibc base: " + from);
        assertTrue(Files.isExecutable(workdir.resolve("bin/migrate")), "WORKDIR holds the bundle: " + workdir);

        String command = composeCommand();
        admin("drop database if exists compose with (force)");
        admin("create database compose owner " + EmbeddedServer.USER);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", noJavaPath.toString());
        env.put("HOME", "/nonexistent");
        env.put("DIRECT_URL", url("compose") + "?sslmode=require");
        env.put("ADMIN_SEED_EMAIL", TestSupport.ADMIN_EMAIL);
        env.put("ADMIN_SEED_PASSWORD", TestSupport.ADMIN_PASSWORD);
        List<String> as = user != null && Tool.isRoot() ? List.of("setpriv", "--reuid=" + user, "--regid=nogroup", "--clear-groups") : List.of();
        List<String> service = new ArrayList<>(as);
        service.addAll(List.of("/bin/sh", "-c", command));
        TestSupport.Result r = exec(workdir, env, service);
        assertEquals(0, r.code(), "the compose service's command: " + command + "\n" + r.all());
        assertTrue(r.out().contains("Applied 4 migrations"), r.out());
        assertFalse(r.all().contains(tls.password) || r.all().contains(TestSupport.ADMIN_PASSWORD), r.all());
        try (Connection c = tls.admin("compose")) {
            assertEquals("1|8|4|10", TestSupport.rows(c, "select (select count(*) from \"Admin\"), (select count(*) from \"FeatureFlag\"), (select count(*) from \"PointConfig\"), (select count(*) from \"EmailTemplate\")").get(0));
        }
        List<String> image = new ArrayList<>(as);
        image.addAll(cmd);
        TestSupport.Result status = exec(workdir, env, image);
        assertEquals(0, status.code(), "the image's CMD " + cmd + ":\n" + status.all());
        assertTrue(status.out().contains("Database is up to date."), status.out());
    }

    /** The Dockerfile's instructions, continuation lines joined, comments left out. */
    static List<String> dockerfile(Path file) throws IOException {
        List<String> instructions = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String line : Files.readAllLines(file)) {
            if (line.strip().startsWith("#") || line.isBlank()) continue;
            if (line.endsWith("\\")) {
                cur.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            instructions.add(cur.append(line).toString().strip());
            cur.setLength(0);
        }
        return instructions;
    }

    static String expand(String text, Map<String, String> vars) {
        Matcher m = Pattern.compile("\\$\\{(\\w+)}|\\$(\\w+)").matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            m.appendReplacement(sb, Matcher.quoteReplacement(vars.getOrDefault(name, m.group())));
        }
        return m.appendTail(sb).toString();
    }

    /** The `command:` of the migrate service in docs/deploying.md's compose file, as compose's sh -c string. */
    static String composeCommand() throws IOException {
        String doc = Files.readString(TestSupport.kitDir().resolve("docs/deploying.md"));
        Matcher m = Pattern.compile("(?m)^\\s+command: sh -c \"(.*)\"\\s*$").matcher(doc);
        assertTrue(m.find(), "docs/deploying.md's compose file has a `command: sh -c \"...\"` line");
        return m.group(1);
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
