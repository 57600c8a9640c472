import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 27's campaign: 20 migrates through a real PgBouncer in transaction mode (behind a plain TCP
 * forwarder) with the pooler idle, and 20 with four other clients keeping it busy, on each engine.
 * Not one may write anything or leave an advisory lock; a direct migrate afterwards applies all.
 */
@Needs(Tool.PGBOUNCER)
class PoolerLoadTest {

    @ParameterizedTest(name = "20 {0} migrates through a transaction pooler, {1}, write nothing", quoteTextArguments = false)
    @CsvSource({"FLYWAY, idle", "FLYWAY, busy", "PRISMA, idle", "PRISMA, busy"})
    void twentyMigratesThroughATransactionPoolerWriteNothing(PoolerCampaign.Engine engine, String traffic) throws Exception {
        try (PgBouncer bouncer = PgBouncer.start(TestSupport.server())) {
            PoolerCampaign.Outcome o = PoolerCampaign.run(bouncer, engine, 20, traffic.equals("busy"));
            Figures.poolerRuns.addAndGet(o.runs());
            Figures.poolerHeld.addAndGet(o.held());
            o.assertHeld();
        }
    }
}
