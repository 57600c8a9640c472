import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Where the database URL comes from, as an operator meets it: which folder .env is read from (said
 * when there is no URL), which variable wins when the environment and .env each set one, and status
 * reading on past a .env line the app would skip unless that line holds the URL.
 */
class EnvFileTest {

    /** A copy of the kit with this .env, readable by its owner alone (as the README asks). */
    static Path kitWithEnv(String text) throws Exception {
        Path kit = TestSupport.kitCopy();
        Files.writeString(kit.resolve(".env"), text);
        Files.setPosixFilePermissions(kit.resolve(".env"), PosixFilePermissions.fromString("rw-------"));
        return kit;
    }

    @Test
    void noUrlSaysWhichFolderWasLookedInAndWhetherItHadADotenv() throws Exception {
        Path kit = TestSupport.kitCopy();
        TestSupport.Result none = TestSupport.run(new status(), TestSupport.env(), "--dir", kit.toString());
        assertEquals(2, none.code(), none.all());
        assertEquals("error: no database URL: --url is not given, and DIRECT_URL and DATABASE_URL are not set in the environment, and there is no .env in "
                + kit.toAbsolutePath().normalize() + " (.env is read from the --dir folder); run from the folder that holds .env, pass --dir or --env-file,"
                + " or set DIRECT_URL in the environment.", none.err().strip());
        Path withEnv = kitWithEnv("ADMIN_SEED_EMAIL=" + TestSupport.ADMIN_EMAIL + "\n");
        TestSupport.Result neither = TestSupport.run(new seed(), TestSupport.env(), "--dir", withEnv.toString());
        assertEquals(2, neither.code(), neither.all());
        assertTrue(neither.err().contains("DIRECT_URL and DATABASE_URL are set in neither the environment nor " + withEnv.resolve(".env")
                + "; add DIRECT_URL=postgresql://... to it"), neither.err());
    }

