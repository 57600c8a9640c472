import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Rehearsals of a real Prisma history (documenso, from ../shared/corpora), taken to a version with
 * --target: a DELETE followed by a unique index over the rows it leaves, and an empty target; and
 * the Prisma path's manners on the target's server (no unlock of a lock it does not hold).
 */
class RehearseCorporaTest {
    static final String BEFORE = "20230917190854_password_reset_token";
    static final String DELETE_THEN_UNIQUE = "20230918111438_update_subscription_constraints_and_columns";

    private static TestSupport.Result rehearse(String url, Path folder, String... more) throws Exception {
        String before = TestSupport.fingerprint(url);
        List<String> args = new java.util.ArrayList<>(List.of(PrismaTest.migrateArgs(folder, more)));
        args.add("--rehearse");
        TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), args.toArray(String[]::new));
        assertEquals(before, TestSupport.fingerprint(url), "the rehearsal changed the target: " + r.all());
        return r;
    }

    /** documenso up to the migration before the DELETE-then-unique one, with two users and the subscriptions given. */
    private static String documensoWith(Path documenso, String subscriptions) throws Exception {
        String url = TestSupport.freshDatabase();
        assertEquals(0, PrismaTest.migrate(url, documenso, "--target", BEFORE).code());
        TestSupport.exec(url, "insert into \"User\" (id, email) values (101, 'a@example.com'), (102, 'b@example.com');"
                + " insert into \"Subscription\" (\"userId\", \"customerId\", \"planId\", \"updatedAt\") values " + subscriptions);
        return url;
    }

    @Test
    void aDeleteThenAUniqueIndexIsJudgedOnTheRowsTheDeleteLeaves() throws Exception {
        Path documenso = PrismaTest.corpus("documenso");
        // user 1 keeps two subscriptions with a customer: the unique index on "userId" fails
        String bad = documensoWith(documenso, "(101, 'c1', 'p1', now()), (101, 'c2', 'p2', now()), (102, null, 'p3', now())");
        TestSupport.Result r = rehearse(bad, documenso, "--target", DELETE_THEN_UNIQUE);
        assertEquals(4, r.code(), r.all());
        assertTrue(r.err().contains("the rehearsal predicts that migrate would fail: " + DELETE_THEN_UNIQUE + "/migration.sql line 17: CREATE UNIQUE INDEX \"Subscription_userId_key\""), r.err());
        assertTrue(r.err().contains("could not create unique index \"Subscription_userId_key\""), r.err());
        TestSupport.Result real = PrismaTest.migrate(bad, documenso, "--target", DELETE_THEN_UNIQUE);
        assertEquals(4, real.code(), real.all());
        assertTrue(real.err().contains("could not create unique index \"Subscription_userId_key\""), real.err());
        // user 1's second subscription has no customer: the DELETE takes it, and the index holds
        String good = documensoWith(documenso, "(101, 'c1', 'p1', now()), (101, null, 'p2', now()), (102, 'c3', 'p3', now())");
        TestSupport.Result p = rehearse(good, documenso, "--target", DELETE_THEN_UNIQUE);
        assertEquals(0, p.code(), p.all());
        assertTrue(p.out().contains(DELETE_THEN_UNIQUE + "/migration.sql deletes 1 row of \"Subscription\""), p.out());
        assertEquals(0, PrismaTest.migrate(good, documenso, "--target", DELETE_THEN_UNIQUE).code());
    }

    @Test
    void anEmptyTargetSaysOnceThatItsTablesHoldNoRowsAndProvesEveryStatement() throws Exception {
        Path documenso = PrismaTest.corpus("documenso");
        String url = TestSupport.freshDatabase();
        assertEquals(0, PrismaTest.migrate(url, documenso, "--target", BEFORE).code());
        // the migrations made a service user: the target then holds no row at all
        TestSupport.exec(url, "delete from \"User\"");
        TestSupport.Result r = rehearse(url, documenso);
        assertEquals(0, r.code(), r.all());
        assertEquals(1, r.out().lines().filter(l -> l.contains("hold no rows: nothing to copy")).count(), r.out());
        assertFalse(r.all().contains("cannot tell") || r.all().contains("not proven"), r.all());
        assertTrue(r.out().contains("all 138 pending migrations apply on the copy and pass"), r.out());
    }

    @Test
    void aPrismaRehearsalLeavesNoUnlockWarningInTheTargetsLog() throws Exception {
        Path log = Files.createTempDirectory("rehearse-log-");
        Path folder = TestSupport.prismaFolder("01_init", "CREATE TABLE \"User\" (\"id\" SERIAL PRIMARY KEY, \"email\" TEXT);\n",
                "02_email", "ALTER TABLE \"User\" ALTER COLUMN \"email\" SET NOT NULL;\n");
        try (EmbeddedServer server = EmbeddedServer.start(17, null, true, Map.of("logging_collector", "on", "log_directory", log.toString(), "log_filename", "target.log"))) {
            String url = server.createDatabase("target");
            assertEquals(0, TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), PrismaTest.migrateArgs(folder, "--target", "01_init")).code());
            // what the log shows of an unlock of a lock not held: the test can see it
            try (Connection c = server.admin("target")) {
                c.createStatement().execute("select pg_advisory_unlock(72707369)");
            }
            Path file = log.resolve("target.log");
            waitForLine(file, "you don't own a lock of type ExclusiveLock");
            TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), PrismaTest.migrateArgs(folder, "--rehearse"));
            assertEquals(0, r.code(), r.all());
            try (Connection c = server.admin("target")) {
                // a statement after the rehearsal's, logged after any warning it caused
                c.createStatement().execute("do $$ begin raise warning 'rehearsal over'; end $$");
            }
            waitForLine(file, "rehearsal over");
            assertEquals(1, Files.readAllLines(file).stream().filter(l -> l.contains("you don't own a lock of type ExclusiveLock")).count(), Files.readString(file));
        }
    }

    /** Waits until the server's log file holds the text (the logging collector writes it a moment later), at most a minute. */
    private static void waitForLine(Path file, String text) throws Exception {
        long end = System.nanoTime() + java.time.Duration.ofMinutes(1).toNanos();
        while (!(Files.exists(file) && Files.readString(file).contains(text))) {
            if (System.nanoTime() > end) throw new AssertionError("the server's log never said \"" + text + "\"");
            Thread.sleep(100);
        }
    }
}
