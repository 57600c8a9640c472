import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The password from any URL form and ADMIN_SEED_PASSWORD never show: not in output, --json, --verbose, errors, or a command line. */
class SecretTest {

    static void assertAbsent(String text, List<String> secrets, String where) {
        for (String s : secrets) {
            Figures.secretChecks.incrementAndGet();
            if (text.contains(s)) {
                Figures.secretsLeaked.incrementAndGet();
                throw new AssertionError("the secret appears in " + where + ":\n" + text);
            }
        }
    }

    @Test
    void noUrlFormLeaksItsPasswordOnAnyPath() throws Exception {
        // a login role whose password needs percent-encoding in a URL
        String url = TestSupport.migrated();
        String db = TestSupport.databaseName(url);
        String secret = "Sp3c!al@pa:ss/w%rd";
        String encoded = "Sp3c%21al%40pa%3Ass%2Fw%25rd";
        TestSupport.exec(url, "do $$ begin if not exists (select 1 from pg_roles where rolname = 'leaky') then create role leaky login superuser; end if; end $$; alter role leaky password '" + secret + "'");
        int port = TestSupport.server().port();
        List<String> secrets = List.of(secret, encoded, TestSupport.ADMIN_PASSWORD);
        List<String> forms = List.of(
                "postgresql://leaky:" + encoded + "@localhost:" + port + "/" + db,
                "postgres://leaky:" + encoded + "@localhost:" + port + "/" + db,
                "jdbc:postgresql://localhost:" + port + "/" + db + "?user=leaky&password=" + encoded,
                "postgresql://leaky:" + encoded + "@localhost:" + port + "/no_such_db",
                "postgresql://leaky:" + encoded + "@localhost:1/" + db,
                "postgresql://leaky:wrong" + encoded + "@localhost:" + port + "/" + db);
        for (String form : forms) {
            for (Cli command : List.of(new migrate(), new seed(), new status())) {
                for (List<String> flags : List.of(List.<String>of(), List.of("--json"), List.of("--verbose"), List.of("--verbose", "--json"))) {
                    Map<String, String> env = TestSupport.adminEnv(form);
                    TestSupport.Result r = TestSupport.run(command.getClass().getDeclaredConstructor().newInstance(), env, flags.toArray(String[]::new));
                    assertAbsent(r.out() + r.err(), secrets, command.getClass().getSimpleName() + " " + flags + " with " + form.replace(encoded, "****"));
                }
                // and given on the command line, where the kit warns about the process list
                TestSupport.Result viaUrl = TestSupport.run(command.getClass().getDeclaredConstructor().newInstance(), TestSupport.adminEnv(null), "--url", form);
                assertAbsent(viaUrl.out() + viaUrl.err(), secrets, "--url " + form.replace(encoded, "****"));
            }
        }
        assertEquals("leaky", TestSupport.one(url, "select rolname from pg_roles where rolname = 'leaky'"));
    }

    static final String FLAG = "{\"table\": \"FeatureFlag\", \"key\": [\"key\"], \"rows\": [{\"key\": \"leak\", %s}]}";

    @Test
    void theAdminPasswordInAColumnOfTheWrongTypeIsNamedNotQuoted() throws Exception {
        String url = TestSupport.migrated();
        Path kit = TestSupport.kitCopy();
        Files.writeString(kit.resolve("seeds/99_wrong.json"), String.format(FLAG, "\"enabled\": {\"$env\": \"ADMIN_SEED_PASSWORD\"}"));
        for (List<String> flags : List.of(List.<String>of(), List.of("--json"), List.of("--verbose"))) {
            List<String> args = new ArrayList<>(List.of("--dir", kit.toString(), "--only", "99_wrong"));
            args.addAll(flags);
            TestSupport.Result r = TestSupport.run(new seed(), TestSupport.adminEnv(url), args.toArray(String[]::new));
            assertEquals(2, r.code(), r.all());
            assertTrue(r.err().contains("expected true or false for boolean, got the value of ADMIN_SEED_PASSWORD"), r.err());
            assertAbsent(r.out() + r.err(), List.of(TestSupport.ADMIN_PASSWORD), "seed " + flags + " with the password in a boolean column");
        }
    }

