import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Finding the database: URL forms, Prisma parameters, masking, precedence, the empty-variable rule. */
class UrlTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            postgresql://app:s3cret@db.example.com:5433/main            | db.example.com | 5433 | main     | app            | s3cret   | postgresql://app:****@db.example.com:5433/main
            postgres://app:s3cret@db.example.com/main                   | db.example.com | 5432 | main     | app            | s3cret   | postgresql://app:****@db.example.com:5432/main
            postgresql://app:p%40ss%3Aw%2Frd%2B@h:5432/d                | h              | 5432 | d        | app            | p@ss:w/rd+ | postgresql://app:****@h:5432/d
            postgresql://us%65r:pa+ss@h/d                               | h              | 5432 | d        | user           | pa+ss    | postgresql://user:****@h:5432/d
            jdbc:postgresql://h:6000/d?user=u&password=pw&sslmode=require | h            | 6000 | d        | u              | pw       | postgresql://u:****@h:6000/d?sslmode=require
            postgresql://u@[::1]:5432/d                                 | ::1            | 5432 | d        | u              |          | postgresql://u@[::1]:5432/d
            postgresql://postgres.abcd:pw@aws-0-eu-west-1.pooler.supabase.com:6543/postgres?pgbouncer=true&connection_limit=1 | aws-0-eu-west-1.pooler.supabase.com | 6543 | postgres | postgres.abcd | pw | postgresql://postgres.abcd:****@aws-0-eu-west-1.pooler.supabase.com:6543/postgres
            postgresql://u:pw@h:5432/d?schema=app&pool_timeout=10       | h              | 5432 | d        | u              | pw       | postgresql://u:****@h:5432/d?schema=app
            """)
    void parsesEachForm(String url, String host, int port, String db, String user, String password, String masked) {
        DatabaseTarget t = DatabaseTarget.parse(url, "test");
        assertEquals(host, t.host());
        assertEquals(port, t.port());
        assertEquals(db, t.database());
        assertEquals(user, t.user());
        assertEquals(password, t.password());
        assertEquals(masked, t.masked());
        if (password != null) assertFalse(t.masked().contains(password) && password.length() > 3, t.masked());
    }

    @Test
    void prismaParametersAreUnderstoodNotPassedOn() {
        DatabaseTarget t = DatabaseTarget.parse("postgresql://u:pw@h:6543/d?pgbouncer=true&connection_limit=1&pool_timeout=20&schema=app&sslmode=verify-full", "test");
        assertTrue(t.looksLikeTransactionPooler());
        assertEquals("app", t.schema());
        Properties p = t.driverProperties("x");
        assertEquals("app", p.getProperty("currentSchema"));
        assertEquals("0", p.getProperty("prepareThreshold"));
        assertEquals("verify-full", p.getProperty("sslmode"));
        for (String prismaOnly : List.of("pgbouncer", "connection_limit", "pool_timeout", "schema")) assertNull(p.getProperty(prismaOnly), prismaOnly);
    }

    @ParameterizedTest(name = "{0} -> pooler {1}")
    @CsvSource({
        "postgresql://u:p@h:6543/d, true",
        "postgresql://u:p@h:5432/d?pgbouncer=true, true",
        "postgresql://u:p@h:5432/d?pgbouncer=false, false",
        "postgresql://u:p@h:5432/d, false"})
    void detectsTransactionPoolers(String url, boolean pooler) {
        assertEquals(pooler, DatabaseTarget.parse(url, "test").looksLikeTransactionPooler());
    }

    @Test
    void remoteHostsDefaultToTlsLocalOnesToTheDriver() {
        assertEquals("require", DatabaseTarget.parse("postgresql://u:p@db.example.com/d", "t").driverProperties("x").getProperty("sslmode"));
        assertNull(DatabaseTarget.parse("postgresql://u:p@localhost/d", "t").driverProperties("x").getProperty("sslmode"));
        assertEquals("disable", DatabaseTarget.parse("postgresql://u:p@db.example.com/d?sslmode=disable", "t").driverProperties("x").getProperty("sslmode"));
    }

    @Test
    void localMeansLoopbackOnly() {
        for (String local : List.of("localhost", "127.0.0.1", "127.1.2.3", "[::1]")) {
            assertTrue(DatabaseTarget.parse("postgresql://u@" + local + ":5432/d", "t").isLocal(), local);
        }
        for (String remote : List.of("db.example.com", "10.0.0.5", "192.168.1.10", "localhost.example.com")) {
            assertFalse(DatabaseTarget.parse("postgresql://u@" + remote + ":5432/d", "t").isLocal(), remote);
        }
    }

    @Test
    void supabasePoolerGetsASessionModeUrl() {
        DatabaseTarget t = DatabaseTarget.parse("postgresql://postgres.ref:pw@aws-1-us-east-1.pooler.supabase.com:6543/postgres?pgbouncer=true", "t");
        assertEquals("postgresql://postgres.ref:****@aws-1-us-east-1.pooler.supabase.com:5432/postgres", t.sessionModeTarget().masked());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            mysql://u:p@h/d                 | is not a PostgreSQL URL
            postgresql://u:p@h:99999/d      | is not a port number
            postgresql://u:p@h:abc/d        | is not a port number
            postgresql://h/d                | has no user name
            postgresql://u:p%zz@h/d         | bad percent-escape
            postgresql://u:p@h1,h2/d        | names several hosts
            """)
    void badUrlsAreOneSentenceAndExit2(String url, String words) {
        KitException e = assertThrows(KitException.class, () -> DatabaseTarget.parse(url, "--url"));
        assertEquals(ExitCode.USAGE, e.exitCode);
        assertTrue(e.getMessage().contains(words), e.getMessage());
        assertFalse(e.getMessage().contains("p%zz"), "the sentence must not repeat the URL");
    }

    @Test
    void precedenceIsUrlThenDirectThenDatabase() {
        Map<String, String> env = Map.of("DIRECT_URL", "postgresql://d:p@direct/x", "DATABASE_URL", "postgresql://d:p@pooled:6543/x");
        assertEquals("direct", resolve(null, env, Map.of()).host());
        assertEquals("cli", resolve("postgresql://d:p@cli/x", env, Map.of()).host());
        assertEquals("pooled", resolve(null, Map.of("DATABASE_URL", "postgresql://d:p@pooled:6543/x"), Map.of()).host());
        assertEquals("fromfile", resolve(null, Map.of(), Map.of("DATABASE_URL", "postgresql://d:p@fromfile/x")).host());
        // the environment wins over .env, variable by variable
        assertEquals("envdb", resolve(null, Map.of("DATABASE_URL", "postgresql://d:p@envdb/x"), Map.of("DATABASE_URL", "postgresql://d:p@filedb/x")).host());
        assertEquals("filedirect", resolve(null, Map.of("DATABASE_URL", "postgresql://d:p@envdb/x"), Map.of("DIRECT_URL", "postgresql://d:p@filedirect/x")).host());
    }

    @Test
    void anEmptyVariableCountsAsUnsetWithAWarningNamingIt() {
        List<String> warnings = new ArrayList<>();
        Settings s = new Settings(Map.of("DIRECT_URL", "", "DATABASE_URL", "postgresql://d:p@pooled/x"), Map.of(), warnings::add);
        TestCli cli = new TestCli();
        assertEquals("pooled", cli.targetFrom(s).host());
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("DIRECT_URL") && warnings.get(0).contains("empty"), warnings.get(0));
    }

    @Test
    void noUrlAnywhereIsExit2WithTheFix() {
        KitException e = assertThrows(KitException.class, () -> resolve(null, Map.of(), Map.of()));
        assertEquals(ExitCode.USAGE, e.exitCode);
        assertTrue(e.getMessage().contains("--url") && e.getMessage().contains("DIRECT_URL") && e.getMessage().contains("DATABASE_URL"));
    }

    @Test
    void dotenvFileFormsAreRead() throws IOException {
        Path dir = Files.createTempDirectory("dotenv");
        Files.writeString(dir.resolve(".env"), String.join("\n",
                "# comment", "export DIRECT_URL=\"postgresql://a:b@quoted/x\"", "DATABASE_URL='postgresql://a:b@single/x'",
                "ADMIN_SEED_EMAIL=ops@example.com # trailing comment", "EMPTY=", ""));
        Settings s = Settings.load(Map.of(), null, dir, w -> { });
        assertEquals("postgresql://a:b@quoted/x", s.get("DIRECT_URL"));
        assertEquals("postgresql://a:b@single/x", s.get("DATABASE_URL"));
        assertEquals("ops@example.com", s.get("ADMIN_SEED_EMAIL"));
        assertNull(s.get("EMPTY"));
        KitException e = assertThrows(KitException.class, () -> Settings.load(Map.of(), dir.resolve("nope.env"), dir, w -> { }));
        assertEquals(ExitCode.USAGE, e.exitCode);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"500ms, 500", "5s, 5000", "2m, 120000", "1h, 3600000"})
    void durations(String text, long millis) {
        assertEquals(millis, Durations.parse(text).toMillis());
    }

    private static DatabaseTarget resolve(String url, Map<String, String> env, Map<String, String> dotenv) {
        TestCli cli = new TestCli();
        cli.url = url;
        return cli.targetFrom(new Settings(env, dotenv, w -> { }));
    }

    /** DatabaseCli's resolution without picocli around it. */
    static class TestCli extends DatabaseCli {
        private final java.io.StringWriter err = new java.io.StringWriter();
        DatabaseTarget targetFrom(Settings s) {
            return target(s);
        }
        @Override
        Console console() {
            return new Console(new java.io.PrintWriter(new java.io.StringWriter()), new java.io.PrintWriter(err), false, false);
        }
        public Integer call() { return 0; }
    }
}
