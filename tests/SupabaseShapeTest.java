import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The kit against a database built by Supabase's own set-up scripts (SupabaseShape), as an
 * operator connects to a real project: {@code postgres}, a non-superuser, with its password.
 */
class SupabaseShapeTest {
    static final String NOT_MANAGED = "not managed here: the platform's schemas (auth, extensions, graphql_public, realtime, storage) and the extensions it installed (pgcrypto, uuid-ossp)";

    static Map<String, String> env(String url) {
        return TestSupport.adminEnv(url);
    }

    static TestSupport.Result migrate(String url, String... args) {
        return SupabaseShape.run(new migrate(), env(url), args);
    }

    /** status --schema --json: the drift lines, with the exit code checked against them (and security). */
    static JsonNode schema(String url, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("--schema", "--json"));
        args.addAll(List.of(more));
        TestSupport.Result r = SupabaseShape.run(new status(), env(url), args.toArray(String[]::new));
        JsonNode doc = Console.JSON.readTree(r.out());
        assertEquals(doc.get("exitCode").asInt(), r.code(), r.all());
        return doc;
    }

    static List<String> differences(JsonNode doc) {
        List<String> lines = new ArrayList<>();
        doc.get("drift").get("differences").forEach(d -> lines.add(d.asText()));
        return lines;
    }

    @Test
    void theProjectIsShapedAsSupabaseShapesIt() throws Exception {
        String url = SupabaseShape.freshProject();
        assertEquals("false|true|true", SupabaseShape.one(url, "select rolsuper, rolbypassrls, rolcreaterole from pg_roles where rolname = 'postgres'"));
        assertEquals("postgres", SupabaseShape.one(url, "select datdba::regrole from pg_database where datname = current_database()"));
        assertEquals(List.of("pgcrypto|extensions", "uuid-ossp|extensions"),
                SupabaseShape.rows(url, "select extname, extnamespace::regnamespace from pg_extension where extname <> 'plpgsql' order by 1"));
        assertTrue(SupabaseShape.rows(url, "select evtname from pg_event_trigger").containsAll(List.of("pgrst_ddl_watch", "pgrst_drop_watch")));
        assertTrue(SupabaseShape.rows(url, "select nspname from pg_namespace").containsAll(List.of("auth", "storage", "realtime", "extensions", "graphql_public")));
        // a table postgres makes in public is granted to the Data API roles
        SupabaseShape.asOperator(url, "create table probe (id int)");
        assertEquals("true|true", SupabaseShape.one(url, "select has_table_privilege('anon', 'probe', 'select'), has_table_privilege('authenticated', 'probe', 'insert')"));
        // Supabase grants postgres pg_monitor: it does see what other roles' sessions run
        try (Connection platform = SupabaseShape.platform(url); Connection operator = SupabaseShape.operator(url)) {
            platform.createStatement().execute("select 'held by the platform' where pg_sleep(0) is not null");
            var rs = operator.createStatement().executeQuery("select query from pg_stat_activity where usename = 'supabase_admin' and datname = current_database()");
            assertTrue(rs.next());
            assertTrue(rs.getString(1).contains("held by the platform"), rs.getString(1));
        }
    }

    static final List<String> APP_TABLES = List.of("Admin", "FeatureFlag", "PointConfig", "EmailTemplate", "Member", "Team", "flyway_schema_history");

    @Test
    void migrateSeedAndStatusWorkAsPostgresAndAnonReadsAndWritesNothing() throws Exception {
        String url = SupabaseShape.freshProject();
        TestSupport.Result m = migrate(url);
        assertEquals(0, m.code(), m.all());
        assertTrue(m.out().contains("Applied 4 migrations"), m.out());
        TestSupport.Result s = SupabaseShape.run(new seed(), env(url), "--dev");
        assertEquals(0, s.code(), s.all());
        assertEquals("2|9|5|10", SupabaseShape.one(url, "select (select count(*) from \"Admin\"), (select count(*) from \"FeatureFlag\"), (select count(*) from \"PointConfig\"), (select count(*) from \"EmailTemplate\")"));
        assertEquals("postgres", SupabaseShape.one(url, "select tableowner from pg_tables where tablename = 'Admin'"));
        TestSupport.Result st = SupabaseShape.run(new status(), env(url));
        assertEquals(0, st.code(), st.all());
        assertTrue(st.out().contains("every table in public that anon or authenticated can reach has row-level security"), st.out());
        assertTrue(st.out().contains("Database is up to date."), st.out());
        // the Data API's roles, taken on by the operator's own session as PostgREST takes them on
        try (Connection c = SupabaseShape.operator(url)) {
            for (String role : List.of("anon", "authenticated")) {
                c.createStatement().execute("set role " + role);
                for (String table : APP_TABLES) {
                    var rs = c.createStatement().executeQuery("select count(*) from \"" + table + "\"");
                    rs.next();
                    assertEquals(0, rs.getInt(1), role + " reads rows of " + table);
                    assertEquals(0, c.createStatement().executeUpdate("update \"" + table + "\" set "
                            + (table.equals("flyway_schema_history") ? "success = false" : "\"updatedAt\" = now()")), role + " updated rows of " + table);
                    assertEquals(0, c.createStatement().executeUpdate("delete from \"" + table + "\""), role + " deleted rows of " + table);
                    SQLException denied = assertThrows(SQLException.class,
                            () -> c.createStatement().execute("insert into \"" + table + "\" default values"), role + " inserts into " + table);
                    assertTrue(denied.getMessage().contains("row-level security") || denied.getMessage().contains("null value"), denied.getMessage());
                }
                c.createStatement().execute("reset role");
            }
        }
        assertEquals("2|9", SupabaseShape.one(url, "select (select count(*) from \"Admin\"), (select count(*) from \"FeatureFlag\")"));
        // the same again changes nothing
        assertEquals(0, migrate(url).code());
        assertEquals(0, SupabaseShape.run(new seed(), env(url)).code());
    }

    @Test
    void aFreshProjectHasNoDriftAndThePlatformIsSaidOnceToBeNotManagedHere() throws Exception {
        String url = SupabaseShape.freshProject();
        assertEquals(0, migrate(url).code());
        assertEquals(0, SupabaseShape.run(new seed(), env(url)).code());
        TestSupport.Result r = SupabaseShape.run(new status(), env(url), "--schema");
        assertEquals(0, r.code(), r.all());
        assertFalse(r.all().contains("DRIFT"), r.all());
        assertEquals(1, r.out().split(java.util.regex.Pattern.quote(NOT_MANAGED), -1).length - 1, r.out());
        assertEquals(List.of(), differences(schema(url)));
    }

    @Test
    void handMadeTableIndexColumnAndPolicyInPublicAreDrift() throws Exception {
        String url = SupabaseShape.freshProject();
        assertEquals(0, migrate(url).code());
        assertEquals(0, SupabaseShape.run(new seed(), env(url)).code());
        SupabaseShape.asOperator(url, """
                create table "Scratch" (id int primary key, note text);
                alter table "Scratch" enable row level security;
                create index "Member_name_idx" on "Member" (name);
                alter table "Team" add column "slackChannel" text;
                create policy "members read teams" on "Team" for select to authenticated using (true);
                """);
        // and the platform's own schemas change under the project all the time: none of it is drift
        try (Connection c = SupabaseShape.platform(url)) {
            c.createStatement().execute("create table auth.sessions (id uuid primary key); create extension if not exists pg_trgm with schema extensions");
        }
        JsonNode doc = schema(url);
        assertEquals(5, doc.get("exitCode").asInt(), doc.toString());
        assertEquals(List.of(
                "column \"Team\".\"slackChannel\" is in the database but no migration creates it: added by hand?",
                "constraint \"Scratch\".\"Scratch_pkey\" is in the database but no migration creates it: added by hand?",
                "index \"Member_name_idx\" is in the database but no migration creates it: added by hand?",
                "index \"Scratch_pkey\" is in the database but no migration creates it: added by hand?",
                "policy \"Team\".\"members read teams\" is in the database but no migration creates it: added by hand?",
                "table \"Scratch\" is in the database but no migration creates it: added by hand?"), differences(doc));
        TestSupport.Result human = SupabaseShape.run(new status(), env(url), "--schema");
        assertEquals(5, human.code(), human.all());
        assertTrue(human.out().contains("DRIFT: table \"Scratch\" is in the database but no migration creates it: added by hand?"), human.out());
    }

    @Test
    void aMigrationThatCreatesAnExtensionTheProjectHasBehavesOnTheShadowAsOnTheTarget() throws Exception {
        Path kit = TestSupport.kitWith("V5__tokens.sql", """
                CREATE EXTENSION IF NOT EXISTS "uuid-ossp";
                CREATE TABLE "Token" ("id" UUID NOT NULL DEFAULT uuid_generate_v4(), "note" TEXT, CONSTRAINT "Token_pkey" PRIMARY KEY ("id"));
                ALTER TABLE "Token" ENABLE ROW LEVEL SECURITY;
                """);
        String url = SupabaseShape.freshProject();
        TestSupport.Result m = migrate(url, "--dir", kit.toString());
        assertEquals(0, m.code(), m.all());
        assertEquals("extensions", SupabaseShape.one(url, "select extnamespace::regnamespace from pg_extension where extname = 'uuid-ossp'"));
        assertEquals(0, SupabaseShape.run(new seed(), env(url), "--dir", kit.toString()).code());
        JsonNode doc = schema(url, "--dir", kit.toString());
        assertEquals(List.of(), differences(doc));
        assertEquals(0, doc.get("exitCode").asInt(), doc.toString());
        // an extension made by hand in public is the project's, and drift
        SupabaseShape.asOperator(url, "create extension pg_trgm schema public");
        assertEquals(List.of("extension \"pg_trgm\" is in the database but no migration creates it: added by hand?"), differences(schema(url, "--dir", kit.toString())));
    }

    @Test
    void aRealPrismaHistoryAppliesAndHasNoDrift() throws Exception {
        Path documenso = PrismaTest.corpus("documenso");
        String url = SupabaseShape.freshProject();
        Path kit = PrismaTest.emptyKit();
        TestSupport.Result r = SupabaseShape.run(new migrate(), TestSupport.env("DIRECT_URL", url),
                "--dir", kit.toString(), "--prisma", documenso.toString(), "--allow-destructive", "--lock-timeout", "30s");
        assertEquals(0, r.code(), r.all());
        int folders = PrismaTest.expected(documenso).size();
        assertTrue(r.out().contains("Applied " + folders + " migrations"), r.out());
        assertEquals(folders + "|" + folders, SupabaseShape.one(url, "select count(*), count(finished_at) from _prisma_migrations where rolled_back_at is null"));
        TestSupport.Result st = SupabaseShape.run(new status(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString(), "--prisma", documenso.toString(), "--schema", "--json");
        JsonNode doc = Console.JSON.readTree(st.out());
        assertEquals(0, doc.get("migrations").get("pending").asInt(), st.out());
        assertEquals("ok", doc.get("drift").get("state").asText(), st.out());
        // documenso's tables have no row-level security, and Supabase grants every new public table to anon: status says so
        assertEquals(6, st.code(), st.all());
        assertEquals("exposed", doc.get("security").get("state").asText(), st.out());
    }


    /** A fifth migration the project's postgres may not run: exit 4 with the sentence, the four before it applied; returns the project. */
    static String refusedAsNotASuperuser(String file, String sql, String sentence) throws Exception {
        String url = SupabaseShape.freshProject();
        TestSupport.Result r = migrate(url, "--dir", TestSupport.kitWith(file, sql).toString());
        assertEquals(4, r.code(), r.all());
        assertTrue(r.err().contains(sentence), r.err());
        assertEquals("4", SupabaseShape.one(url, "select count(*) from flyway_schema_history where success"));
        return url;
    }

    @Test
    void anExtensionThatNeedsASuperuserSaysWhereToEnableItExit4() throws Exception {
        String url = refusedAsNotASuperuser("V5__fdw.sql", "CREATE EXTENSION IF NOT EXISTS postgres_fdw;\n",
                "V5__fdw.sql failed at line 1: extension \"postgres_fdw\" needs a superuser to create, and the role migrate connects as is not one (on Supabase, postgres never is):"
                + " enable it in the Supabase Dashboard (Database, Extensions), then write CREATE EXTENSION IF NOT EXISTS in the migration");
        assertEquals("0", SupabaseShape.one(url, "select count(*) from pg_extension where extname = 'postgres_fdw'"));
        // the Prisma path says the same
        Path prisma = TestSupport.prismaFolder("20250101000000_fdw", "CREATE EXTENSION postgres_fdw;\n");
        String other = SupabaseShape.freshProject();
        TestSupport.Result p = SupabaseShape.run(new migrate(), TestSupport.env("DIRECT_URL", other), "--dir", PrismaTest.emptyKit().toString(), "--prisma", prisma.toString());
        assertEquals(4, p.code(), p.all());
        assertTrue(p.err().contains("20250101000000_fdw/migration.sql failed: extension \"postgres_fdw\" needs a superuser to create, and the role migrate connects as is not one (on Supabase, postgres never is):"
                + " enable it in the Supabase Dashboard (Database, Extensions), then write CREATE EXTENSION IF NOT EXISTS in the migration"), p.err());
    }

    @Test
    void alterSystemNeedsASuperuserExit4() throws Exception {
        String url = refusedAsNotASuperuser("V5__settings.sql", "ALTER SYSTEM SET work_mem = '64MB';\n",
                "V5__settings.sql failed at line 1: setting \"work_mem\" for the server needs a superuser, and the role migrate connects as is not one"
                + " (on Supabase, postgres never is): change server settings through Supabase (its Dashboard or CLI), not in a migration");
        // outside a transaction the server refuses it for want of a superuser; said the same way
        try (Connection c = SupabaseShape.operator(url)) {
            SQLException e = assertThrows(SQLException.class, () -> c.createStatement().execute("alter system set work_mem = '64MB'"));
            assertEquals("42501", e.getSQLState(), e.getMessage());
            assertTrue(PlatformErrors.explain(e).startsWith("setting \"work_mem\" for the server needs a superuser"), PlatformErrors.explain(e));
            // and what is not about superusers is left alone
            SQLException other = assertThrows(SQLException.class, () -> c.createStatement().execute("select * from no_such_table"));
            assertEquals(null, PlatformErrors.explain(other));
        }
    }

    @Test
    void aLockHeldByThePlatformIsALockWaitExit4() throws Exception {
        String url = SupabaseShape.freshProject();
        assertEquals(0, migrate(url).code());
        Path kit = TestSupport.kitWith("V5__team_note.sql", "ALTER TABLE \"Team\" ADD COLUMN \"note\" TEXT;\n");
        try (Connection platform = SupabaseShape.platform(url)) {
            platform.setAutoCommit(false);
            platform.createStatement().execute("lock table \"Team\" in access exclusive mode");
            TestSupport.Result r = migrate(url, "--dir", kit.toString(), "--lock-timeout", "1s");
            assertEquals(4, r.code(), r.all());
            assertTrue(r.err().contains("V5__team_note.sql waited longer than 1.0 s for a lock that live traffic holds"), r.err());
            platform.rollback();
        }
        assertEquals("0", SupabaseShape.one(url, "select count(*) from information_schema.columns where table_name = 'Team' and column_name = 'note'"));
        assertEquals(0, migrate(url, "--dir", kit.toString()).code());
    }

    @Test
    void rehearseAsPostgresPredictsAndChangesNothing() throws Exception {
        String url = SupabaseShape.freshProject();
        assertEquals(0, migrate(url).code());
        assertEquals(0, SupabaseShape.run(new seed(), env(url)).code());
        SupabaseShape.asOperator(url, "insert into \"Member\" (email, name) values ('a@example.com', 'Ada'), ('b@example.com', null)");
        Path kit = TestSupport.kitWith("V5__nickname.sql", """
                CREATE EXTENSION IF NOT EXISTS "uuid-ossp";
                ALTER TABLE "Member" ADD COLUMN "nickname" TEXT;
                ALTER TABLE "Member" ADD COLUMN "publicId" UUID NOT NULL DEFAULT uuid_generate_v4();
                """);
        String before = SupabaseShape.fingerprint(url);
        TestSupport.Result r = migrate(url, "--dir", kit.toString(), "--rehearse");
        assertEquals(before, SupabaseShape.fingerprint(url), "the rehearsal changed the target: " + r.all());
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("V5__nickname.sql") && r.out().contains("applies on the copy"), r.out());
        assertTrue(r.out().contains("Rehearsal: the pending migration applies on the copy"), r.out());
        // what each statement locks is measured on the copy too, uuid_generate_v4() found in extensions as on the target
        assertTrue(r.out().contains("line 2: AccessExclusiveLock on table \"public\".\"Member\" (2 rows)"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.strip().startsWith("line 3: ") && l.contains("on table \"public\".\"Member\" (2 rows), rewritten")), r.out());
        for (String platform : List.of("uuid-ossp", "pgcrypto", "auth", "storage", "realtime", "extensions", "graphql_public")) {
            assertFalse(r.all().contains("\"" + platform + "\" is in the"), platform + " reported as drift: " + r.all());
        }
        assertFalse(r.all().contains("DRIFT") || r.all().toLowerCase().contains("drift:"), r.all());
        // the prediction holds: the real run applies it
        assertEquals(0, migrate(url, "--dir", kit.toString()).code());
        assertEquals("1", SupabaseShape.one(url, "select count(*) from information_schema.columns where table_name = 'Member' and column_name = 'nickname'"));

        // a failing one: SET NOT NULL over a member with no name, predicted as exit 4, the target unchanged
        Files.writeString(kit.resolve("migrations/V6__name_required.sql"), "ALTER TABLE \"Member\" ALTER COLUMN \"name\" SET NOT NULL;\n");
        before = SupabaseShape.fingerprint(url);
        TestSupport.Result f = migrate(url, "--dir", kit.toString(), "--rehearse");
        assertEquals(before, SupabaseShape.fingerprint(url), "the rehearsal changed the target: " + f.all());
        assertEquals(4, f.code(), f.all());
        assertTrue(f.err().contains("V6__name_required.sql line 1") && f.err().contains("would fail"), f.err());
        assertTrue(f.err().contains("Nothing was applied to the target."), f.err());
    }
}
