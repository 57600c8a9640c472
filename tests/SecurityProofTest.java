import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Proof with the API roles' own eyes, and the checks on policies: what anon and authenticated read
 * without a JWT decides the sensitive columns finding where the catalog cannot (a policy with a
 * condition), a read that could not be made is said and never counted as no rows, and the reads are
 * bounded in time.
 */
class SecurityProofTest {
    static final String SENSITIVE = "sensitive_columns_exposed";
    static final Map<String, String> NARROWED = Map.of("<a condition on the row>", "\"email\" = auth.email()");

    /** The issue's first case: RLS on, and a policy that lets anon read every admin, password hashes included. */
    @Test
    void aPolicyUsingTrueForAnonOnAdminIsAnErrorProvenWithTheHashColumn() throws Exception {
        String[] projects = SecurityChecks.twoProjects("create policy p on \"Admin\" for select to anon using (true)");
        String url = projects[0], other = projects[1];
        JsonNode f = SecurityChecks.error(url, SENSITIVE, "Admin");
        JsonNode doc = SecurityChecks.status(url);
        assertEquals("anon can read rows of it, including \"email\", \"passwordHash\", through policy \"p\" (USING (true))", f.get("finding").asText());
        assertTrue(f.get("proven").asBoolean());
        assertEquals("rows 1", SecurityChecks.read(doc, "anon", "Admin"));
        assertEquals("rows 0", SecurityChecks.read(doc, "authenticated", "Admin"));
        assertEquals(List.of("Admin policy \"p\" info"), SecurityChecks.findings(doc, "rls_policy_always_true"));
        TestSupport.Result human = SecurityChecks.human(url);
        assertEquals(6, human.code(), human.all());
        assertTrue(human.out().contains("  ERROR sensitive_columns_exposed: \"public\".\"Admin\" (table): anon can read rows of it, including \"email\", \"passwordHash\","
                + " through policy \"p\" (USING (true)); secrets or personal data go to anyone holding the key"), human.out());
        String security = human.out().substring(human.out().indexOf("Security ("));
        assertFalse(human.all().contains("$argon2id$") || security.contains(TestSupport.ADMIN_EMAIL), "a row's value was printed: " + human.all());

        JsonNode narrowed = SecurityChecks.applyFix(url, f, false, NARROWED);
        assertEquals(0, narrowed.get("exitCode").asInt(), narrowed.toString());
        assertEquals("rows 0", SecurityChecks.read(narrowed, "anon", "Admin"));
        JsonNode dropped = SecurityChecks.applyFix(other, SecurityChecks.finding(SecurityChecks.status(other), SENSITIVE, "Admin"), true, Map.of());
        assertEquals(0, dropped.get("exitCode").asInt(), dropped.toString());
    }

    /** A condition the catalog cannot judge: what came back decides, both ways. */
    @Test
    void aPolicyWithAConditionIsAnErrorOnlyWhenReadingAsTheRoleBringsRowsBack() throws Exception {
        String url = SecurityChecks.project("create policy nobody on \"Admin\" for select to authenticated using (\"email\" = 'nobody@example.com')");
        JsonNode quiet = SecurityChecks.status(url);
        assertEquals(List.of(), SecurityChecks.findings(quiet, SENSITIVE));
        assertEquals("rows 0", SecurityChecks.read(quiet, "authenticated", "Admin"));
        assertEquals(0, quiet.get("exitCode").asInt(), quiet.toString());
        SupabaseShape.asOperator(url, "create policy supers on \"Admin\" for select to authenticated using (role = 'SUPER_ADMIN')");
        JsonNode doc = SecurityChecks.status(url);
        assertEquals(6, doc.get("exitCode").asInt(), doc.toString());
        assertEquals("authenticated can read rows of it, including \"email\", \"passwordHash\", through policies \"nobody\" (USING ((email = 'nobody@example.com'::text)))"
                + " and \"supers\" (USING ((role = 'SUPER_ADMIN'::\"AdminRole\")))", SecurityChecks.finding(doc, SENSITIVE, "Admin").get("finding").asText());
        assertEquals(List.of(), SecurityChecks.findings(doc, "rls_policy_always_true"));
    }

