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
        long t = System.nanoTime();
        assertEquals(List.of(), drift(url));
        long ms = (System.nanoTime() - t) / 1_000_000;
        assertTrue(ms < 15_000, "the drift check took " + ms + " ms");
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
}
