import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The value objects ($env, $file, $argon2id) and what reading seeds/ allows, without a database: they are security code. */
class SeedValueTest {
    static final ObjectMapper JSON = new ObjectMapper();

    /** A seeds/ folder with a file inside, a secret outside, and the links an attacker would try. */
    record Fixture(Path root, Path seeds, Path outside, List<String> secrets, Map<String, String> env) {
        SeedValue.Context context() {
            return context(new SeedValue.Budget());
        }

        SeedValue.Context context(SeedValue.Budget budget) {
            return new SeedValue.Context("01_x.json", seeds, seeds, new Settings(env, Map.of(), w -> {}), secrets::add, budget);
        }

        SeedValue value(String json) throws Exception {
            return SeedValue.of(JSON.readTree(json), "01_x.json row 1 column \"c\"", context());
        }

        String refusal(String json) {
            KitException e = assertThrows(KitException.class, () -> value(json));
            assertEquals(ExitCode.USAGE, e.exitCode, e.getMessage());
            return e.getMessage();
        }
    }

    static Fixture fixture() throws Exception {
        Path root = Files.createTempDirectory("seedvalue");
        Path seeds = Files.createDirectories(root.resolve("seeds"));
        Files.createDirectories(seeds.resolve("email-templates"));
        Files.writeString(seeds.resolve("email-templates/welcome.html"), "<p>hi</p>");
        Path outside = root.resolve("secret.txt");
        Files.writeString(outside, "TOP-SECRET-CONTENT");
        Files.createSymbolicLink(seeds.resolve("link-out.html"), outside);
        Files.createSymbolicLink(seeds.resolve("folder-out"), root);
        Files.createSymbolicLink(seeds.resolve("link-in.html"), seeds.resolve("email-templates/welcome.html"));
        Map<String, String> env = new HashMap<>();
        env.put("PLAIN", "plain value");
        env.put("EMPTY", "");
        env.put("ADMIN_SEED_PASSWORD", "Tr1ckle-Down-Quill-88");
        env.put("ADMIN_SEED_EMAIL", "ops@example.com");
        env.put("OTHER_PASSPHRASE", "Passphrase-Kept-Secret-71");
        return new Fixture(root, seeds, outside, new ArrayList<>(), env);
    }

    @Test
    void fileReadsTextInsideSeedsIncludingThroughALinkThatStaysInside() throws Exception {
        Fixture f = fixture();
        assertEquals("<p>hi</p>", f.value("{\"$file\": \"email-templates/welcome.html\"}").json().asText());
        assertEquals("<p>hi</p>", f.value("{\"$file\": \"link-in.html\"}").json().asText());
        assertEquals("<p>hi</p>", f.value("{\"$file\": \"email-templates/../email-templates/welcome.html\"}").json().asText());
    }

    @Test
    void fileCannotEscapeSeedsByDotDotAbsolutePathOrLink() throws Exception {
        Fixture f = fixture();
        for (String path : List.of("../secret.txt", "email-templates/../../secret.txt", "link-out.html", "folder-out/secret.txt")) {
            String sentence = f.refusal("{\"$file\": \"" + path + "\"}");
            assertTrue(sentence.contains("outside the seeds folder"), path + ": " + sentence);
            assertFalse(sentence.contains("TOP-SECRET"), sentence);
        }
        assertTrue(f.refusal("{\"$file\": \"" + f.outside() + "\"}").contains("names the absolute path"));
    }

    @Test
    void fileWithANulInItsPathIsASentenceWithoutTheRawByte() throws Exception {
        Fixture f = fixture();
        String sentence = f.refusal("{\"$file\": \"email-templates/welcome.html\\u0000.txt\"}");
        assertTrue(sentence.contains("NUL character"), sentence);
        assertFalse(sentence.contains("\0"), sentence);
    }

    @Test
    void fileThatIsAFifoIsRefusedWithoutOpeningIt() throws Exception {
        Fixture f = fixture();
        Path fifo = f.seeds().resolve("pipe.html");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        String sentence = f.refusal("{\"$file\": \"pipe.html\"}"); // opening a FIFO with no writer would block for ever
        assertTrue(sentence.contains("is not a regular file"), sentence);
        Files.createSymbolicLink(f.seeds().resolve("zero.html"), Path.of("/dev/zero"));
        assertTrue(f.refusal("{\"$file\": \"zero.html\"}").contains("outside the seeds folder"));
    }