    @Test
    void rowsAPolicyOpensToAnonAreInformationWhenNoColumnIsSensitive() throws Exception {
        String url = SupabaseShape.seededProject();
        assertEquals(List.of(), SecurityChecks.findings(SecurityChecks.status(url), "api_role_reads_rows"));
        SupabaseShape.asOperator(url, "create policy flags on \"FeatureFlag\" for select to anon using (\"key\" is not null)");
        JsonNode doc = SecurityChecks.status(url);
        JsonNode f = SecurityChecks.finding(doc, "api_role_reads_rows", "FeatureFlag");
        assertEquals("info", f.get("level").asText());
        assertEquals("anon can read rows of it, through policy \"flags\" (USING ((key IS NOT NULL)))", f.get("finding").asText());
        assertEquals(0, doc.get("exitCode").asInt(), doc.toString());
        JsonNode fixed = SecurityChecks.applyFix(url, f, false, Map.of("<a condition on the row>", "false"));
        assertEquals(List.of(), SecurityChecks.findings(fixed, "api_role_reads_rows"));
    }

    @Test
    void aPolicyThatLetsTheApiRolesWriteEveryRowIsAWarning() throws Exception {
        String url = SecurityChecks.project("""
                create policy edit on "Team" for update to authenticated using (true);
                create policy signup on "Member" for insert to anon with check (true);
                create policy own on "Team" for delete to authenticated using ("ownerId" = auth.uid()::text);
                create policy gate on "Team" as restrictive for update to authenticated using (true);
                """);
        JsonNode doc = SecurityChecks.status(url);
        assertEquals(List.of("Member policy \"signup\" warning", "Team policy \"edit\" warning"), SecurityChecks.findings(doc, "rls_policy_always_true"));
        assertEquals(0, doc.get("exitCode").asInt(), doc.toString());
        JsonNode edit = SecurityChecks.finding(doc, "rls_policy_always_true", "Team");
        assertEquals("it lets authenticated update every row (USING (true))", edit.get("finding").asText());
        JsonNode fixed = SecurityChecks.applyFix(url, edit, false, Map.of("<a condition on the row>", "\"ownerId\" = auth.uid()::text"));
        assertEquals(List.of("Member policy \"signup\" warning"), SecurityChecks.findings(fixed, "rls_policy_always_true"));
        JsonNode signup = SecurityChecks.finding(fixed, "rls_policy_always_true", "Member");
        assertEquals("ALTER POLICY \"signup\" ON \"public\".\"Member\" WITH CHECK (<a condition on the new row>)", signup.get("fix").asText());
        JsonNode both = SecurityChecks.applyFix(url, signup, false, Map.of("<a condition on the new row>", "\"email\" = auth.email()"));
        assertEquals(List.of(), SecurityChecks.findings(both, "rls_policy_always_true"));
    }

    @Test
    void aPolicyThatTrustsUserMetadataIsAnError() throws Exception {
        String url = SupabaseShape.seededProject();
        String claims = "(current_setting('request.jwt.claims', true)::jsonb -> '%s' ->> 'team') = name";
        SupabaseShape.asOperator(url, "create policy mine on \"Team\" for select to authenticated using (" + claims.formatted("user_metadata") + ")");
        JsonNode doc = SecurityChecks.status(url);
        assertEquals(6, doc.get("exitCode").asInt(), doc.toString());
        JsonNode f = SecurityChecks.finding(doc, "rls_references_user_metadata", "Team");
        assertEquals("policy \"mine\"", f.get("kind").asText());
        JsonNode fixed = SecurityChecks.applyFix(url, f, false, Map.of("<the same test on app_metadata, which only the server writes>", claims.formatted("app_metadata")));
        assertEquals(List.of(), SecurityChecks.findings(fixed, "rls_references_user_metadata"));
        assertEquals(0, fixed.get("exitCode").asInt(), fixed.toString());
    }

