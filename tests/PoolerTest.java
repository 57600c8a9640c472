import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The scripts through a real PgBouncer in transaction mode, as through Supabase's port 6543. */
@Needs(Tool.PGBOUNCER)
class PoolerTest {
    static PgBouncer bouncer;

    @BeforeAll
    static void start() throws Exception {
        bouncer = PgBouncer.start(TestSupport.server());
    }

    @AfterAll
    static void stop() {
        if (bouncer != null) bouncer.close();
    }

    @Test
    void twoSeedsAtOnceThroughThePoolerInsertEachRowOnce() throws Exception {
        String direct = TestSupport.migrated();
        String pooled = bouncer.url(direct);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<TestSupport.Result>> runs = new ArrayList<>();
        for (int i = 0; i < 2; i++) runs.add(pool.submit(() -> TestSupport.run(new seed(), TestSupport.adminEnv(pooled), "--json")));
        int inserted = 0;
        for (Future<TestSupport.Result> f : runs) {
            TestSupport.Result r = f.get();
            assertEquals(0, r.code(), r.all());
            assertFalse(r.all().contains("prepared statement"), r.all());
            inserted += Console.JSON.readTree(r.out()).get("inserted").asInt();
        }
        pool.shutdown();
        assertEquals(23, inserted);
        assertEquals("1|8|4|10", TestSupport.seededCounts(direct));
        assertFalse(bouncer.log().contains("prepared statement"), bouncer.log());
    }

    @Test
    void seedAgainThroughThePoolerChangesNothing() {
        String direct = TestSupport.migrated();
        String pooled = bouncer.url(direct);
        TestSupport.Result first = TestSupport.seedsOk(pooled);
        TestSupport.Result again = TestSupport.seedsOk(pooled);
        assertTrue(again.out().contains("0 inserted, 0 updated, 23 unchanged"), again.out());
        assertEquals("1|8|4|10", TestSupport.seededCounts(direct));
    }

    @Test
    void statusThroughThePoolerSaysWhatItSaysDirect() {
        String direct = TestSupport.seeded();
        TestSupport.Result viaPooler = TestSupport.run(new status(), TestSupport.adminEnv(bouncer.url(direct)));
        TestSupport.Result viaDirect = TestSupport.run(new status(), TestSupport.adminEnv(direct));
        assertEquals(0, viaPooler.code(), viaPooler.all());
        assertEquals(afterTarget(viaDirect.out()), afterTarget(viaPooler.out()));
        assertTrue(viaPooler.out().contains(", through a transaction pooler, "), viaPooler.out());
        assertTrue(viaDirect.out().contains(", direct, "), viaDirect.out());
    }

    private static String afterTarget(String report) {
        return report.substring(report.indexOf("Migrations"));
    }

    @Test
    void migrateRefusesAPoolerFoundFromTheServerSideAndWritesNothing() {
        String direct = TestSupport.freshDatabase();
        TestSupport.Result refused = TestSupport.run(new migrate(), TestSupport.env("DATABASE_URL", bouncer.url(direct)));
        assertEquals(2, refused.code(), refused.all());
        assertTrue(refused.err().contains("DATABASE_URL leads to a transaction pooler") && refused.err().contains("set DIRECT_URL"), refused.err());
        assertEquals(List.of(), TestSupport.rows(direct, "select tablename from pg_tables where schemaname = 'public'"));
    }

    /** The campaign of tests/reliability.java's PoolerLoadTest, short: two runs idle and two busy, on each engine. */
    @Test
    void migrateThroughATransactionPoolerIdleOrBusyWritesNothingAndLeavesNoLockOnEitherEngine() throws Exception {
        for (PoolerCampaign.Engine engine : PoolerCampaign.Engine.values()) {
            PoolerCampaign.run(bouncer, engine, 2, false).assertHeld();
            PoolerCampaign.run(bouncer, engine, 2, true).assertHeld();
        }
    }

    @Test
    void migrateUsesDirectUrlBesideAPooledDatabaseUrl() {
        String direct = TestSupport.freshDatabase();
        TestSupport.Result ok = TestSupport.run(new migrate(), TestSupport.env("DATABASE_URL", bouncer.url(direct), "DIRECT_URL", direct));
        assertEquals(0, ok.code(), ok.all());
        assertEquals("4", TestSupport.one(direct, "select count(*) from flyway_schema_history"));
    }
}