    @Test
    void everyUseOfAFileCountsAgainstOneBudget() throws Exception {
        Fixture f = fixture();
        byte[] fifteen = new byte[15 * 1024 * 1024];
        java.util.Arrays.fill(fifteen, (byte) 'a');
        Files.write(f.seeds().resolve("big.html"), fifteen);
        SeedValue.Budget budget = new SeedValue.Budget();
        JsonNode big = JSON.readTree("{\"$file\": \"big.html\"}");
        SeedValue.of(big, "row 1", f.context(budget));
        KitException second = assertThrows(KitException.class, () -> SeedValue.of(big, "row 2", f.context(budget)));
        assertEquals(ExitCode.USAGE, second.exitCode);
        assertTrue(second.getMessage().startsWith("row 2 file big.html is too large to read: with it, this run would read more than 24 MiB"), second.getMessage());
        Files.write(f.seeds().resolve("huge.html"), new byte[17 * 1024 * 1024]);
        assertTrue(f.refusal("{\"$file\": \"huge.html\"}").contains("is larger than 16 MiB"));
    }

    @Test
    void envOfAnUnsetOrEmptyVariableNamesIt() throws Exception {
        Fixture f = fixture();
        for (String name : List.of("SURELY_NOT_SET", "EMPTY")) {
            KitException e = assertThrows(SeedFile.UnsetVariable.class, () -> f.value("{\"$env\": \"" + name + "\"}"));
            assertEquals(ExitCode.USAGE, e.exitCode);
            assertEquals("01_x.json needs " + name + ", which is not set: set it in the environment or in .env (an empty value counts as unset).", e.getMessage());
        }
        assertTrue(f.refusal("{\"$env\": \"A B\"}").contains("it takes the name of a variable"));
        SeedValue plain = f.value("{\"$env\": \"PLAIN\"}");
        assertEquals("plain value", plain.json().asText());
        assertEquals("PLAIN", plain.variable());
        assertTrue(f.secrets().isEmpty(), "an ordinary variable is not a secret");
    }

    @Test
    void valuesOfSecretVariablesAndOfArgon2AreRegisteredAsSecrets() throws Exception {
        Fixture f = fixture();
        f.value("{\"$env\": \"ADMIN_SEED_PASSWORD\"}"); // even outside $argon2id, as in a column of the wrong type
        f.value("{\"$env\": \"ADMIN_SEED_EMAIL\"}"); // swapped variables put the password here
        SeedValue hashed = f.value("{\"$argon2id\": {\"$env\": \"OTHER_PASSPHRASE\"}}");
        assertTrue(hashed.argon2());
        assertEquals(List.of("Tr1ckle-Down-Quill-88", "ops@example.com", "Passphrase-Kept-Secret-71", "Passphrase-Kept-Secret-71"), f.secrets());
        assertEquals("got **** and ****", Secrets.scrub("got Passphrase-Kept-Secret-71 and Tr1ckle-Down-Quill-88", f.secrets()));
    }

    @Test
    void argon2TakesANonEmptyStringOnceAndOnlyThat() throws Exception {
        Fixture f = fixture();
        assertTrue(f.refusal("{\"$argon2id\": {\"$argon2id\": \"x\"}}").contains("nests $argon2id inside $argon2id"));
        assertTrue(f.refusal("{\"$argon2id\": 5}").contains("something other than a non-empty string"));
        assertTrue(f.refusal("{\"$sql\": \"select 1\"}").contains("unknown value object \"$sql\""));
        assertFalse(f.value("{\"a\": 1, \"b\": 2}").argon2(), "an object of two fields is plain JSON for a json column");
    }

    static Map<String, SeedValue> row(String password, String email) {
        return Map.of("email", SeedValue.plain(JSON.getNodeFactory().textNode(email)),
                "passwordHash", new SeedValue(JSON.getNodeFactory().textNode(password), true, "ADMIN_SEED_PASSWORD"));
    }

    @Test
    void argon2OfAWeakPasswordIsRefusedByZxcvbn() {
        for (String weak : List.of("password1234", "admin1234567", "changeme1234", "qwertyuiop12", "TestPassword123!", "aaaaaaaaaaaaaaaa")) {
            String problem = SeedRules.weakness(weak, row(weak, "ops@example.com"));
            assertTrue(problem != null && problem.contains("too easy to guess"), weak + ": " + problem);
            assertFalse(problem.contains(weak), problem);
        }
        assertTrue(SeedRules.weakness("short1!", row("short1!", "a@b.co")).contains("shorter than 12 characters"));
        assertTrue(SeedRules.weakness("ops@example.com", row("ops@example.com", "ops@example.com")).contains("same as another value"));
        for (String strong : List.of("Tr1ckle-Down-Quill-88", "Another-Long-Passphrase-42", "correct horse battery staple")) {
            assertNull(SeedRules.weakness(strong, row(strong, "ops@example.com")), strong);
        }
    }
}
