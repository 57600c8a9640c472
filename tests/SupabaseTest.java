import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A Supabase-like database: the Data API roles and Supabase's default grants on public. */
class SupabaseTest {

    /** Roles are cluster-wide (made once); the default privileges are per database, as Supabase sets them. */
    static String supabaseLikeDatabase() {
        String url = TestSupport.freshDatabase();
        TestSupport.exec(url, """
                do $$ begin
                  if not exists (select 1 from pg_roles where rolname = 'anon') then create role anon nologin noinherit; end if;
                  if not exists (select 1 from pg_roles where rolname = 'authenticated') then create role authenticated nologin noinherit; end if;
                  if not exists (select 1 from pg_roles where rolname = 'service_role') then create role service_role nologin noinherit bypassrls; end if;
                end $$;
                grant usage on schema public to anon, authenticated, service_role;
                alter default privileges for role kit in schema public grant all on tables to anon, authenticated, service_role;
                alter default privileges for role kit in schema public grant all on sequences to anon, authenticated, service_role;
                alter default privileges for role kit in schema public grant all on functions to anon, authenticated, service_role;
                """);
        return url;
    }

    static final List<String> TABLES = List.of("Admin", "FeatureFlag", "PointConfig", "EmailTemplate", "Member", "Team", "flyway_schema_history");

    @Test
    void afterMigrateNoAppOrBookkeepingRowCanBeReadOrWrittenAsAnon() throws Exception {
        String url = supabaseLikeDatabase();
        assertEquals(0, TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url)).code());
        assertEquals(0, TestSupport.run(new seed(), TestSupport.adminEnv(url), "--dev").code());
        try (Connection c = TestSupport.server().admin(TestSupport.databaseName(url))) {
            for (String role : List.of("anon", "authenticated")) {
                c.createStatement().execute("set role " + role);
                for (String table : TABLES) {
                    var rs = c.createStatement().executeQuery("select count(*) from \"" + table + "\"");
                    rs.next();
                    assertEquals(0, rs.getInt(1), role + " reads rows of " + table);
                    int updated = c.createStatement().executeUpdate("update \"" + table + "\" set "
                            + (table.equals("flyway_schema_history") ? "success = false" : "\"updatedAt\" = now()"));
                    assertEquals(0, updated, role + " updated rows of " + table);
                    assertEquals(0, c.createStatement().executeUpdate("delete from \"" + table + "\""), role + " deleted rows of " + table);
                    SQLException denied = assertThrows(SQLException.class,
                            () -> c.createStatement().execute("insert into \"" + table + "\" default values"), role + " inserts into " + table);
                    assertTrue(denied.getMessage().contains("row-level security") || denied.getMessage().contains("null value"), denied.getMessage());
                }
                c.createStatement().execute("reset role");
            }
        }
        // the owner (the app's connection) still sees everything
        assertEquals("2", TestSupport.one(url, "select count(*) from \"Admin\""));
        TestSupport.Result status = TestSupport.run(new status(), TestSupport.adminEnv(url));
        assertEquals(0, status.code(), status.all());
        assertTrue(status.out().contains("  no error or warning, 7 informational (shown with --verbose and in --json)"), status.out());
        assertTrue(status.out().contains("  proof: 14 reads as anon or authenticated without a JWT (LIMIT 1, no value kept): 14 gave no row"), status.out());
    }

    @Test
    void aTableAddedByHandWithoutRlsIsASecurityFindingExit6() throws Exception {
        String url = supabaseLikeDatabase();
        assertEquals(0, TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url)).code());
        assertEquals(0, TestSupport.run(new seed(), TestSupport.adminEnv(url)).code());
        TestSupport.exec(url, "set role kit; create table \"ApiKey\" (id text primary key, \"secretToken\" text, \"ownerEmail\" text); reset role");
        TestSupport.Result r = TestSupport.run(new status(), TestSupport.adminEnv(url));
        assertEquals(6, r.code(), r.all());
        assertTrue(r.out().contains("ERROR rls_disabled_in_public: \"public\".\"ApiKey\" (table): it has no row-level security, and anon and authenticated may select, insert, update, delete it"), r.out());
        assertTrue(r.out().contains("ERROR sensitive_columns_exposed: \"public\".\"ApiKey\" (table): anon and authenticated may select \"secretToken\", \"ownerEmail\" of it"), r.out());
        assertTrue(r.out().contains("Security finding: rls_disabled_in_public on \"public\".\"ApiKey\" (table); sensitive_columns_exposed on \"public\".\"ApiKey\" (table)"), r.out());
        JsonNode doc = Console.JSON.readTree(TestSupport.run(new status(), TestSupport.adminEnv(url), "--json").out());
        assertEquals(6, doc.get("exitCode").asInt());
        assertEquals("ApiKey", doc.get("security").get("findings").get(0).get("name").asText());
        TestSupport.exec(url, "alter table \"ApiKey\" enable row level security");
        assertEquals(0, TestSupport.run(new status(), TestSupport.adminEnv(url)).code());
        // a revoked table is not exposed either, and an unexposed schema is not looked at
        TestSupport.exec(url, "set role kit; create table \"Internal\" (id int); revoke all on \"Internal\" from anon, authenticated; create schema private; create table private.t (id int); reset role");
        assertEquals(0, TestSupport.run(new status(), TestSupport.adminEnv(url)).code());
    }

    @Test
    void aPlainPostgresIsNotSupabase() throws Exception {
        // its own server: the Data API roles the other tests make are cluster-wide
        try (EmbeddedServer plain = EmbeddedServer.start(17, null, true)) {
            String url = plain.createDatabase("plain");
            assertEquals(0, TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url)).code());
            TestSupport.Result r = TestSupport.run(new status(), TestSupport.env("DIRECT_URL", url), "--json");
            JsonNode security = Console.JSON.readTree(r.out()).get("security");
            assertEquals("not checked", security.get("state").asText(), r.out());
            assertTrue(security.get("reason").asText().contains("not Supabase"), r.out());
        }
    }
}
