import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 27's campaign: 20 migrates through a real PgBouncer in transaction mode (behind a plain TCP
 * forwarder) with the pooler idle, and 20 with four other clients keeping it busy, on each engine.
 * Not one may write anything or leave an advisory lock; a direct migrate afterwards applies all.
 */
@Needs(Tool.PGBOUNCER)
class PoolerLoadTest {
    static PgBouncer bouncer;

    @BeforeAll
    static void start() throws Exception {
        bouncer = PgBouncer.start(TestSupport.server());
    }

    @AfterAll
    static void stop() {
        if (bouncer != null) bouncer.close();
    }

    private static void campaign(PoolerCampaign.Engine engine, boolean load) throws Exception {
        PoolerCampaign.Outcome o = PoolerCampaign.run(bouncer, engine, 20, load);
        Figures.poolerRuns.addAndGet(o.runs());
        Figures.poolerHeld.addAndGet(o.held());
        o.assertHeld();
    }

    @Test
    void twentyFlywayMigratesThroughAnIdleTransactionPoolerWriteNothing() throws Exception {
        campaign(PoolerCampaign.Engine.FLYWAY, false);
    }

    @Test
    void twentyFlywayMigratesThroughABusyTransactionPoolerWriteNothing() throws Exception {
        campaign(PoolerCampaign.Engine.FLYWAY, true);
    }

    @Test
    void twentyPrismaMigratesThroughAnIdleTransactionPoolerWriteNothing() throws Exception {
        campaign(PoolerCampaign.Engine.PRISMA, false);
    }

    @Test
    void twentyPrismaMigratesThroughABusyTransactionPoolerWriteNothing() throws Exception {
        campaign(PoolerCampaign.Engine.PRISMA, true);
    }
}
