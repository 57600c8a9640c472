import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The admin's password belongs to the admin once it exists: seed creates the admin with the password
 * from the environment and never puts it back afterwards (every deploy runs seed); status says, as
 * information only, that it is not the seed's; seed --reset-admin-password sets it again, and says so.
 */
class AdminPasswordTest {
    static final String CHANGED_IN_THE_APP = "Changed-In-The-App-Quokka-61";

    /** A seeded database whose admin then changed the password in the app: an argon2id hash of another password, as the app stores it. */
    static String adminChangedTheirPassword() {
        String url = TestSupport.seeded();
        TestSupport.exec(url, "update \"Admin\" set \"passwordHash\" = '" + new PasswordHasher().hash(CHANGED_IN_THE_APP) + "'");
        return url;
    }

    @Test
    void seedLeavesAPasswordChangedInTheAppAsItIs() {
        String url = adminChangedTheirPassword();
        String hash = TestSupport.one(url, "select \"passwordHash\" from \"Admin\"");
        String before = TestSupport.fingerprint(url);
        TestSupport.Result r = TestSupport.run(new seed(), TestSupport.adminEnv(url));
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("Done: 0 inserted, 0 updated, 23 unchanged"), r.out());
        assertTrue(r.err().contains("note: 01_admin.json: 1 password in \"Admin\" is not the seed file's") && r.err().contains("seed --reset-admin-password"), r.err());
        assertEquals(before, TestSupport.fingerprint(url), "nothing written, updatedAt included");
        assertEquals(hash, TestSupport.one(url, "select \"passwordHash\" from \"Admin\""));
        // nor when ADMIN_SEED_PASSWORD itself changed: a re-run is never a reset
        Map<String, String> env = TestSupport.adminEnv(url);
        env.put("ADMIN_SEED_PASSWORD", "Another-Long-Passphrase-42");
        TestSupport.Result again = TestSupport.run(new seed(), env, "--json");
        assertEquals(0, again.code(), again.all());
        assertEquals(before, TestSupport.fingerprint(url));
        assertTrue(new PasswordHasher().verifies(TestSupport.one(url, "select \"passwordHash\" from \"Admin\""), CHANGED_IN_THE_APP));
    }

    @Test
    void statusSaysItAsInformationNotAsWork() throws Exception {
        String url = adminChangedTheirPassword();
        TestSupport.Result r = TestSupport.run(new status(), TestSupport.adminEnv(url));
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("01_admin.json                \"Admin\"          1 present, 0 missing, 0 changed; 1 password is not the seed's (seed keeps it)"), r.out());
        assertTrue(r.out().contains(TestSupport.ADMIN_EMAIL + " exists, role SUPER_ADMIN; its password is not the one in ADMIN_SEED_PASSWORD"), r.out());
        assertTrue(r.out().strip().endsWith("Database is up to date."), r.out());
        JsonNode doc = StatusTest.json(TestSupport.run(new status(), TestSupport.adminEnv(url), "--json"));
        assertEquals(0, doc.get("exitCode").asInt());
        assertFalse(doc.get("admin").get("passwordMatchesSeed").asBoolean());
        assertEquals(1, doc.get("seeds").get(0).get("otherPasswords").asInt());
        assertEquals(0, doc.get("seeds").get(0).get("changed").asInt());
        // and the seed's password is the seed's
        JsonNode seeded = StatusTest.json(TestSupport.run(new status(), TestSupport.adminEnv(TestSupport.seeded()), "--json"));
        assertTrue(seeded.get("admin").get("passwordMatchesSeed").asBoolean());
    }

    @Test
    void resetAdminPasswordSetsItAgainWithANewHashAndSaysSo() throws Exception {
        String url = adminChangedTheirPassword();
        String before = TestSupport.fingerprint(url);
        TestSupport.Result dry = TestSupport.run(new seed(), TestSupport.adminEnv(url), "--reset-admin-password", "--dry-run");
        assertEquals(0, dry.code(), dry.all());
        assertTrue(dry.out().contains("0 to insert, 1 to update, 22 unchanged"), dry.out());
        assertEquals(before, TestSupport.fingerprint(url));
        String updatedAt = TestSupport.one(url, "select \"updatedAt\" from \"Admin\"");
        TestSupport.Result r = TestSupport.run(new seed(), TestSupport.adminEnv(url), "--reset-admin-password");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("Done: 0 inserted, 1 updated, 22 unchanged"), r.out());
        assertTrue(r.out().contains("01_admin.json: 1 password set again from the seed file with a new argon2id hash, as --reset-admin-password asks."), r.out());
        String hash = TestSupport.one(url, "select \"passwordHash\" from \"Admin\"");
        assertTrue(hash.matches("\\$argon2id\\$v=19\\$m=65536,t=3,p=4\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}"), hash);
        assertTrue(new PasswordHasher().verifies(hash, TestSupport.ADMIN_PASSWORD));
        assertFalse(new PasswordHasher().verifies(hash, CHANGED_IN_THE_APP));
        assertNotEquals(updatedAt, TestSupport.one(url, "select \"updatedAt\" from \"Admin\""), "updatedAt moves with the password");
        assertEquals(0, TestSupport.run(new status(), TestSupport.adminEnv(url)).code());
        // asked again, the password already is the seed's: kept, and said
        TestSupport.Result again = TestSupport.run(new seed(), TestSupport.adminEnv(url), "--reset-admin-password");
        assertEquals(0, again.code(), again.all());
        assertTrue(again.out().contains("0 inserted, 0 updated, 23 unchanged") && again.out().contains("the password already is the seed file's"), again.out());
        assertEquals(hash, TestSupport.one(url, "select \"passwordHash\" from \"Admin\""));
    }

    @Test
    @Needs(Tool.NODE_ARGON2)
    void theAppsNodeArgon2AcceptsTheResetPassword() throws Exception {
        String url = adminChangedTheirPassword();
        assertEquals(0, TestSupport.run(new seed(), TestSupport.adminEnv(url), "--reset-admin-password").code());
        String hash = TestSupport.one(url, "select \"passwordHash\" from \"Admin\"");
        assertEquals("true|false", SeedTest.nodeVerify(TestSupport.kitDir().resolve("tests/node"), hash, TestSupport.ADMIN_PASSWORD)
                + "|" + SeedTest.nodeVerify(TestSupport.kitDir().resolve("tests/node"), hash, CHANGED_IN_THE_APP));
    }

    @Test
    void resetWithoutTheAdminFileInTheRunIsExit2AndWritesNothing() {
        String url = adminChangedTheirPassword();
        String before = TestSupport.fingerprint(url);
        TestSupport.Result r = TestSupport.run(new seed(), TestSupport.adminEnv(url), "--reset-admin-password", "--skip", "admin");
        assertEquals(2, r.code(), r.all());
        assertTrue(r.err().startsWith("error: --reset-admin-password sets the admin's password from the seed file for \"Admin\", and no file of this run sets one"), r.err());
        assertEquals(before, TestSupport.fingerprint(url));
    }
}
