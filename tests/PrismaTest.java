import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** migrate --prisma: real Prisma histories applied and recorded exactly as Prisma's schema engine does. */
class PrismaTest {
    static final Path CORPORA = TestSupport.kitDir().resolveSibling("shared").resolve("corpora");
    static final Path EDGE = TestSupport.kitDir().resolve("tests/fixtures/prisma-edge");

    /** A kit folder with no seeds, so status speaks only of the Prisma migrations. */
    static Path emptyKit() throws Exception {
        Path kit = Files.createTempDirectory("prisma-kit-");
        Files.createDirectories(kit.resolve("seeds"));
        return kit;
    }

    static Path corpus(String name) {
        Path p = CORPORA.resolve(name);
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(p),
                "the real Prisma histories are read from " + CORPORA + " (shared/corpora beside the kit), which is not here; the fixtures in tests/fixtures still run");
        return p;
    }

    /** Real histories drop columns of tables that earlier migrations made, so these runs allow it; the lint has its own tests. */
    static TestSupport.Result migrate(String url, Path folder, String... more) throws Exception {
        return TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), migrateArgs(folder, more));
    }

    static String[] migrateArgs(Path folder, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("--dir", emptyKit().toString(), "--prisma", folder.toString(), "--lock-timeout", "30s", "--allow-destructive"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    interface Migrator {
        TestSupport.Result run(String url, Path folder, String... more) throws Exception;
    }

    /** The folder applied whole on a fresh database by `migrator`: a successful run, recorded as Prisma records it; that run. */
    static TestSupport.Result appliedWhole(Path folder, Migrator migrator) throws Exception {
        String url = TestSupport.freshDatabase();
        TestSupport.Result r = migrator.run(url, folder);
        assertEquals(0, r.code(), r.all());
        assertRecordedAsPrismaWould(url, folder);
        return r;
    }

    /** A fresh database with the folder migrated up to `target` (a successful run); its url. */
    static String appliedUpTo(Path folder, String target) throws Exception {
        String url = TestSupport.freshDatabase();
        TestSupport.Result r = migrate(url, folder, "--target", target);
        assertEquals(0, r.code(), r.all());
        return url;
    }

    static TestSupport.Result status(String url, Path folder) throws Exception {
        return TestSupport.run(new status(), TestSupport.env("DIRECT_URL", url), "--dir", emptyKit().toString(), "--prisma", folder.toString());
    }

    /** Folder names with a migration.sql, in Prisma's (lexical) order, and their SHA-256, computed here. */
    static List<String[]> expected(Path folder) throws Exception {
        List<String[]> out = new ArrayList<>();
        try (var s = Files.list(folder)) {
            for (Path d : s.filter(Files::isDirectory).sorted().toList()) {
                if (!Files.exists(d.resolve("migration.sql"))) continue;
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(d.resolve("migration.sql")));
                out.add(new String[] {d.getFileName().toString(), HexFormat.of().formatHex(digest)});
            }
        }
        return out;
    }

    static void assertRecordedAsPrismaWould(String url, Path folder) throws Exception {
        List<String> want = new ArrayList<>();
        for (String[] e : expected(folder)) want.add(e[0] + "|" + e[1] + "|true|1|null|null|true");
        assertEquals(want, TestSupport.rows(url, "select migration_name, checksum, finished_at is not null, applied_steps_count, logs, rolled_back_at,"
                + " id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' from _prisma_migrations order by migration_name"));
        assertEquals("0", TestSupport.one(url, "select count(*) from _prisma_migrations where finished_at < started_at"));
        assertEquals(List.of("id|character varying|36|NO", "checksum|character varying|64|NO", "finished_at|timestamp with time zone|null|YES",
                "migration_name|character varying|255|NO", "logs|text|null|YES", "rolled_back_at|timestamp with time zone|null|YES",
                "started_at|timestamp with time zone|null|NO", "applied_steps_count|integer|null|NO"),
                TestSupport.rows(url, "select column_name, data_type, character_maximum_length, is_nullable from information_schema.columns where table_name = '_prisma_migrations' order by ordinal_position"));
    }

    @Test
    void aWholeRealCorpusAppliesFromEmptyAndReRunningIsANoOp() throws Exception {
        Path hoppscotch = corpus("hoppscotch");
        String url = TestSupport.freshDatabase();
        // from empty, nothing can lose data: no --allow-destructive needed
        TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", emptyKit().toString(), "--prisma", hoppscotch.toString());
        assertEquals(0, r.code(), r.all());
        assertFalse(r.err().contains("data loss"), r.err());
        assertTrue(r.out().contains("Applied 21 migrations"), r.out());
        assertRecordedAsPrismaWould(url, hoppscotch);
        assertEquals("0", TestSupport.one(url, "select count(*) from pg_tables where tablename = 'flyway_schema_history'"));
        String before = TestSupport.fingerprint(url);
        TestSupport.Result again = migrate(url, hoppscotch);
        assertEquals(0, again.code(), again.all());
        assertTrue(again.out().contains("nothing to apply"), again.out());
        assertEquals(before, TestSupport.fingerprint(url));
        TestSupport.Result st = status(url, hoppscotch);
        assertEquals(0, st.code(), st.all());
        assertTrue(st.out().contains("[x] 20230406064219_init"), st.out());
    }

    /**
     * A _prisma_migrations that `prisma migrate deploy` made has no row-level security; the kit's
     * run gives it some, whichever way its migration runs (here: CREATE INDEX CONCURRENTLY, run
     * as written), and the table the kit creates has it from the start.
     */
    @Test
    void theHistoryTableGetsRowLevelSecurityHoweverItsMigrationsRun() throws Exception {
        Path first = TestSupport.prismaFolder("01_init", "CREATE TABLE \"Item\" (id int);\n");
        String url = TestSupport.freshDatabase();
        assertEquals(0, migrate(url, first).code());
        assertEquals("true", TestSupport.one(url, "select relrowsecurity from pg_class where relname = '_prisma_migrations'"));
        TestSupport.exec(url, "alter table _prisma_migrations disable row level security"); // as Prisma leaves it
        Path both = TestSupport.prismaFolder("01_init", "CREATE TABLE \"Item\" (id int);\n", "02_index", "CREATE INDEX CONCURRENTLY \"Item_id_idx\" ON \"Item\"(id);\n");
        TestSupport.Result r = migrate(url, both);
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("Applied 1 migration"), r.out());
        assertFalse(r.err().contains("prisma migrate deploy"), "a CONCURRENTLY file of its own is fine for Prisma too: " + r.err());
        assertEquals("true", TestSupport.one(url, "select relrowsecurity from pg_class where relname = '_prisma_migrations'"));
    }

    /** What `prisma migrate deploy` would refuse (the file is sent whole, as one transaction) and the kit runs one by one: said. */
    @Test
    void aConcurrentIndexBesideOtherStatementsIsAppliedAndSaidToBeOneThatPrismaWouldRefuse() throws Exception {
        Path folder = TestSupport.prismaFolder("01_init", "CREATE TABLE \"Item\" (id int);\nCREATE INDEX CONCURRENTLY \"Item_id_idx\" ON \"Item\"(id);\n");
        String url = TestSupport.freshDatabase();
        TestSupport.Result r = migrate(url, folder);
        assertEquals(0, r.code(), r.all());
        assertTrue(r.err().contains("01_init/migration.sql line 2 (CREATE INDEX CONCURRENTLY") && r.err().contains("`prisma migrate deploy` sends the file whole"), r.err());
        assertEquals("1", TestSupport.one(url, "select count(*) from pg_indexes where indexname = 'Item_id_idx'"));
    }

    @Test
    void theLargestCorpusApplies() throws Exception {
        appliedWhole(corpus("documenso"), PrismaTest::migrate);
    }

    @Test
    void halfwayThenTheRest() throws Exception {
        Path hoppscotch = corpus("hoppscotch");
        String url = appliedUpTo(hoppscotch, expected(hoppscotch).get(9)[0]);
        assertEquals("10", TestSupport.one(url, "select count(*) from _prisma_migrations"));
        TestSupport.Result st = status(url, hoppscotch);
        assertEquals(1, st.code(), st.all());
        assertTrue(st.out().contains("10 applied, 11 pending"), st.out());
        TestSupport.Result rest = migrate(url, hoppscotch);
        assertEquals(0, rest.code(), rest.all());
        assertTrue(rest.out().contains("Applied 11 migrations"), rest.out());
        assertRecordedAsPrismaWould(url, hoppscotch);
    }

    @Test
    void aFailedRowStopsTheRunAndBothResolutionsWriteWhatPrismaWrites() throws Exception {
        Path hoppscotch = corpus("hoppscotch");
        List<String[]> all = expected(hoppscotch);
        String url = appliedUpTo(hoppscotch, all.get(4)[0]);
        String sixth = all.get(5)[0];
        // what Prisma leaves when a migration fails half-way: started, never finished
        TestSupport.exec(url, "insert into _prisma_migrations (id, checksum, migration_name, logs, started_at, applied_steps_count) values ('00000000-0000-4000-8000-000000000001', '" + all.get(5)[1] + "', '" + sixth + "', 'boom', now(), 0)");
        String before = TestSupport.fingerprint(url);
        TestSupport.Result r = migrate(url, hoppscotch);
        assertEquals(5, r.code(), r.all());
        assertTrue(r.err().contains("migration " + sixth + " failed in an earlier run") && r.err().contains("P3009"), r.err());
        assertTrue(r.err().contains("--resolve-rolled-back " + sixth) && r.err().contains("--resolve-applied " + sixth), r.err());
        assertEquals(before, TestSupport.fingerprint(url));
        TestSupport.Result st = status(url, hoppscotch);
        assertEquals(5, st.code(), st.all());
        assertTrue(st.out().contains("[F] " + sixth), st.out());

        TestSupport.Result rolledBack = migrate(url, hoppscotch, "--resolve-rolled-back", sixth);
        assertEquals(0, rolledBack.code(), rolledBack.all());
        assertEquals("true|null", TestSupport.one(url, "select rolled_back_at is not null, finished_at from _prisma_migrations where id = '00000000-0000-4000-8000-000000000001'"));
        TestSupport.Result rest = migrate(url, hoppscotch);
        assertEquals(0, rest.code(), rest.all());
        assertEquals("2", TestSupport.one(url, "select count(*) from _prisma_migrations where migration_name = '" + sixth + "'"));
        assertEquals(0, status(url, hoppscotch).code());

        // the other way out, on a fresh copy
        String url2 = appliedUpTo(hoppscotch, sixth);
        TestSupport.exec(url2, "update _prisma_migrations set finished_at = null, applied_steps_count = 0 where migration_name = '" + sixth + "'");
        TestSupport.Result applied = migrate(url2, hoppscotch, "--resolve-applied", sixth);
        assertEquals(0, applied.code(), applied.all());
        assertEquals(List.of("false|true|null|0", "true|false|" + "|0"), TestSupport.rows(url2,
                "select rolled_back_at is null, finished_at is null, logs, applied_steps_count from _prisma_migrations where migration_name = '" + sixth + "' order by rolled_back_at nulls last"));
        assertEquals("true", TestSupport.one(url2, "select started_at = finished_at from _prisma_migrations where migration_name = '" + sixth + "' and rolled_back_at is null"));
        assertEquals(0, migrate(url2, hoppscotch).code());
    }

    @Test
    void anUnmanagedSchemaIsRefusedAndBaselined() throws Exception {
        Path hoppscotch = corpus("hoppscotch");
        List<String[]> all = expected(hoppscotch);
        String url = TestSupport.freshDatabase();
        // the schema of the first three migrations, applied by hand
        for (int i = 0; i < 3; i++) TestSupport.exec(url, Files.readString(hoppscotch.resolve(all.get(i)[0]).resolve("migration.sql")));
        String before = TestSupport.fingerprint(url);
        TestSupport.Result r = migrate(url, hoppscotch);
        assertEquals(5, r.code(), r.all());
        assertTrue(r.err().contains("no _prisma_migrations table") && r.err().contains("--baseline-prisma NAME"), r.err());
        assertEquals(before, TestSupport.fingerprint(url));
        TestSupport.Result baseline = migrate(url, hoppscotch, "--baseline-prisma", all.get(2)[0]);
        assertEquals(0, baseline.code(), baseline.all());
        assertEquals("3|3|0", TestSupport.one(url, "select count(*), count(finished_at), sum(applied_steps_count) from _prisma_migrations"));
        TestSupport.Result rest = migrate(url, hoppscotch);
        assertEquals(0, rest.code(), rest.all());
        assertTrue(rest.out().contains("Applied 18 migrations"), rest.out());
    }

    @Test
    void theEdgeCasesPrismaHandles() throws Exception {
        String url = TestSupport.freshDatabase();
        TestSupport.Result r = migrate(url, EDGE);
        assertEquals(0, r.code(), r.all());
        assertTrue(r.err().contains("04_own_transaction/migration.sql manages its own transaction"), r.err());
        assertTrue(r.out().contains("Applied 6 migrations"), r.out());
        assertEquals(List.of("01_init", "02_add_status_value", "03_functions", "04_own_transaction", "06_long_names", "07_extensions"),
                TestSupport.rows(url, "select migration_name from _prisma_migrations where finished_at is not null order by 1"));
        assertRecordedAsPrismaWould(url, EDGE);
        assertEquals("${NOT_A_PLACEHOLDER}", TestSupport.one(url, "select column_default from information_schema.columns where table_name = 'Account' and column_name = 'note'").replace("'", "").replace("::text", ""));
        assertEquals(List.of("ACTIVE", "PAUSED", "CLOSED"), TestSupport.rows(url, "select enumlabel from pg_enum e join pg_type t on t.oid = e.enumtypid where typname = 'Status' order by enumsortorder"));
        assertEquals("2", TestSupport.one(url, "select count(*) from \"Ledger\""));
        assertTrue(TestSupport.one(url, "select prosrc from pg_proc where proname = 'touch_note'").contains("${touched};"));
        assertEquals("2", TestSupport.one(url, "select count(*) from pg_extension where extname in ('pgcrypto', 'pg_trgm')"));
        assertEquals("63", TestSupport.one(url, "select max(octet_length(tablename)) from pg_tables where tablename like 'AccountPreferences%'"));
        TestSupport.Result st = status(url, EDGE);
        assertEquals(0, st.code(), st.all());
    }

    @Test
    void aChecksumFromTheOtherLineEndingStillMatchesAnEditIsReported() throws Exception {
        Path folder = Files.createTempDirectory("prisma-crlf-");
        TestSupport.copyTree(EDGE, folder);
        String url = TestSupport.freshDatabase();
        assertEquals(0, migrate(url, folder).code());
        // the file was checked out with LF endings this time
        Path own = folder.resolve("04_own_transaction/migration.sql");
        Files.writeString(own, Files.readString(own).replace("\r\n", "\n"));
        assertEquals(0, status(url, folder).code());
        assertEquals(0, migrate(url, folder).code());
        Files.writeString(folder.resolve("01_init/migration.sql"), "-- edited\n", java.nio.file.StandardOpenOption.APPEND);
        TestSupport.Result st = status(url, folder);
        assertEquals(5, st.code(), st.all());
        assertTrue(st.out().contains("[!] 01_init") && st.out().contains("EDITED"), st.out());
        TestSupport.Result m = migrate(url, folder);
        assertEquals(5, m.code(), m.all());
        assertTrue(m.err().contains("01_init/migration.sql was edited after it was applied"), m.err());
    }

    @Test
    void prismasAdvisoryLockKeepsTheKitWaiting() throws Exception {
        Path hoppscotch = corpus("hoppscotch");
        String url = TestSupport.freshDatabase();
        try (Connection prisma = TestSupport.server().admin(TestSupport.databaseName(url))) {
            prisma.createStatement().execute("select pg_advisory_lock(72707369)");
            TestSupport.Running run = TestSupport.start(new migrate(), TestSupport.env("DIRECT_URL", url), migrateArgs(hoppscotch));
            TestSupport.waitUntil(url, TestSupport.waitsForALock("rc-dbkit migrate"), "migrate waits for Prisma's lock");
            assertFalse(run.isDone(), "migrate must wait for Prisma's lock");
            assertEquals("0", TestSupport.one(url, "select count(*) from pg_tables where tablename = '_prisma_migrations'"));
            prisma.createStatement().execute("select pg_advisory_unlock(72707369)");
            TestSupport.Result r = run.result();
            assertEquals(0, r.code(), r.all());
            assertTrue(r.out().contains("Applied 21 migrations"), r.out());
        }
        assertRecordedAsPrismaWould(url, hoppscotch);
    }

    /** migrate --prisma as an operator runs it on a fresh or resumed deploy: no --allow-destructive. */
    static TestSupport.Result migrateWithoutFlags(String url, Path folder, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("--dir", emptyKit().toString(), "--prisma", folder.toString(), "--lock-timeout", "30s"));
        args.addAll(List.of(more));
        return TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), args.toArray(String[]::new));
    }

    @Test
    void theLargestCorpusAppliesFromEmptyAndResumesWithoutAllowDestructive() throws Exception {
        Path documenso = corpus("documenso");
        TestSupport.Result r = appliedWhole(documenso, PrismaTest::migrateWithoutFlags);
        assertFalse(r.err().contains("data loss") || r.err().contains("warning:"), r.err());
        // an interrupted deploy resumed: the rest is judged as the whole run judged it
        String resumed = TestSupport.freshDatabase();
        assertEquals(0, migrateWithoutFlags(resumed, documenso, "--target", "20230914031347_remove_redundant_created_column").code());
        assertEquals("24", TestSupport.one(resumed, "select count(*) from _prisma_migrations"));
        // two runs resume at once: one applies the rest, the other waits for Prisma's lock and finds nothing to do
        CompletableFuture<TestSupport.Result> a = CompletableFuture.supplyAsync(() -> run(resumed, documenso));
        CompletableFuture<TestSupport.Result> b = CompletableFuture.supplyAsync(() -> run(resumed, documenso));
        for (TestSupport.Result x : List.of(a.get(180, TimeUnit.SECONDS), b.get(180, TimeUnit.SECONDS))) {
            assertEquals(0, x.code(), x.all());
            assertFalse(x.err().contains("data loss"), x.err());
        }
        assertRecordedAsPrismaWould(resumed, documenso);
    }

    private static TestSupport.Result run(String url, Path folder) {
        try {
            return migrateWithoutFlags(url, folder);
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }
}
