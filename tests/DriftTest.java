import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
}
