import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Before it is applied: migrate --dry-run reads from the pending statements what they would open to
 * Supabase's Data API, and migrate --rehearse finds it with the advisor's checks on the copy, exit 6,
 * naming the file and line; neither writes anything to the target.
 */
class SecurityForecastTest {
    static final String API_KEYS = """
            CREATE TABLE "ApiKey" ("id" TEXT NOT NULL, "secretToken" TEXT, CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id"));
            """;

    static TestSupport.Result migrate(String url, Path kit, String... more) {
        String[] args = new String[more.length + 2];
        args[0] = "--dir";
        args[1] = kit.toString();
        System.arraycopy(more, 0, args, 2, more.length);
        return SupabaseShape.run(new migrate(), TestSupport.adminEnv(url), args);
    }

    /** The fourth case, read from the statement: a pending CREATE TABLE open to the Data API. */
    @Test
    void dryRunSaysAPendingCreateTableIsOpenToTheDataApi() throws Exception {
        String url = SupabaseShape.seededProject();
        Path kit = TestSupport.kitWith("V5__api_keys.sql", API_KEYS);
        String before = SupabaseShape.fingerprint(url);
        TestSupport.Result r = migrate(url, kit, "--dry-run");
        assertEquals(0, r.code(), r.all());
        assertEquals(before, SupabaseShape.fingerprint(url), "the dry run changed the target: " + r.all());
        assertTrue(r.err().contains("warning: exposes: V5__api_keys.sql line 1: CREATE TABLE \"ApiKey\" (\"id\" TEXT NOT NULL, \"secretToken\" TEXT, CONSTRAINT \"Ap..."
                + " creates table \"public\".\"ApiKey\" without row-level security in a schema the Data API serves, and anon and authenticated get privileges on it by default"
                + " (rls_disabled_in_public, error in status): add ALTER TABLE \"public\".\"ApiKey\" ENABLE ROW LEVEL SECURITY."), r.err());
        JsonNode doc = Console.JSON.readTree(migrate(url, kit, "--dry-run", "--json").out());
        assertEquals("rls_disabled_in_public", doc.get("exposures").get(0).get("lint").asText(), doc.toString());
        assertEquals(1, doc.get("exposures").get(0).get("line").asInt());
        // the same table closed by a later statement of the run is not open
        Path closed = TestSupport.kitWith("V5__api_keys.sql", API_KEYS + "ALTER TABLE \"ApiKey\" ENABLE ROW LEVEL SECURITY;\n");
        TestSupport.Result quiet = migrate(url, closed, "--dry-run");
        assertEquals(0, quiet.code(), quiet.all());
        assertFalse(quiet.err().contains("exposes:"), quiet.err());
    }

    @Test
    void dryRunSaysWhatEachKindOfStatementOpens() throws Exception {
        String url = SupabaseShape.seededProject();
        Path kit = TestSupport.kitWith("V5__api.sql", """
                CREATE VIEW "AdminDirectory" AS SELECT email, "passwordHash" FROM "Admin";
                CREATE VIEW "TeamNames" WITH (security_invoker = on) AS SELECT name FROM "Team";
                CREATE FUNCTION grant_points(n int) RETURNS int LANGUAGE sql SECURITY DEFINER SET search_path = '' AS 'select n';
                CREATE POLICY p ON "Admin" FOR SELECT TO anon USING (true);
                ALTER TABLE "Team" DISABLE ROW LEVEL SECURITY;
                CREATE EXTENSION pg_trgm;
                CREATE FUNCTION total() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'select 1';
                REVOKE EXECUTE ON FUNCTION total() FROM PUBLIC, anon, authenticated;
                """);
        TestSupport.Result r = migrate(url, kit, "--dry-run");
        assertEquals(0, r.code(), r.all());
        String err = r.err();
        assertTrue(err.contains("V5__api.sql line 1: CREATE VIEW \"AdminDirectory\" AS SELECT email, \"passwordHash\" FROM \"Admin\" makes view \"public\".\"AdminDirectory\","
                + " which reads as its owner, in a schema the Data API serves, and anon and authenticated get privileges on it by default (security_definer_view, error in status)"), err);
        assertFalse(err.contains("TeamNames"), err);
        assertTrue(err.contains("V5__api.sql line 3: CREATE FUNCTION grant_points(n int)") && err.contains("(anon_security_definer_function_executable, warning in status)"), err);
        assertTrue(err.contains("V5__api.sql line 4: CREATE POLICY p ON \"Admin\" FOR SELECT TO anon USING (true) lets anon read every row of \"public\".\"Admin\","
                + " including \"email\", \"passwordHash\" (sensitive_columns_exposed, error in status)"), err);
        assertTrue(err.contains("V5__api.sql line 5: ALTER TABLE \"Team\" DISABLE ROW LEVEL SECURITY leaves table \"public\".\"Team\" without row-level security"), err);
        assertTrue(err.contains("V5__api.sql line 6: CREATE EXTENSION pg_trgm installs extension \"pg_trgm\" in schema public (extension_in_public, warning in status)"), err);
        assertTrue(err.contains("V5__api.sql line 7: CREATE FUNCTION total() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'select 1' makes function \"public\".\"total\" with no fixed search_path"), err);
        assertFalse(err.contains("SECURITY DEFINER function \"public\".\"total\""), err); // revoked by line 8
    }

