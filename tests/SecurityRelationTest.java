import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The advisor's checks on tables, views, materialized views, foreign tables and queues, on a
 * Supabase-shaped project that migrate and seed made: each fires (its level, the exit code), its
 * printed fix is applied and the finding is gone, and where it must not fire it does not.
 */
class SecurityRelationTest {
    static final String RLS_DISABLED = "rls_disabled_in_public";

    @Test
    void aTableWithoutRowLevelSecurityInPublicIsAnErrorProvenByReadingAsAnon() throws Exception {
        String url = SecurityChecks.project("create table \"Coupon\" (id int primary key, note text); insert into \"Coupon\" values (1, 'welcome')");
        JsonNode doc = SecurityChecks.status(url);
        assertEquals(6, doc.get("exitCode").asInt(), doc.toString());
        JsonNode f = SecurityChecks.finding(doc, RLS_DISABLED, "Coupon");
        assertEquals("error", f.get("level").asText());
        assertEquals("it has no row-level security, and anon and authenticated may select, insert, update, delete it (proven: a row came back to anon and authenticated)",
                f.get("finding").asText());
        assertEquals("rows 1", SecurityChecks.read(doc, "anon", "Coupon"));
        TestSupport.Result human = SecurityChecks.human(url);
        assertEquals(6, human.code(), human.all());
        assertTrue(human.out().contains("  ERROR rls_disabled_in_public: \"public\".\"Coupon\" (table): it has no row-level security"), human.out());
        assertTrue(human.out().contains("        fix: ALTER TABLE \"public\".\"Coupon\" ENABLE ROW LEVEL SECURITY (then add policies for what the API should see)"), human.out());
        assertTrue(human.out().contains("Security finding: rls_disabled_in_public on \"public\".\"Coupon\" (table) (see Security above)."), human.out());
        assertFalse(human.all().contains("welcome"), "a row's value was printed: " + human.all());

        JsonNode fixed = SecurityChecks.applyFix(url, f);
        assertEquals(List.of(), SecurityChecks.findings(fixed, RLS_DISABLED));
        assertEquals(0, fixed.get("exitCode").asInt(), fixed.toString());
        assertEquals("rows 0", SecurityChecks.read(fixed, "anon", "Coupon"));
    }

    @Test
    void aTableTheApiRolesHoldNoPrivilegeOnOrOutsideTheApiSchemasIsNotExposed() throws Exception {
        String url = SecurityChecks.project("""
                create table "Internal" (id int); revoke all on "Internal" from anon, authenticated;
                create schema private; create table private.t (id int); grant usage on schema private to anon; grant select on private.t to anon;
                """);
        JsonNode doc = SecurityChecks.status(url);
        assertEquals(List.of(), SecurityChecks.findings(doc, RLS_DISABLED));
        assertEquals(0, doc.get("exitCode").asInt(), doc.toString());
        // served once the schema is one the Data API serves
        assertEquals(List.of("t error"), SecurityChecks.findings(SecurityChecks.status(url, "--exposed-schemas", "public,private"), RLS_DISABLED));
    }

    @Test
    void policiesOnATableWithoutRowLevelSecurityAreAnErrorInAnyOfTheProjectsSchemas() throws Exception {
        String url = SecurityChecks.project("create schema internal; create table internal.notes (id int); create policy mine on internal.notes using (id = 1)");
        JsonNode f = SecurityChecks.error(url, "policy_exists_rls_disabled", "notes");
        assertEquals("1 policy but row-level security off", f.get("finding").asText());
        JsonNode fixed = SecurityChecks.applyFix(url, f);
        assertEquals(List.of(), SecurityChecks.findings(fixed, "policy_exists_rls_disabled"));
        assertEquals(0, fixed.get("exitCode").asInt(), fixed.toString());
        // a table with policies and row-level security on is what was meant
        assertEquals(List.of(), SecurityChecks.findings(fixed, "rls_enabled_no_policy").stream().filter(s -> s.startsWith("notes")).toList());
    }

    @Test
    void rowLevelSecurityWithoutAPolicyIsInformationShownWithVerbose() throws Exception {
        String url = SupabaseShape.seededProject();
        JsonNode doc = SecurityChecks.status(url);
        assertEquals(List.of("Admin info", "EmailTemplate info", "FeatureFlag info", "Member info", "PointConfig info", "Team info", "flyway_schema_history info"),
                SecurityChecks.findings(doc, "rls_enabled_no_policy"));
        assertEquals(0, doc.get("exitCode").asInt(), doc.toString());
        TestSupport.Result plain = SecurityChecks.human(url);
        assertFalse(plain.out().contains("rls_enabled_no_policy"), plain.out());
        assertTrue(plain.out().contains("  no error or warning, 7 informational (shown with --verbose and in --json)"), plain.out());
        TestSupport.Result verbose = SecurityChecks.human(url, "--verbose");
        assertTrue(verbose.out().contains("  INFO  rls_enabled_no_policy: \"public\".\"Team\" (table): row-level security on and no policy"), verbose.out());
        JsonNode fixed = SecurityChecks.applyFix(url, SecurityChecks.finding(doc, "rls_enabled_no_policy", "Team"), false,
                Map.of("<a condition on the row>", "\"ownerId\" = auth.uid()::text"));
        assertFalse(SecurityChecks.findings(fixed, "rls_enabled_no_policy").contains("Team info"), fixed.toString());
    }

