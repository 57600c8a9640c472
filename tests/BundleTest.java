//SOURCES Bundled.java
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The bundle (bundle.java) where nothing else is installed, as {@link Bundled} builds, unpacks and
 * runs it: bin/migrate, bin/seed and bin/status from the bundle's folder made read-only, with a PATH
 * that holds no java, jbang or mvn and a JAVA_HOME whose java must not run, against a PostgreSQL
 * that takes TLS with a SCRAM password only. Each run's exit code and output (timings and dates
 * aside) are the JBang path's: the same script in-process, on the same database state, reading the
 * same folder and .env.
 */
class BundleTest {
    @AfterAll
    static void stop() throws Exception {
        Bundled.stop();
    }

    @Test
    void migrateSeedAndStatusFromTheReadOnlyBundleDoAndSayWhatTheScriptsDoOverTlsWithScram() throws Exception {
        Bundled.start();
        for (String tool : List.of("java", "jbang", "mvn")) assertFalse(Files.exists(Bundled.noJavaPath.resolve(tool)), "the launchers' PATH holds " + tool);
        Map<String, Long> before = Bundled.listing(Bundled.bundleDir);

        Bundled.reset(null);
        Bundled.snapshot("fresh");
        TestSupport.Result look = Bundled.same("fresh", "status");
        assertEquals(1, look.code(), look.all());
        assertTrue(look.out().contains("4 pending"), look.out());

        Bundled.same("fresh", "migrate", "--dry-run");
        TestSupport.Result migrate = Bundled.same("fresh", "migrate");
        assertEquals(0, migrate.code(), migrate.all());
        assertTrue(migrate.out().contains("Applied 4 migrations"), migrate.out());
        Bundled.snapshot("migrated");

        TestSupport.Result seed = Bundled.same("migrated", "seed");
        assertEquals(0, seed.code(), seed.all());
        assertEquals("1|8|4|10", Bundled.counts("bundle"));
        Bundled.snapshot("seeded");

        TestSupport.Result upToDate = Bundled.same("seeded", "status");
        assertEquals(0, upToDate.code(), upToDate.all());
        assertTrue(upToDate.out().contains("Database is up to date."), upToDate.out());
        TestSupport.Result json = Bundled.same("seeded", "status", "--json");
        assertTrue(Console.JSON.readTree(json.out()).get("target").get("ssl").asBoolean(), "status over TLS says ssl: true\n" + json.out());
        TestSupport.Result again = Bundled.same("seeded", "seed");
        assertTrue(again.out().contains("nothing needed changing"), again.out());

        assertEquals(before, Bundled.listing(Bundled.bundleDir), "the bundle's folder changed (" + Bundled.readOnlyHow() + ")");
    }

    @Test
    void optionsErrorsAndExitCodesAreTheScripts() throws Exception {
        Bundled.start();
        for (String script : Bundled.SCRIPTS.keySet()) Bundled.same(null, script, "--help");
        TestSupport.Result bad = Bundled.same(null, "migrate", "--no-such-option");
        assertEquals(2, bad.code());
        TestSupport.Result wrong = Bundled.same(null, "status", "--url", "postgresql://kit:not-the-password@localhost:" + Bundled.tls.port() + "/bundle?sslmode=require");
        assertEquals(3, wrong.code(), wrong.all());
        TestSupport.Result noTls = Bundled.same(null, "status", "--url", "postgresql://kit:" + "x" + "@localhost:" + Bundled.tls.port() + "/bundle?sslmode=disable");
        assertEquals(3, noTls.code(), noTls.all());

        // a link to a launcher, run from another folder, finds its bundle and the bundle's .env
        Path elsewhere = Files.createTempDirectory("bundle-link-");
        Files.createSymbolicLink(elsewhere.resolve("rc-status"), Bundled.bundleDir.resolve("bin/status"));
        Bundled.reset(null);
        TestSupport.Result linked = Bundled.exec(elsewhere, Bundled.bareEnvironment(), List.of(elsewhere.resolve("rc-status").toString(), "--json"));
        assertEquals(1, linked.code(), linked.all());
        assertTrue(Console.JSON.readTree(linked.out()).get("target").get("source").asText().endsWith(Bundled.bundleDir.resolve(".env").toString()), linked.out());
    }

    @Test
    void versionNamesTheCommitTheBundleWasBuiltFromAsTheScriptsNameTheirCheckouts() throws Exception {
        Bundled.start();
        String head = KitVersion.git(TestSupport.kitDir(), "rev-parse", "--short=12", "HEAD");
        boolean changes = !KitVersion.git(TestSupport.kitDir(), "status", "--porcelain").isEmpty();
        TestSupport.Result v = Bundled.bundleRun(Bundled.bundleDir, "status", "--version");
        assertEquals(0, v.code(), v.all());
        assertEquals("rc-dbkit " + KitVersion.NUMBER + ", commit " + head + (changes ? " with uncommitted changes" : "") + " (bundle " + Bundled.NAME + " built "
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
        Bundled.start();
        Bundled.reset(null);
        TestSupport.Result schema = Bundled.bundleRun(Bundled.bundleDir, "status", "--schema");
        assertEquals(2, schema.code(), schema.all());
        assertTrue(schema.err().contains("this bundle has no embedded PostgreSQL") && schema.err().contains("-postgres.tar.gz"), schema.all());
        TestSupport.Result rehearse = Bundled.bundleRun(Bundled.bundleDir, "migrate", "--rehearse");
        assertEquals(2, rehearse.code(), rehearse.all());

        Path full = Bundled.unpack(Bundled.built(), Files.createTempDirectory("bundle-full-"), true);
        Map<String, String> target = Map.of("DIRECT_URL", Bundled.url("bundle") + "?sslmode=require");
        rehearse = Bundled.bundleRun(full, target, "migrate", "--rehearse");
        assertEquals(0, rehearse.code(), rehearse.all());
        assertTrue(rehearse.out().contains("Rehearsal"), rehearse.out());
        TestSupport.Result verify = Bundled.bundleRun(full, "verify");
        assertEquals(0, verify.code(), verify.all());
    }

    /** A script run by JBang names the commit of the checkout it reads (--dir), its uncommitted changes, or that there is none. */
    @Test
    void aScriptsVersionNamesTheCommitOfTheCheckoutItReadsOrSaysThereIsNone() throws Exception {
        Path repo = Files.createTempDirectory("version-checkout-");
        Map<String, String> env = TestSupport.env("GIT_CONFIG_NOSYSTEM", "1", "HOME", repo.toString());
        assertEquals(0, Bundled.sh(repo, env, "git init -q && git -c user.email=ops@example.com -c user.name=ops commit -q --allow-empty -m first").code());
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
}
