import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The advisor's checks on functions, extensions, column types and keys into Auth, on a
 * Supabase-shaped project: each fires at its level, its printed fix is applied and it is gone, and
 * where it must not fire it does not.
 */
class SecurityRoutineTest {

    /** The third case: a SECURITY DEFINER function that anon may execute is reported. */
    @Test
    void aSecurityDefinerFunctionTheApiRolesMayExecuteIsAWarningForEachRole() throws Exception {
        String[] projects = SecurityChecks.twoProjects("create function grant_points(member text, n int) returns int language sql security definer set search_path = '' as 'select n'");
        String url = projects[0], other = projects[1];
        JsonNode doc = SecurityChecks.status(url);
        assertEquals(List.of("grant_points warning"), SecurityChecks.findings(doc, "anon_security_definer_function_executable"));
        assertEquals(List.of("grant_points warning"), SecurityChecks.findings(doc, "authenticated_security_definer_function_executable"));
        assertEquals(List.of(), SecurityChecks.findings(doc, "function_search_path_mutable"));
        assertEquals(0, doc.get("exitCode").asInt(), doc.toString());
        JsonNode anon = SecurityChecks.finding(doc, "anon_security_definer_function_executable", "grant_points");
        assertEquals("REVOKE EXECUTE ON FUNCTION \"public\".\"grant_points\"(member text, n integer) FROM PUBLIC, anon", anon.get("fix").asText());
        TestSupport.Result human = SecurityChecks.human(url);
        assertTrue(human.out().contains("  WARN  anon_security_definer_function_executable: \"public\".\"grant_points\"(member text, n integer) (function):"
                + " it is SECURITY DEFINER, and anon may execute it (as may PUBLIC, every role); anyone with the anon key may call it through /rest/v1/rpc"), human.out());
        JsonNode fixed = SecurityChecks.applyFix(url, anon);
        assertEquals(List.of(), SecurityChecks.findings(fixed, "anon_security_definer_function_executable"));
        JsonNode authenticated = SecurityChecks.finding(fixed, "authenticated_security_definer_function_executable", "grant_points");
        assertEquals(List.of(), SecurityChecks.findings(SecurityChecks.applyFix(url, authenticated), "authenticated_security_definer_function_executable"));
        JsonNode invoker = SecurityChecks.applyFix(other, SecurityChecks.finding(SecurityChecks.status(other), "anon_security_definer_function_executable", "grant_points"), true, Map.of());
        assertEquals(List.of(), SecurityChecks.findings(invoker, "anon_security_definer_function_executable"));
        assertEquals(List.of(), SecurityChecks.findings(invoker, "authenticated_security_definer_function_executable"));
    }

    @Test
    void aSecurityDefinerFunctionOutsideTheApiSchemasOrATriggerIsNotCallableThroughTheApi() throws Exception {
        String url = SecurityChecks.project("""
                create schema private;
                create function private.grant_points(n int) returns int language sql security definer set search_path = '' as 'select n';
                create function stamp() returns trigger language plpgsql security definer set search_path = '' as 'begin return new; end';
                create function total(n int) returns int language sql set search_path = '' as 'select n';
                create function api_points(n int) returns int language sql security definer set search_path = '' as 'select n';
                """);
        JsonNode doc = SecurityChecks.status(url);
        // of the four, only the SECURITY DEFINER function of public can be called through the Data API
        assertEquals(List.of("api_points warning"), SecurityChecks.findings(doc, "anon_security_definer_function_executable"));
        assertEquals(List.of("api_points warning"), SecurityChecks.findings(doc, "authenticated_security_definer_function_executable"));
    }