    @Test
    void swappedAdminVariablesNeverShowThePassword() {
        String url = TestSupport.migrated();
        Map<String, String> swapped = TestSupport.env("DIRECT_URL", url, "ADMIN_SEED_EMAIL", TestSupport.ADMIN_PASSWORD, "ADMIN_SEED_PASSWORD", TestSupport.ADMIN_EMAIL);
        for (List<String> flags : List.of(List.<String>of(), List.of("--json"))) {
            TestSupport.Result r = TestSupport.run(new seed(), swapped, flags.toArray(String[]::new));
            assertEquals(2, r.code(), r.all());
            assertTrue(r.err().contains("the value of ADMIN_SEED_EMAIL is not an e-mail address (are ADMIN_SEED_EMAIL and ADMIN_SEED_PASSWORD swapped?)"), r.err());
            assertAbsent(r.out() + r.err(), List.of(TestSupport.ADMIN_PASSWORD), "seed " + flags + " with the admin variables swapped");
        }
        assertEquals("0", TestSupport.one(url, "select count(*) from \"Admin\""));
    }

    @Test
    void aSeedFileLinkedOutsideSeedsIsRefusedWithoutQuotingIt() throws Exception {
        String url = TestSupport.migrated();
        Path kit = TestSupport.kitCopy();
        Path outside = Files.createTempFile("outside", ".txt");
        Files.writeString(outside, "CanaryToken7Outside=hunter2\n");
        Files.createSymbolicLink(kit.resolve("seeds/99_link.json"), outside);
        for (Cli command : List.of(new seed(), new status())) {
            TestSupport.Result r = TestSupport.run(command, TestSupport.adminEnv(url), "--dir", kit.toString(), "--json");
            assertEquals(2, r.code(), r.all());
            // seed stops there; status reads on, the file a finding of its line (in its JSON here)
            assertTrue((command instanceof status ? r.out() : r.err()).contains("99_link.json is a link to a file outside the seeds folder"), r.all());
            assertAbsent(r.out() + r.err(), List.of("CanaryToken7Outside", "hunter2"), command.getClass().getSimpleName() + " with a seed file linked outside seeds/");
        }
    }

    @Test
    void aUrlThatDoesNotParseIsNeverEchoedInPart() throws Exception {
        // passwords with / or ? not percent-encoded, and a URL with no @ at all: no piece of them shows
        List<String> secrets = List.of("CanaryPw", "Secret9", "Canary?Pw", "CanaryPw9");
        List<String> forms = List.of(
                "postgresql://postgres:CanaryPw/Secret9@localhost:5432/db",
                "postgres://postgres:Canary?Pw/Secret9@localhost:5432/db",
                "postgresql://postgres:CanaryPw9");
        for (String form : forms) {
            for (Cli command : List.of(new migrate(), new seed(), new status())) {
                for (List<String> flags : List.of(List.<String>of(), List.of("--json"), List.of("--verbose", "--json"))) {
                    TestSupport.Result r = TestSupport.run(command.getClass().getDeclaredConstructor().newInstance(), TestSupport.adminEnv(form), flags.toArray(String[]::new));
                    assertEquals(2, r.code(), r.all());
                    assertAbsent(r.out() + r.err(), secrets, command.getClass().getSimpleName() + " " + flags + " with an unparseable URL");
                }
            }
        }
    }

    @Test
    void noSecretOnAnyCommandLineWhileTheScriptsRun() throws Exception {
        String url = TestSupport.migrated();
        Map<String, String> env = TestSupport.adminEnv(url);
        List<String> secrets = List.of(TestSupport.server().password, TestSupport.ADMIN_PASSWORD);
        for (String script : List.of("migrate.java", "seed.java", "status.java")) {
            TestSupport.Proc p = TestSupport.launch(env, script);
            int samples = 0;
            while (p.process().isAlive()) {
                List<ProcessHandle> family = new ArrayList<>();
                family.add(p.process().toHandle());
                p.process().toHandle().descendants().forEach(family::add);
                for (ProcessHandle h : family) {
                    Path cmdline = Path.of("/proc", String.valueOf(h.pid()), "cmdline");
                    try {
                        String text = new String(Files.readAllBytes(cmdline)).replace('\0', ' ');
                        assertAbsent(text, secrets, "the command line of " + script);
                        samples++;
                    } catch (java.io.IOException gone) {
                        // the process ended between listing and reading
                    }
                }
                Thread.sleep(20);
            }
            assertEquals(0, p.waitFor(), p.all());
            assertTrue(samples > 0, "no command line sampled for " + script);
            assertAbsent(p.all(), secrets, "the output of " + script);
        }
    }

    @Test
    void verifyNeverShowsItsGeneratedPassword() throws Exception {
        TestSupport.Proc p = TestSupport.launch(TestSupport.env(), "verify.java");
        assertEquals(0, p.waitFor(), p.all());
        String out = p.all();
        assertTrue(out.contains("with a generated password"), out);
        assertFalse(out.matches("(?s).*postgresql://kit:[^*].*"), out);
    }
}