    /** The case as an operator runs it: ./jbang from another folder, which has no .env. */
    @Test
    void runFromAnotherFolderTheSentenceNamesThatFolder() throws Exception {
        Path elsewhere = Files.createTempDirectory("not-the-kit-");
        Path kit = TestSupport.cleanKit();
        ProcessBuilder pb = new ProcessBuilder(kit.resolve("jbang").toString(), kit.resolve("status.java").toString()).directory(elsewhere.toFile());
        pb.environment().clear();
        pb.environment().putAll(TestSupport.env());
        Path err = Files.createTempFile("err", ".txt");
        pb.redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "status did not finish");
        String said = Files.readString(err);
        assertEquals(2, p.exitValue(), said);
        assertTrue(said.contains("there is no .env in " + elsewhere.toRealPath() + " (.env is read from the --dir folder, here the working folder)"), said);
    }

    @Test
    void directUrlInDotenvComesBeforeDatabaseUrlInTheEnvironmentAndTheRunSaysSo() throws Exception {
        String url = TestSupport.seeded();
        String other = TestSupport.freshDatabase();
        Path kit = kitWithEnv("DIRECT_URL=" + url + "\n");
        Map<String, String> env = TestSupport.env("DATABASE_URL", other, "ADMIN_SEED_EMAIL", TestSupport.ADMIN_EMAIL, "ADMIN_SEED_PASSWORD", TestSupport.ADMIN_PASSWORD);
        TestSupport.Result r = TestSupport.run(new status(), env, "--dir", kit.toString());
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains(" (DIRECT_URL from " + kit.resolve(".env") + ")"), r.out());
        assertTrue(r.err().contains("note: DATABASE_URL is set in the environment, but DIRECT_URL from " + kit.resolve(".env")
                + " comes first (each variable is read from the environment, then from .env); this run uses DIRECT_URL."), r.err());
        assertEquals(List.of(), TestSupport.rows(other, "select tablename from pg_tables where schemaname = 'public'"));
        // DIRECT_URL in the environment as well: no note, it is the ordinary case
        env.put("DIRECT_URL", url);
        TestSupport.Result both = TestSupport.run(new status(), env, "--dir", kit.toString());
        assertFalse(both.err().contains("note:"), both.err());
        assertTrue(both.out().contains(" (DIRECT_URL from the environment)"), both.out());
    }

    @Test
    void statusReadsOnPastADotenvLineThatDoesNotHoldTheUrl() throws Exception {
        String url = TestSupport.seeded();
        Path kit = kitWithEnv("DIRECT_URL=" + url + "\nADMIN_SEED_EMAIL=" + TestSupport.ADMIN_EMAIL + "\nADMIN_SEED_PASSWORD=" + TestSupport.ADMIN_PASSWORD
                + "\nSENTRY DSN=https://k3y@sentry.example/1\n");
        TestSupport.Result r = TestSupport.run(new status(), TestSupport.env(), "--dir", kit.toString());
        assertEquals(2, r.code(), r.all());
        assertEquals("", r.err(), r.err());
        assertTrue(r.out().contains(".env\n  PROBLEM: line 4 of " + kit.resolve(".env") + " is not a NAME=value line"), r.out());
        assertTrue(r.out().contains("  [x] 4      row level security") && r.out().contains(TestSupport.ADMIN_EMAIL + " exists, role SUPER_ADMIN"), r.out());
        assertTrue(r.out().contains("Fix this folder's files first: line 4 of " + kit.resolve(".env") + " is a line the app's dotenv skips"), r.out());
        assertFalse(r.out().contains("k3y"), "the line is never quoted");
        JsonNode doc = StatusTest.json(TestSupport.run(new status(), TestSupport.env(), "--dir", kit.toString(), "--json"));
        assertEquals(2, doc.get("exitCode").asInt());
        assertEquals(1, doc.get("dotenv").get("problems").size());
        // seed, which writes, still refuses the file
        TestSupport.Result seeded = TestSupport.run(new seed(), TestSupport.env(), "--dir", kit.toString());
        assertEquals(2, seeded.code(), seeded.all());
        assertTrue(seeded.err().contains("line 4 of " + kit.resolve(".env") + " is not a NAME=value line"), seeded.err());
    }

    @Test
    void aSecretVariableTheAppWouldReadOtherwiseIsAFindingOfItsSeedFile() throws Exception {
        String url = TestSupport.seeded();
        Path kit = kitWithEnv("DIRECT_URL=" + url + "\nADMIN_SEED_EMAIL=" + TestSupport.ADMIN_EMAIL + "\nADMIN_SEED_PASSWORD=\"Tr1ckle-\\\"Down\\\"-Quill-88\"\n");
        TestSupport.Result r = TestSupport.run(new status(), TestSupport.env(), "--dir", kit.toString());
        assertEquals(2, r.code(), r.all());
        assertTrue(r.out().contains("01_admin.json                PROBLEM: ADMIN_SEED_PASSWORD on line 3 of " + kit.resolve(".env") + " has a backslash escape"), r.out());
        assertTrue(r.out().contains("02_feature_flags.json        \"FeatureFlag\"    8 present, 0 missing, 0 changed"), r.out());
        assertTrue(r.out().contains("Fix this folder's files first: 01_admin.json reads a variable from a .env line the app would read otherwise"), r.out());
    }

    @Test
    void aDotenvLineThatHoldsTheUrlStillStopsStatusAndSaysWhy() throws Exception {
        Path kit = kitWithEnv("ADMIN_SEED_EMAIL=" + TestSupport.ADMIN_EMAIL + "\nDIRECT_URL postgresql://kit:Secret9@db.example:5432/postgres\n");
        List<String> args = new ArrayList<>(List.of("--dir", kit.toString()));
        TestSupport.Result r = TestSupport.run(new status(), TestSupport.env(), args.toArray(String[]::new));
        assertEquals(2, r.code(), r.all());
        assertEquals("error: line 2 of " + kit.resolve(".env") + " is not a NAME=value line, a comment or blank, and the app's dotenv skips it,"
                + " and it looks like it holds the database URL, so status cannot tell which database to read; fix it (a name is letters, digits, _ . and -,"
                + " followed by = or \": \") or remove it.", r.err().strip());
        assertFalse(r.all().contains("Secret9"));
    }
}
