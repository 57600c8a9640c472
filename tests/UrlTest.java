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
            postgresql://u:p%zz@h/d         | does not start a percent-escape
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

    // ---- .env as the app reads it (node's dotenv) ----

    /** Texts that exercise dotenv's grammar; each is read by node's dotenv and by the kit. */
    static final List<String> DOTENV_FIXTURES = List.of(
            "ADMIN_SEED_PASSWORD=\"Horse-Battery-\\\"Staple\\\"-9\"\n",
            "A='single # not a comment'\nB=\"double # not a comment\"\nC=`back # tick`\nD=bare # comment\nE=bare#glued\n",
            "A=\"line1\\nline2\\r\"\nB='no\\nescape'\nC=`no\\nescape`\nD=plain\\nkept\n",
            "export A=1\nexport   B = spaced  \n  C  =  x  \n\tD=\ttab\t\n",
            "A=1\r\nB=\"two\r\nlines\"\r\nC=3\r\n",
            "A=1\rB=2\r",
            "KEY=\"-----BEGIN KEY-----\nabc\ndef\n-----END KEY-----\"\nNEXT=after\n",
            "\uFEFFDIRECT_URL=postgresql://a:b@direct/x\nDATABASE_URL=postgresql://a:b@pooled/x\n",
            "DUP=first\nDUP=second\n",
            "A=\nB= \nC=''\nD=\"\"\nE= # only a comment\n",
            "A=\"abc\" junk\nB=\"unclosed\nC='it\\'s'\nD=\"x\\\\\"\n",
            "A=\"opens\nB=swallowed\"\nC=3\n",
            "YAML: style\nDOTS.AND-DASHES=ok\n",
            "A=a=b=c\nB=postgresql://u:p%40ss@h:5432/d?sslmode=require&x=1\n",
            "A='  padded  '\nB=\"  padded  \"\nC=  padded  \n",
            "A=\"quoted\" # comment\nB='quoted'#comment\n",
            "# comment\n\n   # indented comment\nA=1\n",
            "A=\u00A0nbsp\u00A0\nB=caf\u00e9 \u2603\n",
            "ADMIN_SEED_PASSWORD='Horse-Battery-\"Staple\"-9'\n");

    @Test
    @Needs(Tool.NODE_DOTENV)
    void dotenvFilesAreReadExactlyAsTheAppsDotenvReadsThem() throws Exception {
        List<String> texts = new ArrayList<>(DOTENV_FIXTURES);
        // and a few thousand texts made of dotenv's hard parts, the same ones every run
        String[] parts = {"A", "B", "KEY", "export ", " ", "\t", "=", "= ", " =", ":", ": ", "'", "\"", "`", "\\", "\\n", "\\\"",
            "\\'", "#", " #", "\n", "\n", "\r\n", "\r", "x", "y z", "\u00A0", "\uFEFF", "abc", "a.b", "1", "$", "\"\"", "''"};
        java.util.Random random = new java.util.Random(14);
        for (int i = 0; i < 3000; i++) {
            StringBuilder sb = new StringBuilder();
            for (int j = random.nextInt(20); j >= 0; j--) sb.append(parts[random.nextInt(parts.length)]);
            texts.add(sb.toString());
        }
        com.fasterxml.jackson.databind.JsonNode expected = nodeDotenv(texts);
        for (int i = 0; i < texts.size(); i++) {
            Map<String, String> node = new java.util.TreeMap<>();
            expected.get(i).properties().forEach(e -> node.put(e.getKey(), e.getValue().asText()));
            assertEquals(node, new java.util.TreeMap<>(Dotenv.parse(texts.get(i), ".env").values()),
                    "node's dotenv and the kit read this .env differently: " + Console.JSON.writeValueAsString(texts.get(i)));
        }
    }

    /** node's dotenv.parse of each text, through tests/node (where the runner installs the app's dotenv: @Needs(Tool.NODE_DOTENV)). */
    static com.fasterxml.jackson.databind.JsonNode nodeDotenv(List<String> texts) throws Exception {
        Path node = Tool.nodeDir();
        Process p = new ProcessBuilder("node", "dotenv-parse.js").directory(node.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (var in = p.getOutputStream()) {
            in.write(Console.JSON.writeValueAsBytes(texts));
        }
        com.fasterxml.jackson.databind.JsonNode result = Console.JSON.readTree(p.getInputStream());
        assertEquals(0, p.waitFor());
        return result;
    }

    @Test
    void theIssuesPasswordWithEscapedQuotesIsRefusedNeverCut() throws Exception {
        Path file = envFile("ADMIN_SEED_EMAIL=ops@example.com\nADMIN_SEED_PASSWORD=\"Horse-Battery-\\\"Staple\\\"-9\"\n");
        KitException e = assertThrows(KitException.class, () -> Settings.load(Map.of(), file, file.getParent(), w -> { }).get("ADMIN_SEED_PASSWORD"));
        assertEquals(ExitCode.USAGE, e.exitCode);
        assertTrue(e.getMessage().startsWith("ADMIN_SEED_PASSWORD on line 2 of " + file + " "), e.getMessage());
        assertFalse(e.getMessage().contains("Horse") || e.getMessage().contains("Staple"), "the value is never echoed: " + e.getMessage());
        // the seed run stops before writing anything
        String url = TestSupport.migrated();
        TestSupport.Result r = TestSupport.run(new seed(), TestSupport.env("DIRECT_URL", url), "--env-file", file.toString());
        assertEquals(2, r.code(), r.all());
        assertTrue(r.err().contains("ADMIN_SEED_PASSWORD on line 2 of " + file), r.err());
        assertFalse(r.all().contains("Horse-Battery"), r.all());
        assertEquals("0", TestSupport.one(url, "select count(*) from \"Admin\""));
        // in single quotes, as the sentence suggests, it is read whole (and as node's dotenv reads it: DOTENV_FIXTURES' last)
        Path fixed = envFile("ADMIN_SEED_PASSWORD='Horse-Battery-\"Staple\"-9'\n");
        assertEquals("Horse-Battery-\"Staple\"-9", Settings.load(Map.of(), fixed, fixed.getParent(), w -> { }).get("ADMIN_SEED_PASSWORD"));
    }

    @Test
    void aValueTheAppWouldReadOtherwiseThanMeantIsRefusedNamingFileLineAndVariable() throws Exception {
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("a # glued to the value", "X=pa#ss9word");
        cases.put("a # right after =", "X=#Secret9");
        cases.put("an unclosed quote", "X=\"Secret9 word");
        cases.put("a quote closed too early", "X=\"Secret9\" word");
        cases.put("a backslash-escaped quote in single quotes", "X='Secret9\\'s'");
        cases.put("a backslash-escaped backslash in double quotes", "X=\"Secret9\\\\\"");
        cases.put("the value on the next line", "X=\n\"Secret9\"");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Path file = envFile(c.getValue() + "\nOTHER=fine\n");
            Settings s = Settings.load(Map.of(), file, file.getParent(), w -> { });
            assertEquals("fine", s.get("OTHER"), "only the variable in doubt is refused");
            KitException e = assertThrows(KitException.class, () -> s.get("X"), c.getKey());
            assertEquals(ExitCode.USAGE, e.exitCode);
            assertTrue(e.getMessage().startsWith("X on line 1 of " + file), c.getKey() + ": " + e.getMessage());
            assertFalse(e.getMessage().contains("Secret9") || e.getMessage().contains("ss9word"), "the value is never echoed: " + e.getMessage());
        }
    }

    @Test
    void aVariableSwallowedByAnUnclosedQuoteIsNamedNotSkipped() throws Exception {
        Path file = envFile("NOTE=\"an unclosed note\nDIRECT_URL=postgresql://a:b@direct/x\nDATABASE_URL=postgresql://a:b@pooled/x\"\n");
        KitException e = assertThrows(KitException.class, () -> resolve(Settings.load(Map.of(), file, file.getParent(), w -> { })));
        assertEquals(ExitCode.USAGE, e.exitCode);
        assertTrue(e.getMessage().contains("line 2 of " + file) && e.getMessage().contains("DIRECT_URL") && e.getMessage().contains("NOTE"), e.getMessage());
        assertFalse(e.getMessage().contains("a:b@"), e.getMessage());
    }

    @Test
    void aLineTheAppWouldSkipIsAnErrorNamingFileAndLine() throws Exception {
        Path file = envFile("DATABASE_URL=postgresql://a:b@pooled/x\nDIRECT_URL postgresql://a:Secret9@direct/x\n");
        KitException e = assertThrows(KitException.class, () -> Settings.load(Map.of(), file, file.getParent(), w -> { }));
        assertEquals(ExitCode.USAGE, e.exitCode);
        assertTrue(e.getMessage().startsWith("line 2 of " + file + " is not a NAME=value line"), e.getMessage());
        assertFalse(e.getMessage().contains("Secret9"), e.getMessage());
    }

    @Test
    void aByteOrderMarkDoesNotCostTheFirstLine() throws Exception {
        Path dir = Files.createTempDirectory("dotenv-bom");
        byte[] text = "DIRECT_URL=postgresql://a:b@direct/x\nDATABASE_URL=postgresql://a:b@pooled/x\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] withBom = new byte[text.length + 3];
        withBom[0] = (byte) 0xEF;
        withBom[1] = (byte) 0xBB;
        withBom[2] = (byte) 0xBF;
        System.arraycopy(text, 0, withBom, 3, text.length);
        Files.write(dir.resolve(".env"), withBom);
        DatabaseTarget t = resolve(Settings.load(Map.of(), null, dir, w -> { }));
        assertEquals("direct", t.host());
        assertEquals("DIRECT_URL from " + dir.resolve(".env"), t.origin());
    }

    @Test
    void anEmptyVariableInTheEnvironmentGivesWayToDotenv() throws Exception {
        Path file = envFile("DIRECT_URL=postgresql://a:b@filedirect/x\nDATABASE_URL=postgresql://a:b@filepooled/x\n");
        List<String> warnings = new ArrayList<>();
        DatabaseTarget t = resolve(Settings.load(Map.of("DIRECT_URL", ""), file, file.getParent(), warnings::add));
        assertEquals("filedirect", t.host());
        assertEquals("DIRECT_URL from " + file, t.origin());
        assertEquals(1, warnings.stream().filter(w -> w.contains("DIRECT_URL") && w.contains("empty") && w.contains("environment")).count(), warnings.toString());
    }

    @Test
    void theTargetLineSaysWhereTheUrlCameFrom() throws Exception {
        String url = TestSupport.migrated();
        Path file = envFile("DIRECT_URL=" + url + "\n");
        TestSupport.Result fromEnv = TestSupport.run(new status(), TestSupport.env("DIRECT_URL", url));
        assertTrue(fromEnv.out().contains("(DIRECT_URL from the environment)"), fromEnv.out());
        TestSupport.Result fromFile = TestSupport.run(new status(), TestSupport.env(), "--env-file", file.toString(), "--json");
        assertEquals("DIRECT_URL from " + file, Console.JSON.readTree(fromFile.out()).get("target").get("source").asText(), fromFile.out());
        TestSupport.Result fromOption = TestSupport.run(new migrate(), TestSupport.env("DATABASE_URL", url), "--url", url);
        assertTrue(fromOption.out().lines().anyMatch(l -> l.startsWith("Target ") && l.endsWith(", --url)")), fromOption.out());
        TestSupport.Result seeded = TestSupport.run(new seed(), TestSupport.adminEnv(null), "--env-file", file.toString(), "--dry-run");
        assertTrue(seeded.out().contains("(DIRECT_URL from " + file + ")"), seeded.all());
    }

    @Test
    void aDotenvOthersCanReadGetsAWarningAsSshGivesForKeys() throws Exception {
        Path file = envFile("DIRECT_URL=postgresql://a:b@h/x\n");
        List<String> warnings = new ArrayList<>();
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Settings.load(Map.of(), file, file.getParent(), warnings::add);
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains(file + " can be read by other users") && warnings.get(0).contains("644") && warnings.get(0).contains("chmod 600"), warnings.get(0));
        warnings.clear();
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Settings.load(Map.of(), file, file.getParent(), warnings::add);
        assertEquals(List.of(), warnings);
    }

    // ---- URLs that do not parse ----

    @Test
    void aPasswordWithAnUnencodedSlashIsNeverEchoedInPart() throws Exception {
        String url = "postgresql://postgres:CanaryPw/Secret9@host:5432/db";
        KitException e = assertThrows(KitException.class, () -> DatabaseTarget.parse(url, "DIRECT_URL", ".env"));
        assertEquals(ExitCode.USAGE, e.exitCode);
        assertTrue(e.getMessage().contains("DIRECT_URL from .env does not parse") && e.getMessage().contains("postgresql://****@host:5432/db")
                && e.getMessage().contains("%2F"), e.getMessage());
        for (String other : List.of("postgresql://postgres:Canary?Pw9@host:5432/db", "postgresql://postgres:CanaryPw9", "postgresql://postgres:Canary%Pw9@host/db")) {
            KitException o = assertThrows(KitException.class, () -> DatabaseTarget.parse(other, "--url"));
            assertFalse(o.getMessage().contains("Canary") || o.getMessage().contains("Pw9"), o.getMessage());
        }
        TestSupport.Result r = TestSupport.run(new status(), TestSupport.env("DIRECT_URL", url), "--json");
        assertEquals(2, r.code());
        assertTrue(Console.JSON.readTree(r.out()).get("error").asText().contains("percent-encoded"), r.out());
        assertFalse(r.all().contains("CanaryPw") || r.all().contains("Secret9"), r.all());
    }

    // ---- the connection timeout ----

    @Test
    void aServerThatNeverAnswersIsGivenUpAfterTheDocumentedTenSeconds() throws Exception {
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            List<java.net.Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) held.add(silent.accept()); // accepted, and never a byte in reply
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            long started = System.nanoTime();
            TestSupport.Result r = TestSupport.run(new status(), TestSupport.env("DIRECT_URL", "postgresql://u:pw@127.0.0.1:" + silent.getLocalPort() + "/d"));
            double seconds = (System.nanoTime() - started) / 1e9;
            assertEquals(3, r.code(), r.all());
            assertTrue(r.err().contains("did not answer within 10 s"), r.err());
            assertFalse(held.isEmpty(), "it never reached the silent server");
            // it waited the documented 10 s (a loaded machine cannot make that shorter), and the wait is
            // bounded: well under the minutes the operating system's TCP timeouts would take
            assertTrue(seconds >= 9.5 && seconds < 60, "gave up after " + seconds + " s");
            for (java.net.Socket s : held) s.close();
        }
    }

    /** What a proxy with nothing behind it does (Coolify's, or a pooler whose database is down): it accepts, then hangs up or resets. */
    @Test
    void aPortThatAcceptsAndHangsUpIsOneSentenceNamingItExit3() throws Exception {
        for (boolean reset : List.of(false, true)) {
            try (java.net.ServerSocket closing = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
                Thread acceptor = new Thread(() -> {
                    try {
                        while (true) {
                            java.net.Socket s = closing.accept();
                            if (reset) {
                                Thread.sleep(200); // the client has sent its first message by then
                                s.setSoLinger(true, 0); // closed with a reset
                            }
                            s.close();
                        }
                    } catch (IOException | InterruptedException closed) {
                        // the test is over
                    }
                });
                acceptor.setDaemon(true);
                acceptor.start();
                for (Cli command : List.of(new status(), new migrate())) {
                    TestSupport.Result r = TestSupport.run(command, TestSupport.env("DIRECT_URL", "postgresql://u:pw@127.0.0.1:" + closing.getLocalPort() + "/d"));
                    assertEquals(3, r.code(), r.all());
                    assertEquals(1, r.err().strip().lines().count(), r.err());
                    assertTrue(r.err().contains("something at 127.0.0.1:" + closing.getLocalPort() + " accepted the connection and closed it before PostgreSQL answered"),
                            (reset ? "reset: " : "closed: ") + r.err());
                }
            }
        }
    }

    // ---- the command line ----

    @Test
    void aBadOptionUnderJsonStillPrintsTheJsonErrorDocument() throws Exception {
        for (Cli command : List.of(new migrate(), new seed(), new status(), new verify())) {
            String name = command.getClass().getSimpleName();
            TestSupport.Result r = TestSupport.run(command, TestSupport.env(), "--json", "--no-such-option");
            assertEquals(2, r.code(), name + ": " + r.all());
            com.fasterxml.jackson.databind.JsonNode doc = Console.JSON.readTree(r.out());
            assertFalse(doc.get("ok").asBoolean(), name);
            assertEquals(2, doc.get("exitCode").asInt(), name);
            assertTrue(doc.get("error").asText().contains("--no-such-option"), name + ": " + r.out());
            assertTrue(r.err().startsWith("error: ") && r.err().contains("--no-such-option"), name + ": " + r.err());
        }
        // a mistyped option that swallows a URL does not print its password
        TestSupport.Result typo = TestSupport.run(new status(), TestSupport.env(), "--json", "--ulr", "postgresql://u:Secret9pw@h/d");
        assertEquals(2, typo.code());
        assertFalse(typo.all().contains("Secret9pw"), typo.all());
    }

    static Path envFile(String text) throws IOException {
        Path file = Files.createTempDirectory("dotenv").resolve("app.env");
        Files.writeString(file, text);
        return file;
    }

    private static DatabaseTarget resolve(Settings settings) {
        return new TestCli().targetFrom(settings);
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