    /** The second case: the fix printed for a view is one PostgreSQL accepts for a view. */
    @Test
    void aViewThatReadsAsItsOwnerIsAnErrorAndItsFixIsOnePostgresAcceptsForAView() throws Exception {
        String[] projects = SecurityChecks.twoProjects("create view \"AdminDirectory\" as select email, \"passwordHash\" from \"Admin\"");
        String url = projects[0], other = projects[1];
        JsonNode f = SecurityChecks.error(url, "security_definer_view", "AdminDirectory");
        JsonNode doc = SecurityChecks.status(url);
        assertEquals("ALTER VIEW \"public\".\"AdminDirectory\" SET (security_invoker = on)", f.get("fix").asText());
        assertEquals("REVOKE SELECT ON \"public\".\"AdminDirectory\" FROM anon, authenticated", f.get("or").asText());
        assertEquals("rows 1", SecurityChecks.read(doc, "anon", "AdminDirectory"));
        JsonNode sensitive = SecurityChecks.finding(doc, "sensitive_columns_exposed", "AdminDirectory");
        assertEquals("anon and authenticated can read rows of it, including \"email\", \"passwordHash\", as the view's owner postgres", sensitive.get("finding").asText());

        JsonNode fixed = SecurityChecks.applyFix(url, f);
        assertEquals(0, fixed.get("exitCode").asInt(), fixed.toString());
        assertEquals(List.of(), SecurityChecks.findings(fixed, "security_definer_view"));
        assertEquals(List.of(), SecurityChecks.findings(fixed, "sensitive_columns_exposed"));
        assertEquals("rows 0", SecurityChecks.read(fixed, "anon", "AdminDirectory"));
        JsonNode revoked = SecurityChecks.applyFix(other, SecurityChecks.finding(SecurityChecks.status(other), "security_definer_view", "AdminDirectory"), true, Map.of());
        assertEquals(0, revoked.get("exitCode").asInt(), revoked.toString());
        assertEquals("not read", SecurityChecks.read(revoked, "anon", "AdminDirectory"));
    }

    @Test
    void aViewThatReadsWithItsCallersRightsIsNotASecurityDefinerView() throws Exception {
        String url = SecurityChecks.project("create view \"AdminDirectory\" with (security_invoker = true) as select email, \"passwordHash\" from \"Admin\"");
        JsonNode doc = SecurityChecks.status(url);
        assertEquals(List.of(), SecurityChecks.findings(doc, "security_definer_view"));
        assertEquals(List.of(), SecurityChecks.findings(doc, "sensitive_columns_exposed"));
        assertEquals("rows 0", SecurityChecks.read(doc, "anon", "AdminDirectory"));
        assertEquals(0, doc.get("exitCode").asInt(), doc.toString());
    }

    @Test
    void aViewOfAuthUsersTheApiRolesMaySelectIsAnError() throws Exception {
        String url = SecurityChecks.project("create view \"Users\" as select id, email from auth.users; create schema private; create view private.users as select id from auth.users");
        JsonNode f = SecurityChecks.error(url, "auth_users_exposed", "Users");
        JsonNode doc = SecurityChecks.status(url);
        assertEquals("REVOKE SELECT ON \"public\".\"Users\" FROM anon, authenticated", f.get("fix").asText());
        assertEquals(List.of("Users error"), SecurityChecks.findings(doc, "auth_users_exposed")); // private.users is not served
        JsonNode fixed = SecurityChecks.applyFix(url, f);
        assertEquals(List.of(), SecurityChecks.findings(fixed, "auth_users_exposed"));
        assertEquals(0, fixed.get("exitCode").asInt(), fixed.toString());
    }

    @Test
    void aMaterializedViewTheApiRolesMaySelectIsAWarning() throws Exception {
        String url = SecurityChecks.project("create materialized view \"FlagCounts\" as select category, count(*) from \"FeatureFlag\" group by 1;"
                + " create schema private; create materialized view private.counts as select count(*) from \"Team\"");
        JsonNode doc = SecurityChecks.status(url);
        assertEquals(List.of("FlagCounts warning"), SecurityChecks.findings(doc, "materialized_view_in_api"));
        assertEquals(0, doc.get("exitCode").asInt(), doc.toString());
        TestSupport.Result human = SecurityChecks.human(url);
        assertTrue(human.out().contains("  WARN  materialized_view_in_api: \"public\".\"FlagCounts\" (materialized view): anon and authenticated may select it"
                + " (proven: a row came back to anon and authenticated)"), human.out());
        assertTrue(human.out().contains("Database is up to date."), human.out());
        JsonNode fixed = SecurityChecks.applyFix(url, SecurityChecks.finding(doc, "materialized_view_in_api", "FlagCounts"));
        assertEquals(List.of(), SecurityChecks.findings(fixed, "materialized_view_in_api"));
    }

