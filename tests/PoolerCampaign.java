import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * migrate through a real PgBouncer in transaction mode, reached through a plain TCP forwarder (the
 * URL has neither port 6543 nor pgbouncer=true, so the pooler must be found from the server side),
 * idle or with four other clients keeping its server processes busy. Every run must be refused
 * (exit 2, the pooler sentence) with nothing written (every catalog entry and row the same) and no
 * advisory lock left in the database; afterwards a migrate over the direct URL must apply everything.
 */
final class PoolerCampaign {
    /** The engine a campaign runs: Flyway's migrations/ or a Prisma history. */
    enum Engine { FLYWAY, PRISMA }

    /** A small Prisma history: two migrations, the second in a transaction of its own (BEGIN ... COMMIT), as Prisma writes an enum change. */
    static Path prismaHistory() throws java.io.IOException {
        return TestSupport.prismaFolder(
                "20240101000000_init", "CREATE TABLE \"Team\" (\"id\" SERIAL PRIMARY KEY, \"name\" TEXT NOT NULL);\nCREATE TYPE \"Role\" AS ENUM ('A', 'B');\n",
                "20240102000000_roles", "BEGIN;\nCREATE TYPE \"Role_new\" AS ENUM ('A');\nALTER TYPE \"Role\" RENAME TO \"Role_old\";\nALTER TYPE \"Role_new\" RENAME TO \"Role\";\nDROP TYPE \"Role_old\";\nCOMMIT;\n");
    }

    static String[] args(Engine engine, Path prisma) {
        return engine == Engine.FLYWAY ? new String[] {"--lock-wait", "0s"} : new String[] {"--prisma", prisma.toString(), "--lock-wait", "0s"};
    }

    /** What a campaign found: runs tried, runs that held (refused, nothing written, no lock left), and a line per failure. */
    record Outcome(int runs, int held, List<String> failures) {
        void assertHeld() {
            assertTrue(failures.isEmpty(), failures.size() + " failures:\n" + String.join("\n", failures));
        }
    }

    /** `runs` migrates through the pooler of `bouncer` (under load when `load`), each checked as the class says; then one over the direct URL. */
    static Outcome run(PgBouncer bouncer, Engine engine, int runs, boolean load) throws Exception {
        String direct = TestSupport.freshDatabase();
        Path prisma = prismaHistory();
        String pooled = bouncer.url(direct);
        List<String> failures = new ArrayList<>();
        int held = 0;
        try (DelayProxy forwarder = new DelayProxy(0, java.net.URI.create(pooled).getPort(), 0, 3600, null)) {
            String url = pooled.replaceFirst(":\\d+/", ":" + forwarder.port() + "/");
            PoolerLoad others = load ? PoolerLoad.start(url) : null;
            try {
                String before = TestSupport.fingerprint(direct);
                for (int i = 1; i <= runs; i++) {
                    int queriesBefore = others == null ? 0 : others.queries();
                    TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), args(engine, prisma));
                    String what = engine + (load ? " under load" : " idle") + " run " + i + ": ";
                    if (r.code() != 2 || !r.err().contains("leads to a transaction pooler")) failures.add(what + "exit " + r.code() + ": " + r.err().strip());
                    if (!TestSupport.fingerprint(direct).equals(before)) {
                        failures.add(what + "the database changed");
                        before = TestSupport.fingerprint(direct);
                    }
                    String locks = TestSupport.one(direct, "select count(*) from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())");
                    if (!"0".equals(locks)) failures.add(what + locks + " advisory locks left");
                    if (others != null && others.queries() == queriesBefore) failures.add(what + "the other clients ran no query meanwhile");
                    if (failures.stream().noneMatch(f -> f.startsWith(what))) held++;
                }
            } finally {
                if (others != null) others.close();
            }
        }
        TestSupport.Result ok = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", direct), args(engine, prisma)[0].equals("--prisma")
                ? new String[] {"--prisma", prisma.toString(), "--lock-wait", "5s"} : new String[] {"--lock-wait", "5s"});
        if (ok.code() != 0) failures.add(engine + ": the migrate over the direct URL afterwards failed: exit " + ok.code() + ": " + ok.err().strip());
        String applied = TestSupport.one(direct, engine == Engine.FLYWAY ? "select count(*) from flyway_schema_history where success"
                : "select count(*) from _prisma_migrations where finished_at is not null");
        if (!(engine == Engine.FLYWAY ? "4" : "2").equals(applied)) failures.add(engine + ": after the direct migrate the history holds " + applied + " applied rows");
        return new Outcome(runs, held, failures);
    }

    private PoolerCampaign() {}
}
