import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A test never reads the kit folder's .env or the caller's database variables, and never reaches a
 * database it did not create (DESIGN.md; issue 28: the suite once migrated the database in the
 * operator's .env). Proved with the suite's own tests: a database they must not touch, holding a
 * marker and logging every login; a copy of the kit whose .env points at it and an environment
 * whose DIRECT_URL and DATABASE_URL point at it; there, in a runner of their own started as a
 * background job of a script (so SIGINT is ignored, as under `nohup ... &`), the tests that run
 * the scripts through ./jbang, the two Ctrl-C tests, and an in-process one that gives no URL of
 * its own for the variables to fill in. Afterwards the database is as it was: public empty, the
 * marker intact, no login.
 */
class IsolationTest {
    /** Tests that would read the planted .env or variables if they could. */
    static final List<String> PLANTED_FOR = List.of(
            "LauncherTest#noUrlIsExit2AtTheShell",
            "LauncherTest#migrateSeedStatusThroughTheLauncher",
            "LauncherTest#anUnreachableDatabaseIsExit3AtTheShell",
            "LauncherTest#everyCatalogAliasBuildsAndAnswersHelp",
            "MigrateLockTest#ctrlCDuringAFlywayMigrationCancelsItOnTheServerFreesTheLockAndExits130",
            "MigrateLockTest#ctrlCDuringAPrismaMigrationSaysWhatWasAppliedAndExits130",
            "MigrateTest#refusesATransactionPoolerWithTheSessionModeUrl");

    static final String DOTENV_PASSWORD = "Planted-Dotenv-Pw-5521";
    static final String ENV_PASSWORD = "Planted-Env-Pw-8830";
    static final String ADMIN_PASSWORD = "Planted-Admin-Pw-3307";

    @Test
    void theSuitesTestsNeverTouchTheDatabaseInTheKitsDotenvOrTheCallersVariablesEvenAsABackgroundJob() throws Exception {
        String untouchable = untouchableDatabase();
        String fromDotenv = TestSupport.asNewRole(untouchable, "planted_dotenv", DOTENV_PASSWORD);
        String fromEnv = TestSupport.asNewRole(untouchable, "planted_env", ENV_PASSWORD);
        // the log sees these roles' logins: one now, then cleared
        DriverManager.getConnection(jdbc(fromDotenv), "planted_dotenv", DOTENV_PASSWORD).close();
        assertEquals(List.of("planted_dotenv"), TestSupport.rows(untouchable, "select role from guard.logins"));
        TestSupport.exec(untouchable, "delete from guard.logins");
        String before = TestSupport.fingerprint(untouchable);

        Path kit = TestSupport.copyKit(Files.createTempDirectory("rc-dbkit-planted-"));
        TestSupport.copyTree(TestSupport.kitDir().resolve("tests"), kit.resolve("tests"), "node_modules");
        Path dotenv = kit.resolve(".env");
        Files.writeString(dotenv, "DIRECT_URL=" + fromDotenv + "\nDATABASE_URL=" + fromDotenv + "\nADMIN_SEED_EMAIL=planted@example.com\nADMIN_SEED_PASSWORD=" + ADMIN_PASSWORD + "\n");
        Files.setPosixFilePermissions(dotenv, PosixFilePermissions.fromString("rw-------"));
        Map<String, String> env = TestSupport.env("DIRECT_URL", fromEnv, "DATABASE_URL", fromEnv,
                "ADMIN_SEED_EMAIL", "planted@example.com", "ADMIN_SEED_PASSWORD", ADMIN_PASSWORD);

        String out;
        try {
            out = runInTheBackground(kit, env, PLANTED_FOR);
        } finally {
            TestSupport.deleteTree(kit);
        }

        assertEquals(List.of(), TestSupport.rows(untouchable, "select role || ' (' || application || ')' from guard.logins"), "logins to the database the tests must not touch:\n" + out);
        assertEquals(List.of(), TestSupport.rows(untouchable, "select tablename from pg_tables where schemaname = 'public'"));
        assertEquals("the suite must not touch this database", TestSupport.one(untouchable, "select note from guard.marker"));
        assertEquals(before, TestSupport.fingerprint(untouchable));
        List<String> lines = out.lines().toList();
        assertEquals(PLANTED_FOR.size() + " passed, 0 failed", lines.get(lines.size() - 1), out);
        for (String secret : List.of(DOTENV_PASSWORD, ENV_PASSWORD, ADMIN_PASSWORD)) assertFalse(out.contains(secret), "a planted password was printed:\n" + out);
    }

    /**
     * An empty database (public holds nothing, as the did) with, in a schema of its own, a
     * marker row and a table where a login trigger writes every login but the superuser's checks.
     */
    static String untouchableDatabase() {
        String url = TestSupport.freshDatabase();
        TestSupport.exec(url, """
                create schema guard;
                create table guard.marker (note text);
                insert into guard.marker values ('the suite must not touch this database');
                create table guard.logins (role name, application text);
                create function guard.log_login() returns event_trigger language plpgsql security definer set search_path = guard as $$
                begin
                  if session_user <> 'postgres' then insert into guard.logins values (session_user, current_setting('application_name')); end if;
                end $$;
                create event trigger log_logins on login execute function guard.log_login();
                """);
        return url;
    }

    static String jdbc(String url) {
        return "jdbc:postgresql://" + url.substring(url.indexOf('@') + 1);
    }

    /**
     * The runner on these tests, in folder kit with environment env, started as a background job of
     * a script (POSIX: such a job ignores SIGINT, and so does every process it starts, unless one sets
     * it back); checks that the runner did inherit the ignored SIGINT; returns what it printed.
     */
    static String runInTheBackground(Path kit, Map<String, String> env, List<String> tests) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>(List.of("sh", "-c", "\"$@\" & wait $!", "sh", java, "-cp", System.getProperty("java.class.path"), "run"));
        command.addAll(tests);
        Path log = Files.createTempFile("planted-run-", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(kit.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Process sh = pb.start();
        Optional<ProcessHandle> runner = Optional.empty();
        for (int i = 0; i < 300 && runner.isEmpty() && sh.isAlive(); i++) {
            runner = sh.toHandle().children().filter(h -> h.info().command().orElse("").equals(java)).findFirst();
            if (runner.isEmpty()) Thread.sleep(100);
        }
        assertTrue(runner.isPresent(), "the runner did not start: " + Files.readString(log));
        assertTrue(ignoresSigint(runner.get().pid()), "the background runner does not ignore SIGINT, so this proves nothing about it");
        if (!sh.waitFor(10, TimeUnit.MINUTES)) {
            sh.destroyForcibly();
            runner.get().destroyForcibly();
            throw new AssertionError("the runner did not finish in 10 minutes:\n" + Files.readString(log));
        }
        return Files.readString(log);
    }

    /** Bit 2 (SIGINT) of the process's ignored-signal mask in /proc. */
    static boolean ignoresSigint(long pid) throws Exception {
        String ignored = Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status")).stream()
                .filter(l -> l.startsWith("SigIgn:")).findFirst().orElseThrow().substring("SigIgn:".length()).strip();
        return (Long.parseUnsignedLong(ignored, 16) & (1L << (2 - 1))) != 0;
    }
}