    @Test
    void aForeignTableTheApiRolesMayUseIsAWarningAndItsFailedReadIsNotCountedAsNoRows() throws Exception {
        String url = SupabaseShape.seededProject();
        SecurityChecks.asPlatform(url, "create extension postgres_fdw; create server elsewhere foreign data wrapper postgres_fdw options (dbname 'none');"
                + " grant usage on foreign server elsewhere to postgres");
        SupabaseShape.asOperator(url, "create foreign table \"Remote\" (id text) server elsewhere options (table_name 'Team')");
        JsonNode doc = SecurityChecks.status(url);
        JsonNode f = SecurityChecks.finding(doc, "foreign_table_in_api", "Remote");
        assertEquals("warning", f.get("level").asText());
        assertTrue(SecurityChecks.read(doc, "anon", "Remote").startsWith("not proven: reading it as anon failed (SQLSTATE "), SecurityChecks.read(doc, "anon", "Remote"));
        assertTrue(f.get("finding").asText().contains("not proven for anon: reading it as anon failed"), f.toString());
        JsonNode fixed = SecurityChecks.applyFix(url, f);
        assertEquals(List.of(), SecurityChecks.findings(fixed, "foreign_table_in_api"));
    }

    @Test
    void aQueueWithoutRowLevelSecurityIsAnErrorWhenPgmqPublicIsServed() throws Exception {
        String url = SupabaseShape.seededProject();
        SecurityChecks.asPlatform(url, """
                create schema pgmq; create table pgmq.q_jobs (msg_id bigint primary key, message jsonb); alter table pgmq.q_jobs owner to postgres;
                grant usage on schema pgmq to anon, authenticated; grant select, insert, update, delete on pgmq.q_jobs to anon, authenticated""");
        assertEquals(List.of(), SecurityChecks.findings(SecurityChecks.status(url), "insecure_queue_exposed_in_api"));
        JsonNode doc = SecurityChecks.status(url, "--exposed-schemas", "public,pgmq_public");
        assertEquals(6, doc.get("exitCode").asInt(), doc.toString());
        JsonNode f = SecurityChecks.finding(doc, "insecure_queue_exposed_in_api", "q_jobs");
        assertEquals("ALTER TABLE \"pgmq\".\"q_jobs\" ENABLE ROW LEVEL SECURITY", f.get("fix").asText());
        SupabaseShape.asOperator(url, f.get("fix").asText());
        assertEquals(List.of(), SecurityChecks.findings(SecurityChecks.status(url, "--exposed-schemas", "public,pgmq_public"), "insecure_queue_exposed_in_api"));
    }

    /**
     * pg_graphql cannot be built here (Supabase's own extension); the test records it as installed in
     * the project's catalog, as the platform's CREATE EXTENSION would, and the checks then see what the
     * GraphQL schema would show to anon and authenticated.
     */
    @Test
    void withPgGraphqlEveryRelationTheApiRolesMaySelectIsAWarningForEachRole() throws Exception {
        String url = SupabaseShape.seededProject();
        assertEquals(List.of(), SecurityChecks.findings(SecurityChecks.status(url), "pg_graphql_anon_table_exposed"));
        SecurityChecks.asPlatform(url, "insert into pg_extension (oid, extname, extowner, extnamespace, extrelocatable, extversion)"
                + " select (select max(oid)::text::bigint + 1 from pg_extension)::text::oid, 'pg_graphql', 10, 'extensions'::regnamespace, false, '1.5.11'");
        JsonNode doc = SecurityChecks.status(url);
        assertTrue(SecurityChecks.findings(doc, "pg_graphql_anon_table_exposed").containsAll(List.of("Admin warning", "Team warning")), doc.toString());
        assertTrue(SecurityChecks.findings(doc, "pg_graphql_authenticated_table_exposed").contains("Team warning"), doc.toString());
        assertEquals(0, doc.get("exitCode").asInt(), doc.toString());
        JsonNode fixed = SecurityChecks.applyFix(url, SecurityChecks.finding(doc, "pg_graphql_anon_table_exposed", "Team"));
        assertFalse(SecurityChecks.findings(fixed, "pg_graphql_anon_table_exposed").contains("Team warning"), fixed.toString());
        assertTrue(SecurityChecks.findings(fixed, "pg_graphql_authenticated_table_exposed").contains("Team warning"), fixed.toString());
    }
}