    /** The fourth case on the copy: the rehearsal applies it and the advisor's checks find it, exit 6, with its file and line. */
    @Test
    void rehearsePredictsAPendingCreateTableOpenToTheDataApiExit6() throws Exception {
        String url = SupabaseShape.seededProject();
        Path kit = TestSupport.kitWith("V5__api_keys.sql", "-- API keys for partners\n" + API_KEYS);
        String before = SupabaseShape.fingerprint(url);
        TestSupport.Result r = migrate(url, kit, "--rehearse");
        assertEquals(before, SupabaseShape.fingerprint(url), "the rehearsal changed the target: " + r.all());
        assertEquals(6, r.code(), r.all());
        assertTrue(r.out().contains("  EXPOSES: V5__api_keys.sql line 2 (CREATE TABLE \"ApiKey\""), r.out());
        assertTrue(r.out().contains("would make rls_disabled_in_public on \"public\".\"ApiKey\" (table): it has no row-level security, and anon and authenticated may select, insert, update, delete it"), r.out());
        assertTrue(r.err().contains("error: the rehearsal predicts that the pending migrations would expose data through Supabase's Data API: V5__api_keys.sql line 2") && r.err().contains("Nothing was applied to the target."), r.err());
        // closed in the same migration: the rehearsal passes, and says the checks ran
        Path closed = TestSupport.kitWith("V5__api_keys.sql", API_KEYS + "ALTER TABLE \"ApiKey\" ENABLE ROW LEVEL SECURITY;\n");
        TestSupport.Result ok = migrate(url, closed, "--rehearse");
        assertEquals(0, ok.code(), ok.all());
        assertTrue(ok.out().contains("  Supabase's advisor's checks on the copy: the pending migrations add no error, 1 informational (in --json)"), ok.out());
        assertEquals(before, SupabaseShape.fingerprint(url));
    }

    @Test
    void rehearsePredictsAPolicyThatOpensPasswordHashesExit6() throws Exception {
        String url = SupabaseShape.seededProject();
        Path kit = TestSupport.kitWith("V5__public_admins.sql", "CREATE POLICY \"public admins\" ON \"Admin\" FOR SELECT TO anon USING (true);\n");
        TestSupport.Result r = migrate(url, kit, "--rehearse");
        assertEquals(6, r.code(), r.all());
        assertTrue(r.out().contains("  EXPOSES: V5__public_admins.sql line 1 (CREATE POLICY \"public admins\" ON \"Admin\" FOR SELECT TO anon USING (true))"
                + " would make sensitive_columns_exposed on \"public\".\"Admin\" (table): anon may select \"email\", \"passwordHash\" of it, through policy \"public admins\" (USING (true))"), r.out());
    }
}