    @Test
    void aFunctionWithoutAFixedSearchPathIsAWarning() throws Exception {
        String url = SecurityChecks.project("create function member_count() returns bigint language sql as 'select count(*) from \"Member\"';"
                + " create function fixed() returns int language sql set search_path = '' as 'select 1'");
        JsonNode doc = SecurityChecks.status(url), f = SecurityChecks.finding(doc, "function_search_path_mutable", "member_count");
        assertEquals("ALTER FUNCTION \"public\".\"member_count\"() SET search_path = ''", f.get("fix").asText());
        assertEquals(List.of("member_count warning"), SecurityChecks.findings(doc, "function_search_path_mutable")); // not fixed()
        assertEquals(List.of(), SecurityChecks.findings(SecurityChecks.applyFix(url, f), "function_search_path_mutable"));
    }

    @Test
    void anExtensionInPublicIsAWarningAndOneInExtensionsIsNot() throws Exception {
        String url = SupabaseShape.seededProject();
        assertEquals(List.of(), SecurityChecks.findings(SecurityChecks.status(url), "extension_in_public")); // uuid-ossp and pgcrypto are in extensions
        SupabaseShape.asOperator(url, "create extension pg_trgm schema public");
        JsonNode doc = SecurityChecks.status(url);
        JsonNode f = SecurityChecks.finding(doc, "extension_in_public", "pg_trgm");
        assertEquals("warning", f.get("level").asText());
        assertEquals("ALTER EXTENSION \"pg_trgm\" SET SCHEMA extensions", f.get("fix").asText());
        // postgres made it, a trusted extension, so its functions are the platform's: postgres drops and makes it again
        assertEquals("DROP EXTENSION \"pg_trgm\"; CREATE EXTENSION \"pg_trgm\" WITH SCHEMA extensions", f.get("or").asText());
        assertEquals(List.of(), SecurityChecks.findings(SecurityChecks.applyFix(url, f, true, Map.of()), "extension_in_public"));
        assertEquals("extensions", SupabaseShape.one(url, "select extnamespace::regnamespace from pg_extension where extname = 'pg_trgm'"));
    }

    @Test
    void anExtensionBehindItsDefaultVersionIsAWarning() throws Exception {
        String url = SecurityChecks.project("create schema search; create extension pg_trgm with schema search version '1.3'");
        JsonNode doc = SecurityChecks.status(url);
        JsonNode f = SecurityChecks.finding(doc, "extension_versions_outdated", "pg_trgm");
        assertTrue(f.get("finding").asText().startsWith("version 1.3 is installed and "), f.toString());
        assertEquals(List.of(), SecurityChecks.findings(SecurityChecks.applyFix(url, f), "extension_versions_outdated"));
    }

    @Test
    void aRegTypeColumnIsAWarning() throws Exception {
        String url = SecurityChecks.project("alter table \"Team\" add column \"checker\" regproc, add column \"note\" text");
        JsonNode doc = SecurityChecks.status(url);
        assertEquals(List.of("Team warning"), SecurityChecks.findings(doc, "unsupported_reg_types"));
        assertEquals(List.of(), SecurityChecks.findings(SecurityChecks.applyFix(url, SecurityChecks.finding(doc, "unsupported_reg_types", "Team")), "unsupported_reg_types"));
    }

    @Test
    void aForeignKeyToAuthsUniqueEmailIsAnErrorAndOneToItsPrimaryKeyIsNot() throws Exception {
        String url = SupabaseShape.seededProject();
        SecurityChecks.asPlatform(url, "alter table auth.users add constraint users_email_unique unique (email)");
        SupabaseShape.asOperator(url, "create schema internal; create table internal.profile (id uuid references auth.users (id), email varchar(255) references auth.users (email))");
        JsonNode doc = SecurityChecks.status(url);
        assertEquals(6, doc.get("exitCode").asInt(), doc.toString());
        assertEquals(List.of("profile error"), SecurityChecks.findings(doc, "fkey_to_auth_unique"));
        JsonNode fixed = SecurityChecks.applyFix(url, SecurityChecks.finding(doc, "fkey_to_auth_unique", "profile"));
        assertEquals(List.of(), SecurityChecks.findings(fixed, "fkey_to_auth_unique"));
        assertEquals(0, fixed.get("exitCode").asInt(), fixed.toString());
    }
}
