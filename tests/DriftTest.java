import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** status --schema: the migrations in a shadow database against the real one, one line per hand-made change. */
class DriftTest {

    private static List<String> drift(String url) throws Exception {
        TestSupport.Result r = TestSupport.run(new status(), TestSupport.adminEnv(url), "--schema", "--json");
        JsonNode doc = Console.JSON.readTree(r.out());
        List<String> lines = new java.util.ArrayList<>();
        doc.get("drift").get("differences").forEach(d -> lines.add(d.asText()));
        assertEquals(lines.isEmpty() ? 0 : 5, r.code(), r.all());
        return lines;
    }

    @Test
    void aFreshlyMigratedDatabaseHasNoDriftThenEachHandMadeChangeIsReportedOnce() throws Exception {
        String url = TestSupport.seeded();
        assertEquals(List.of(), drift(url));
        String[][] changes = {
            {"create index \"Member_name_idx\" on \"Member\"(name)", "index \"Member_name_idx\" is in the database but no migration creates it: added by hand?", "drop index \"Member_name_idx\""},
            {"alter table \"Team\" alter column seats drop default", "column \"Team\".\"seats\": default 5 in the migrations, no default in the database", "alter table \"Team\" alter column seats set default 5"},
            {"alter table \"Team\" drop constraint \"Team_seats_check\"; alter table \"Team\" add constraint \"Team_seats_check\" check (seats > 1)",
                "constraint \"Team\".\"Team_seats_check\": CHECK ((seats > 0)) in the migrations; CHECK ((seats > 1)) in the database",
                "alter table \"Team\" drop constraint \"Team_seats_check\"; alter table \"Team\" add constraint \"Team_seats_check\" check (seats > 0)"},
            {"alter type \"SubscriptionStatus\" add value 'PAUSED'",
                "enum \"SubscriptionStatus\": labels 'NONE', 'TRIALING', 'ACTIVE', 'PAST_DUE', 'CANCELED' in the migrations; labels 'NONE', 'TRIALING', 'ACTIVE', 'PAST_DUE', 'CANCELED', 'PAUSED' in the database", null},
            {"alter table \"Admin\" disable row level security", "table \"Admin\": rls enabled in the migrations, rls disabled in the database", "alter table \"Admin\" enable row level security"},
            {"create function points_for(a text) returns int language sql as $$ select 1 $$", "function points_for(a text) is in the database but no migration creates it: added by hand?", "drop function points_for(text)"},
        };
        for (String[] c : changes) {
            String db = TestSupport.seeded();
            TestSupport.exec(db, c[0]);
            List<String> lines = drift(db);
            assertEquals(List.of(c[1]), lines, c[0]);
            if (c[2] != null) {
                TestSupport.exec(db, c[2]);
                assertEquals(List.of(), drift(db), "after undoing: " + c[0]);
            }
        }
    }

    @Test
    void withoutSchemaNoShadowIsStarted() throws Exception {
        String url = TestSupport.seeded();
        TestSupport.exec(url, "create index \"Member_name_idx\" on \"Member\"(name)");
        TestSupport.Result r = TestSupport.run(new status(), TestSupport.adminEnv(url), "--json");
        assertEquals(0, r.code(), r.all());
        assertTrue(Console.JSON.readTree(r.out()).get("drift") == null);
    }

