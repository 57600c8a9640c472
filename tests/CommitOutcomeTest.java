import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 27 item 4: the link lost with a commit in flight, through a forwarder that loses it
 * (tests/CommitFault): either the COMMIT reached the server and its answer was lost, or it never
 * arrived and the server's side of the link stayed open (the transaction waits there). Each script
 * finds out with a new session, and its sentence, exit code and --json say what the database holds.
 */
class CommitOutcomeTest {

    static int port(String url) {
        return java.net.URI.create(url).getPort();
    }

    static final String NO_ORPHAN = "select not exists (select 1 from pg_stat_activity where datname = current_database() and state like 'idle in transaction%')";

    @Test
    void seedWhoseCommitAnswerIsLostSaysItWasWrittenAndOneWhoseCommitNeverArrivedSaysNothingWas() throws Exception {
        Figures.faultCases.incrementAndGet();
        String url = TestSupport.migrated();
        try (CommitFault fault = new CommitFault(port(url), null, CommitFault.Cut.ANSWER_LOST)) {
            TestSupport.Result r = TestSupport.run(new seed(), TestSupport.adminEnv(fault.url(url)));
            assertTrue(fault.fired(), "no commit was lost");
            // before: exit 4 "the whole run was rolled back and nothing was written", while all 23 rows were committed
            assertEquals(0, r.code(), r.all());
            assertTrue(r.err().contains("was lost as the commit was answered") && r.err().contains("a new session found the run committed, so everything below was written"), r.err());
            assertTrue(r.out().contains("Done: 23 inserted"), r.out());
        }
        assertEquals("1|8|4|10", TestSupport.seededCounts(url));
        String fresh = TestSupport.migrated();
        try (CommitFault fault = new CommitFault(port(fresh), null, CommitFault.Cut.COMMIT_LOST)) {
            TestSupport.Result r = TestSupport.run(new seed(), TestSupport.adminEnv(fault.url(fresh)), "--json");
            assertTrue(fault.fired(), "no commit was lost");
            assertEquals(3, r.code(), r.all());
            assertTrue(r.err().contains("while committing") && r.err().contains("a new session found the run rolled back, so nothing was written: run seed again."), r.err());
            assertEquals(3, Console.JSON.readTree(r.out()).get("exitCode").asInt(), r.out());
        }
        assertEquals("0|0|0|0", TestSupport.seededCounts(fresh));
        assertEquals("true", TestSupport.one(fresh, NO_ORPHAN), "the orphan session was ended");
        assertEquals(0, TestSupport.run(new seed(), TestSupport.adminEnv(fresh)).code());
        assertEquals("1|8|4|10", TestSupport.seededCounts(fresh));
        Figures.faultSurvived.incrementAndGet();
    }

    static List<String> applied(TestSupport.Result r) throws Exception {
        List<String> files = new ArrayList<>();
        for (JsonNode a : Console.JSON.readTree(r.out()).path("applied")) files.add(a.get("file").asText());
        return files;
    }

    @Test
    void flywayMigrationWhoseCommitAnswerIsLostIsSaidAppliedAndTheJsonAgreesWithTheHistory() throws Exception {
        Figures.faultCases.incrementAndGet();
        String sql = "CREATE TABLE \"CommitProbe\" (id int);\n";
        for (CommitFault.Cut cut : CommitFault.Cut.values()) {
            String url = TestSupport.migrated();
            Path kit = TestSupport.kitWith("V5__probe.sql", sql);
            try (CommitFault fault = new CommitFault(port(url), "CommitProbe", cut)) {
                TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", fault.url(url)), "--dir", kit.toString(), "--json");
                assertTrue(fault.fired(), "no commit was lost");
                assertEquals(3, r.code(), r.all());
                boolean committed = cut == CommitFault.Cut.ANSWER_LOST;
                String history = TestSupport.one(url, "select count(*) from flyway_schema_history where version = '5' and success");
                String table = TestSupport.one(url, "select count(*) from pg_tables where tablename = 'CommitProbe'");
                assertEquals(committed ? "1|1" : "0|0", history + "|" + table);
                // before: "nothing from it was applied" while --json listed V5 as applied and the history held it
                assertEquals(committed ? List.of("V5__probe.sql") : List.of(), applied(r), r.out());
                String error = Console.JSON.readTree(r.out()).get("error").asText();
                assertTrue(committed ? error.startsWith("V5__probe.sql was applied: the link to the server was lost as its commit was answered")
                        : error.contains("nothing from it was applied") && error.contains("A new session found no row for it in flyway_schema_history."), error);
            }
            assertEquals("true", TestSupport.one(url, NO_ORPHAN), "the orphan session was ended");
            TestSupport.Result again = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString());
            assertEquals(0, again.code(), again.all());
            assertEquals("1", TestSupport.one(url, "select count(*) from flyway_schema_history where version = '5' and success"));
        }
        Figures.faultSurvived.incrementAndGet();
    }

    @Test
    void prismaMigrationWhoseCommitAnswerIsLostIsSaidAppliedOneWhoseCommitNeverArrivedIsSaidNot() throws Exception {
        Figures.faultCases.incrementAndGet();
        Path folder = TestSupport.prismaFolder("20240101000000_init", "CREATE TABLE \"Team\" (id int);\n", "20240102000000_probe", "CREATE TABLE \"CommitProbe\" (id int);\n");
        for (CommitFault.Cut cut : CommitFault.Cut.values()) {
            String url = TestSupport.freshDatabase();
            try (CommitFault fault = new CommitFault(port(url), "CommitProbe", cut)) {
                TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", fault.url(url)), "--prisma", folder.toString(), "--json");
                assertTrue(fault.fired(), "no commit was lost");
                assertEquals(3, r.code(), r.all());
                boolean committed = cut == CommitFault.Cut.ANSWER_LOST;
                assertEquals(committed ? "1|1" : "0|0", TestSupport.one(url, "select (select count(*) from _prisma_migrations where migration_name = '20240102000000_probe'"
                        + " and finished_at is not null), (select count(*) from pg_tables where tablename = 'CommitProbe')"));
                assertEquals(committed ? List.of("20240101000000_init/migration.sql", "20240102000000_probe/migration.sql") : List.of("20240101000000_init/migration.sql"),
                        applied(r), r.out());
                String error = Console.JSON.readTree(r.out()).get("error").asText();
                // before: "nothing from it was applied" while the migration and its row were committed
                assertTrue(error.startsWith("20240102000000_probe/migration.sql was " + (committed ? "applied" : "not applied")), error);
                assertFalse(!committed && error.contains("was applied:"), error);
            }
            assertEquals("true", TestSupport.one(url, NO_ORPHAN), "the orphan session was ended");
            TestSupport.Result again = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--prisma", folder.toString());
            assertEquals(0, again.code(), again.all());
            assertEquals("2", TestSupport.one(url, "select count(*) from _prisma_migrations where finished_at is not null"));
        }
        Figures.faultSurvived.incrementAndGet();
    }
}