    /** status as a role that may not take on anon: the reads are said not made, never taken for "no rows". */
    @Test
    void aRoleThatIsNotAMemberOfTheApiRolesSaysTheProofWasNotMade() throws Exception {
        String url = SupabaseShape.freshProject();
        String role = "auditor" + System.nanoTime();
        SecurityChecks.asPlatform(url, "create role " + role + " login password 'auditor-password'");
        SupabaseShape.asOperator(url, "create table \"Open\" (id int)");
        String asAuditor = url.replaceFirst("//[^@]*@", "//" + role + ":auditor-password@");
        TestSupport.Result r = SupabaseShape.run(new status(), TestSupport.env("DIRECT_URL", asAuditor), "--json");
        JsonNode doc = Console.JSON.readTree(r.out());
        assertTrue(doc.has("security"), r.all());
        String why = "role " + role + " is not a member of anon, so it cannot read as anon (run status as postgres)";
        assertEquals("not proven: " + why, SecurityChecks.read(doc, "anon", "Open"));
        assertTrue(SecurityChecks.finding(doc, "rls_disabled_in_public", "Open").get("finding").asText().contains("not proven for anon: " + why), doc.toString());
        TestSupport.Result human = SupabaseShape.run(new status(), TestSupport.env("DIRECT_URL", asAuditor));
        assertTrue(human.out().contains("proof: 2 reads as anon or authenticated without a JWT (LIMIT 1, no value kept): 2 not made"), human.out());
        assertTrue(human.out().contains("  not proven: " + why), human.out());
    }

    @Test
    void theReadsAreBoundedInTimeAndALockedRelationDoesNotHoldThemUp() throws Exception {
        String url = SecurityChecks.project("create view \"Slow\" as select 1 as x from pg_sleep(30)");
        try (Connection platform = SupabaseShape.platform(url)) {
            platform.setAutoCommit(false);
            platform.createStatement().execute("lock table \"Member\" in access exclusive mode");
            long started = System.nanoTime();
            JsonNode doc = SecurityChecks.status(url);
            long seconds = (System.nanoTime() - started) / 1_000_000_000;
            assertTrue(seconds < 10, "status took " + seconds + " s");
            assertEquals("not proven: its lock was held by another session for longer than 1 s", SecurityChecks.read(doc, "anon", "Member"));
            assertEquals("rows 0", SecurityChecks.read(doc, "anon", "PointConfig"));
            assertEquals("not proven: the reads' 3 s ran out first", SecurityChecks.read(doc, "anon", "Slow"));
            assertEquals("not proven: the reads' 3 s ran out first", SecurityChecks.read(doc, "anon", "Team"));
            assertEquals(6, doc.get("exitCode").asInt(), doc.toString()); // the view's own finding, from the catalog
            platform.rollback();
        }
    }

    /** A fresh project, migrated and seeded: nothing at error level, and the platform's schemas said once. */
    @Test
    void aFreshProjectHasNoSecurityErrorAndThePlatformsSchemasAreSaidOnce() throws Exception {
        String url = SupabaseShape.seededProject();
        JsonNode doc = SecurityChecks.status(url);
        assertEquals(0, doc.get("exitCode").asInt(), doc.toString());
        assertEquals("ok", doc.get("security").get("state").asText());
        for (JsonNode f : doc.get("security").get("findings")) assertEquals("info", f.get("level").asText(), f.toString());
        for (JsonNode r : doc.get("security").get("reads")) assertEquals(0, r.get("rows").asInt(), r.toString());
        assertEquals(14, doc.get("security").get("reads").size(), doc.toString());
        TestSupport.Result human = SecurityChecks.human(url);
        String platform = "  not checked: the platform's schemas (auth, extensions, graphql_public, realtime, storage), which are Supabase's to fix";
        assertEquals(1, human.out().split(java.util.regex.Pattern.quote(platform), -1).length - 1, human.out());
        assertTrue(human.out().contains("  proof: 14 reads as anon or authenticated without a JWT (LIMIT 1, no value kept): 14 gave no row"), human.out());
    }
}