    @Test
    void prismaHistoriesToo() throws Exception {
        String url = TestSupport.freshDatabase();
        java.nio.file.Path kit = PrismaTest.emptyKit();
        assertEquals(0, TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString(), "--prisma", PrismaTest.EDGE.toString()).code());
        TestSupport.Result clean = TestSupport.run(new status(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString(), "--prisma", PrismaTest.EDGE.toString(), "--schema");
        assertEquals(0, clean.code(), clean.all());
        TestSupport.exec(url, "alter table \"Account\" add column extra int");
        TestSupport.Result r = TestSupport.run(new status(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString(), "--prisma", PrismaTest.EDGE.toString(), "--schema");
        assertEquals(5, r.code(), r.all());
        assertTrue(r.out().contains("DRIFT: column \"Account\".\"extra\" is in the database but no migration creates it: added by hand?"), r.out());
    }

    /**
     * What a platform installs in its own schemas (Supabase: pgcrypto and uuid-ossp in "extensions")
     * is not drift, and is said once to be not managed here; a migration that names the platform's
     * extension by its schema applies to the shadow as to the target; an extension made by hand in
     * public is still drift.
     */
    @Test
    void extensionsInAPlatformSchemaAreNotDriftButOneMadeByHandInPublicIs() throws Exception {
        java.nio.file.Path kit = TestSupport.kitWith("V5__tokens.sql", """
                CREATE EXTENSION IF NOT EXISTS "uuid-ossp";
                CREATE TABLE "Token" ("id" UUID NOT NULL DEFAULT extensions.uuid_generate_v4(), "digest" TEXT DEFAULT encode(extensions.digest('x', 'sha256'), 'hex'),
                    CONSTRAINT "Token_pkey" PRIMARY KEY ("id"));
                ALTER TABLE "Token" ENABLE ROW LEVEL SECURITY;
                """);
        String url = TestSupport.freshDatabase();
        TestSupport.exec(url, "create schema extensions; create extension \"uuid-ossp\" with schema extensions; create extension pgcrypto with schema extensions");
        assertEquals(0, TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString()).code());
        assertEquals(0, TestSupport.run(new seed(), TestSupport.adminEnv(url), "--dir", kit.toString()).code());
        TestSupport.Result r = TestSupport.run(new status(), TestSupport.adminEnv(url), "--dir", kit.toString(), "--schema");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("\n  not managed here: the platform's schemas (extensions) and the extensions it installed (pgcrypto, uuid-ossp)\n"), r.out());
        assertEquals(1, r.out().split("not managed here", -1).length - 1, r.out());
        TestSupport.exec(url, "create extension pg_trgm schema public");
        TestSupport.Result drift = TestSupport.run(new status(), TestSupport.adminEnv(url), "--dir", kit.toString(), "--schema", "--json");
        assertEquals(5, drift.code(), drift.all());
        JsonNode differences = Console.JSON.readTree(drift.out()).get("drift").get("differences");
        assertEquals(1, differences.size(), drift.out());
        assertEquals("extension \"pg_trgm\" is in the database but no migration creates it: added by hand?", differences.get(0).asText());
    }

    /** A migration that makes one of every kind a hand can change afterwards: grants, owners, a sequence, a collation, a function's settings. */
    static final String EVERY_KIND = """
            CREATE SCHEMA "app";
            CREATE SEQUENCE "ticket_seq" AS integer INCREMENT BY 10 MINVALUE 100 MAXVALUE 100000 START 100 CACHE 1 CYCLE;
            CREATE TABLE "Ticket" ("id" integer NOT NULL DEFAULT nextval('ticket_seq'), "code" text COLLATE "C" NOT NULL, CONSTRAINT "Ticket_pkey" PRIMARY KEY ("id"));
            ALTER TABLE "Ticket" ENABLE ROW LEVEL SECURITY;
            CREATE FUNCTION "app"."ticket_count"() RETURNS bigint LANGUAGE sql SECURITY DEFINER SET search_path = '' AS $$ SELECT count(*) FROM public."Ticket" $$;
            REVOKE EXECUTE ON FUNCTION "app"."ticket_count"() FROM PUBLIC;
            GRANT USAGE ON SCHEMA "app" TO drift_reader;
            GRANT EXECUTE ON FUNCTION "app"."ticket_count"() TO drift_reader;
            GRANT SELECT ON "Ticket" TO drift_reader;
            GRANT USAGE ON SEQUENCE "ticket_seq" TO drift_reader;
            GRANT SELECT ("name") ON "Member" TO drift_reader;
            ALTER TABLE "Ticket" OWNER TO drift_owner;
            """;

    /** Roles are the cluster's: made once, whichever test comes first. */
    static void driftRoles(String url) {
        TestSupport.exec(url, "do $$ begin create role drift_reader; create role drift_owner; exception when duplicate_object then null; end $$");
    }

    @Test
    void privilegesOwnersSequencesCollationsAndFunctionSettingsAreNoDriftFromTheMigrationsAndNamedWhenChangedByHand() throws Exception {
        Path kit = TestSupport.kitWith("V5__every_kind.sql", EVERY_KIND);
        String url = TestSupport.freshDatabase();
        driftRoles(url);
        assertEquals(0, TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString()).code());
        TestSupport.exec(url, "select setval('ticket_seq', 5000)"); // a sequence's current value is data, not schema
        assertEquals(List.of(), drift(url, kit));
        TestSupport.exec(url, """
                GRANT INSERT ON "Ticket" TO drift_reader;
                GRANT SELECT ON "Admin" TO drift_reader;
                GRANT SELECT ("email") ON "Member" TO drift_reader;
                REVOKE USAGE ON SEQUENCE "ticket_seq" FROM drift_reader;
                ALTER SEQUENCE "ticket_seq" INCREMENT BY 1;
                ALTER TABLE "Ticket" ALTER COLUMN "code" TYPE text COLLATE "POSIX";
                ALTER FUNCTION "app"."ticket_count"() SECURITY INVOKER;
                ALTER FUNCTION "app"."ticket_count"() SET search_path = public;
                GRANT EXECUTE ON FUNCTION "app"."ticket_count"() TO PUBLIC;
                REVOKE USAGE ON SCHEMA "app" FROM drift_reader;
                ALTER SCHEMA "app" OWNER TO drift_owner;
                ALTER TABLE "Team" OWNER TO drift_owner;
                """);
        List<String> expected = new ArrayList<>(List.of(
                "column \"Ticket\".\"code\": collate \"C\" in the migrations, collate \"POSIX\" in the database",
                "function \"app\".ticket_count(): security definer, set search_path=\"\" in the migrations, security invoker, set search_path=public in the database",
                "owner of schema \"app\": kit in the migrations; drift_owner in the database",
                "owner of table \"Team\": kit in the migrations; drift_owner in the database",
                "privileges of PUBLIC on function \"app\".ticket_count(): none in the migrations, EXECUTE in the database: granted by hand?",
                "privileges of drift_reader on column \"Member\".\"email\": none in the migrations, SELECT in the database: granted by hand?",
                "privileges of drift_reader on schema \"app\": USAGE in the migrations, none in the database: revoked by hand?",
                "privileges of drift_reader on sequence \"ticket_seq\": USAGE in the migrations, none in the database: revoked by hand?",
                "privileges of drift_reader on table \"Admin\": none in the migrations, SELECT in the database: granted by hand?",
                "privileges of drift_reader on table \"Ticket\": SELECT in the migrations; INSERT, SELECT in the database",
                "sequence \"ticket_seq\": increment 10 in the migrations, increment 1 in the database"));
        List<String> found = new ArrayList<>(drift(url, kit));
        expected.sort(null);
        found.sort(null);
        assertEquals(expected, found);
    }

    /** On a Supabase-shaped project the platform's default grants to anon and authenticated are the shadow's too; a hand's REVOKE from anon is drift. */
    @Test
    void onASupabaseProjectThePlatformsDefaultGrantsAreNoDriftAndARevokeFromAnonIs() throws Exception {
        String url = SupabaseShape.freshProject();
        assertEquals(0, SupabaseShape.run(new migrate(), TestSupport.adminEnv(url)).code());
        assertEquals("true", SupabaseShape.one(url, "select has_table_privilege('anon', '\"Admin\"', 'select')"));
        assertEquals(List.of(), differences(SupabaseShape.run(new status(), TestSupport.adminEnv(url), "--schema", "--json")));
        SupabaseShape.asOperator(url, "revoke all on \"Admin\" from anon");
        try (Connection platform = SupabaseShape.platform(url)) {
            platform.createStatement().execute("alter table \"Team\" owner to supabase_auth_admin"); // the new owner may not create in public: as the platform's superuser
        }
        List<String> lines = differences(SupabaseShape.run(new status(), TestSupport.adminEnv(url), "--schema", "--json"));
        assertEquals(2, lines.size(), lines.toString());
        assertEquals("owner of table \"Team\": postgres in the migrations; supabase_auth_admin in the database", lines.get(0));
        assertTrue(lines.get(1).matches("privileges of anon on table \"Admin\": DELETE, INSERT, .*SELECT.* in the migrations, none in the database: revoked by hand\\?"), lines.get(1));
    }

    private static List<String> differences(TestSupport.Result r) throws Exception {
        JsonNode doc = Console.JSON.readTree(r.out());
        List<String> lines = new ArrayList<>();
        doc.get("drift").get("differences").forEach(d -> lines.add(d.asText()));
        assertEquals(lines.isEmpty() ? "ok" : "drift", doc.get("drift").get("state").asText(), r.all());
        if (!lines.isEmpty()) assertEquals(5, doc.get("exitCode").asInt(), r.all());
        return lines;
    }

    private static List<String> drift(String url, Path kit) throws Exception {
        return differences(TestSupport.run(new status(), TestSupport.adminEnv(url), "--dir", kit.toString(), "--schema", "--json"));
    }

    @Test
    void statusSchemaSaysEachPhaseOnStderrAndItsJsonStaysOneDocumentOnStdout() throws Exception {
        String url = TestSupport.seeded();
        TestSupport.Result r = TestSupport.run(new status(), TestSupport.adminEnv(url), "--schema", "--json");
        assertEquals(0, r.code(), r.all());
        try (var parser = Console.JSON.getFactory().createParser(r.out())) {
            assertTrue(parser.readValueAsTree().isObject(), r.out());
            assertEquals(null, parser.nextToken(), "more than one document on stdout: " + r.out());
        }
        List<String> phases = List.of("reading the target's schema", "starting the throwaway PostgreSQL 17", "building the copy: 4 migrations", "comparing the copy with the target");
        List<String> lines = r.err().lines().toList();
        assertEquals(phases.stream().map(p -> p + " ...").toList(), lines.stream().filter(l -> l.endsWith(" ...")).toList(), r.err());
        for (String p : phases) assertTrue(lines.stream().anyMatch(l -> l.matches(java.util.regex.Pattern.quote(p) + ": done in [0-9.]+ m?s")), p + " has no time: " + r.err());
        assertTrue(lines.indexOf("starting the throwaway PostgreSQL 17 ...") < lines.indexOf("building the copy: 4 migrations ..."), r.err());
    }

    @Test
    void verifySaysItsPhasesAsTheyStartWithTheShadowsInsideItsStatusStep() throws Exception {
        TestSupport.Result r = TestSupport.run(new verify(), TestSupport.env());
        assertEquals(0, r.code(), r.all());
        List<String> lines = r.err().lines().toList();
        for (String phase : List.of("starting the throwaway PostgreSQL 17 ...", "migrate ...", "seed ...", "seed again ...", "status and schema drift ...",
                "    building the copy: 4 migrations ...", "status and schema drift: done in")) {
            assertTrue(lines.stream().anyMatch(l -> l.startsWith(phase)), "no \"" + phase + "\" in: " + r.err());
        }
    }

    /** status --schema waited without limit behind a lock; now --lock-timeout bounds it (default 5s), and the sentence names the holder. */
    @Test
    void statusSchemaGivesUpWaitingForALockAfterLockTimeoutAndNamesWhoHoldsIt() throws Exception {
        String url = TestSupport.seeded();
        try (Connection holder = TestSupport.server().admin(TestSupport.databaseName(url)); var st = holder.createStatement()) {
            st.execute("set application_name = 'holds-team'");
            holder.setAutoCommit(false);
            st.execute("lock table \"Team\" in access exclusive mode");
            long t = System.nanoTime();
            TestSupport.Result r = TestSupport.run(new status(), TestSupport.adminEnv(url), "--schema", "--lock-timeout", "1s");
            long ms = (System.nanoTime() - t) / 1_000_000;
            assertEquals(3, r.code(), r.all());
            assertTrue(r.err().contains("error: status --schema waited longer than --lock-timeout (1.0 s) for a lock while reading the target's schema: process "), r.err());
            assertTrue(r.err().contains(" (application \"holds-team\", user postgres, idle in transaction for ") && r.err().contains(") holds AccessExclusiveLock on \"Team\"; run it again"), r.err());
            assertTrue(r.out().contains("  not compared: status --schema waited longer"), r.out());
            assertTrue(ms < 30_000, "took " + ms + " ms");
            // without the option: the default bound, 5 s
            TestSupport.Result d = TestSupport.start(new status(), TestSupport.adminEnv(url), "--schema").result();
            assertTrue(d.code() == 3 && d.err().contains("--lock-timeout (5.0 s)"), d.all());
        }
    }

    /** An applied migration that leaned on something made by hand does not rebuild on the shadow: the copy cannot be the target's (exit 5), not a migration failure (was exit 4). */
    @Test
    void appliedMigrationsThatDoNotRebuildOnTheShadowAreSaidAsSuchExit5() throws Exception {
        Path kit = TestSupport.kitWith("V5__legacy.sql", "ALTER TABLE \"Legacy\" ADD COLUMN \"note\" text;\n");
        String url = TestSupport.migrated();
        TestSupport.exec(url, "create table \"Legacy\" (id int)");
        assertEquals(0, TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString()).code());
        TestSupport.Result r = TestSupport.run(new status(), TestSupport.adminEnv(url), "--dir", kit.toString(), "--schema");
        assertEquals(5, r.code(), r.all());
        assertTrue(r.err().contains("error: V5__legacy.sql, applied on the target, did not apply on the kit's embedded PostgreSQL 17 (relation \"Legacy\" does not exist),"
                + " so the copy cannot be the target's: the target had, before that migration, something no migration makes here"), r.err());
        assertFalse(r.err().contains("Fix the file"), r.err());
    }
}
