import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 27 item 2: the kit's server sessions end themselves when their client is gone. Every
 * session of migrate, seed and status probes its link from both ends every 30 s (TCP keepalives:
 * the client's sockets, KeepAliveSockets; the server's side, SessionLimits), so a dead link is found
 * within about a minute; a statement whose client was killed is stopped by the server within
 * seconds (client_connection_check_interval), not when it would have finished.
 */
class ClientGoneTest {

    /** The keepalive timer ss(8) shows on the socket with this local port, in seconds; -1 when it has none. */
    private static int keepaliveSeconds(List<String> sockets, String local) {
        Pattern timer = Pattern.compile("timer:\\(keepalive,(?:(\\d+)min)?(?:(\\d+)sec)?");
        for (String line : sockets) {
            String[] cols = line.trim().split("\\s+");
            if (cols.length < 4 || !cols[2].endsWith(":" + local)) continue;
            Matcher m = timer.matcher(line);
            if (!m.find()) return -1;
            return (m.group(1) == null ? 0 : Integer.parseInt(m.group(1)) * 60) + (m.group(2) == null ? 0 : Integer.parseInt(m.group(2)));
        }
        throw new AssertionError("no socket with local port " + local + " in: " + String.join("\n", sockets));
    }

    /** Both ends of each session of the application: the client's socket and the server's, each with a keepalive timer of at most 30 s. */
    private static void probedFromBothEnds(String url, String application) throws Exception {
        int serverPort = java.net.URI.create(url).getPort();
        List<String> clientPorts = TestSupport.rows(url, "select client_port from pg_stat_activity where application_name = '" + application + "' and client_port > 0");
        assertTrue(!clientPorts.isEmpty(), "no session of " + application);
        Process ss = new ProcessBuilder("ss", "-tnoH", "state", "established").redirectErrorStream(true).start();
        List<String> sockets = new String(ss.getInputStream().readAllBytes()).lines().toList();
        ss.waitFor();
        for (String port : clientPorts) {
            int client = keepaliveSeconds(sockets, port);
            assertTrue(client >= 0 && client <= 30, application + "'s socket " + port + ": keepalive in " + client + " s");
            // the server's side of the same session: its local port is the server's, its peer the client's port
            String serverSide = sockets.stream().filter(l -> l.trim().split("\\s+").length >= 4 && l.trim().split("\\s+")[2].endsWith(":" + serverPort)
                    && l.trim().split("\\s+")[3].endsWith(":" + port)).findFirst().orElseThrow(() -> new AssertionError("no server socket for client port " + port));
            Matcher m = Pattern.compile("timer:\\(keepalive,(\\d+)sec").matcher(serverSide);
            assertTrue(m.find() && Integer.parseInt(m.group(1)) <= 30, application + "'s server side: " + serverSide);
        }
    }

    @Test
    @Needs(Tool.SS)
    void migrateSeedAndStatusProbeTheirLinksFromBothEndsEveryThirtySeconds() throws Exception {
        String url = TestSupport.migrated();
        try (Connection holder = TestSupport.server().admin(TestSupport.databaseName(url))) {
            holder.setAutoCommit(false);
            holder.createStatement().execute("set application_name = 'billing-api'");
            holder.createStatement().execute("lock table \"FeatureFlag\" in access exclusive mode");
            // seed and status wait behind the app's lock on FeatureFlag, with their sessions open
            TestSupport.Running seed = TestSupport.start(new seed(), TestSupport.adminEnv(url));
            TestSupport.Running status = TestSupport.start(new status(), TestSupport.adminEnv(url));
            TestSupport.waitUntil(url, TestSupport.waitsForALock("rc-dbkit seed"), "seed waits");
            TestSupport.waitUntil(url, TestSupport.waitsForALock("rc-dbkit status"), "status waits");
            probedFromBothEnds(url, "rc-dbkit seed");
            probedFromBothEnds(url, "rc-dbkit status");
            // status's live line says what it waits for, and who holds it
            status.awaitErr("status, ");
            status.awaitErr(": waiting for AccessShareLock on \"FeatureFlag\", held by process ");
            holder.rollback();
            assertEquals(0, seed.result().code());
            assertTrue(status.result().code() <= 1, status.result().all()); // seed's rows, seen or not yet: it ran beside seed
            assertTrue(status.result().err().contains("application \"billing-api\""), status.result().err());
        }
        Path kit = MigrateLockTest.flywayKitWithSlowV5();
        TestSupport.Running migrate = TestSupport.start(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString());
        try {
            TestSupport.waitUntil(url, MigrateLockTest.SLEEPING, "V5 is running");
            probedFromBothEnds(url, "rc-dbkit migrate");
        } finally {
            TestSupport.exec(url, "select pg_terminate_backend(pid) from pg_stat_activity where query like '%pg_sleep(60)%' and pid <> pg_backend_pid()");
            migrate.result();
        }
    }

    /** kill -9 of migrate during a one-minute statement: the server stops the statement within seconds and frees the lock. */
    @Test
    void aStatementWhoseClientWasKilledIsStoppedByTheServerWithinSeconds() throws Exception {
        String url = TestSupport.migrated();
        Path kit = MigrateLockTest.flywayKitWithSlowV5();
        TestSupport.Proc p = TestSupport.launch(TestSupport.env("DIRECT_URL", url), "migrate.java", "--dir", kit.toString());
        TestSupport.waitUntil(url, MigrateLockTest.SLEEPING, "V5 is running", Duration.ofMinutes(2));
        p.process().destroyForcibly();
        p.process().waitFor();
        long t = System.nanoTime();
        // before: the server slept out its minute, holding Flyway's lock, since nothing told it the client was gone
        TestSupport.waitUntil(url, MigrateLockTest.NO_SLEEP, "the server stopped the killed client's statement", Duration.ofSeconds(15));
        System.out.println("     killed client's statement stopped after " + (System.nanoTime() - t) / 1_000_000 + " ms");
        assertEquals("0", TestSupport.one(url, MigrateLockTest.NO_ADVISORY_LOCK));
    }
}
