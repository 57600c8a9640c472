import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The throwaway PostgreSQL (the rehearsal's copy, status --schema's shadow, verify, the suite's own)
 * accepts only the kit: no login without a password, the superuser's included, on TCP while it runs
 * nor after the run that made it was killed; its folder (mode 700, outside the kit) and its server
 * are gone after the run ends, after Ctrl-C and after SIGTERM, and after kill -9 the next run that
 * starts one stops and removes what was left, saying so.
 */
class ThrowawayServerTest {
    /** A fifth migration that sleeps a minute on the shadow alone (its database is "shadow"), at once on the target. */
    static final String SLOW_ON_THE_SHADOW = "SELECT pg_sleep(CASE WHEN current_database() = 'shadow' THEN 60 ELSE 0 END);\n";

    /** The folders of throwaway servers whose owner is one of these processes. */
    static List<Path> foldersOf(Set<Long> pids) throws Exception {
        List<Path> found = new ArrayList<>();
        for (Path base : ThrowawayFolder.bases()) {
            try (var list = Files.list(base)) {
                for (Path p : list.filter(p -> p.getFileName().toString().startsWith(ThrowawayFolder.PREFIX)).toList()) {
                    Path owner = p.resolve("owner");
                    try {
                        if (Files.isRegularFile(owner) && pids.contains(Long.parseLong(Files.readString(owner).strip().split(" ")[0]))) found.add(p);
                    } catch (java.io.IOException | NumberFormatException gone) {
                        // removed while listed
                    }
                }
            }
        }
        return found;
    }

    /** The port in a running server's postmaster.pid (its fourth line). */
    static int port(Path folder) throws Exception {
        return Integer.parseInt(Files.readAllLines(folder.resolve("data/postmaster.pid")).get(3).strip());
    }

    /** A login as the superuser with no password, over TCP, as any local user could try: it must be refused. */
    static void refusesAPasswordlessSuperuser(int port) {
        for (String user : List.of("postgres", EmbeddedServer.USER)) {
            SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres?connectTimeout=5", user, null).close(),
                    user + " logged in without a password");
            assertTrue(e.getMessage().contains("password"), e.getMessage());
        }
    }

    /** A target at version 5 of a kit whose V5 sleeps a minute on a shadow, and status --schema launched on it, caught while it builds the copy. */
    record Caught(TestSupport.Proc proc, Path folder, ProcessHandle postmaster) {}

    static Caught statusSchemaCaughtBuildingTheCopy() throws Exception {
        Path kit = TestSupport.kitWith("V5__slow_on_a_shadow.sql", SLOW_ON_THE_SHADOW);
        String url = TestSupport.freshDatabase();
        assertEquals(0, TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString()).code());
        TestSupport.Proc p = TestSupport.launch(TestSupport.env("DIRECT_URL", url), "status.java", "--schema", "--dir", kit.toString());
        p.awaitErr("building the copy: 5 migrations ...");
        List<Path> folders = foldersOf(p.family());
        assertEquals(1, folders.size(), "the run's throwaway folders: " + folders);
        Path folder = folders.get(0);
        Optional<ProcessHandle> postmaster = ThrowawayFolder.postmaster(folder.resolve("data"));
        assertTrue(postmaster.isPresent(), "no server running in " + folder);
        return new Caught(p, folder, postmaster.get());
    }

    @Test
    void theSuitesServerAndARehearsalsCopyRefuseEveryLoginWithoutItsPasswordAndLiveInAPrivateFolder() throws Exception {
        EmbeddedServer suite = TestSupport.server();
        refusesAPasswordlessSuperuser(suite.port());
        Path mine = suite.folder();
        assertNotNull(mine);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(mine)));
        assertFalse(mine.startsWith(TestSupport.kitDir()), mine + " is inside the kit");
        try (var c = suite.admin("postgres"); var st = c.createStatement(); var rs = st.executeQuery("show unix_socket_directories")) {
            rs.next();
            assertEquals(mine.resolve("data").toString(), rs.getString(1), "the socket is not in the private folder");
        }
        // while a rehearsal runs, its copy's server refuses the same logins
        Path kit = TestSupport.kitWith("V5__slow_on_the_copy.sql", "SELECT pg_sleep(CASE WHEN current_database() IN ('shadow', 'locks') THEN 8 ELSE 0 END);\n");
        String url = TestSupport.migrated();
        Set<Long> me = Set.of(ProcessHandle.current().pid());
        List<Path> before = foldersOf(me);
        TestSupport.Running rehearsal = TestSupport.start(new migrate(), TestSupport.env("DIRECT_URL", url), "--rehearse", "--dir", kit.toString());
        rehearsal.awaitErr("building the copy: 4 migrations: done in");
        List<Path> copies = foldersOf(me);
        copies.removeAll(before);
        assertEquals(1, copies.size(), copies.toString());
        Path copy = copies.get(0);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(copy)));
        refusesAPasswordlessSuperuser(port(copy));
        TestSupport.Result r = rehearsal.result();
        assertEquals(0, r.code(), r.all());
        assertFalse(Files.exists(copy), "the rehearsal left " + copy);
    }

    @Test
    void ctrlCDuringStatusSchemaSaysItWasInterruptedAndLeavesNoFolderNorServer() throws Exception {
        Caught caught = statusSchemaCaughtBuildingTheCopy();
        caught.proc().signal("INT");
        assertEquals(130, caught.proc().waitFor(), caught.proc().all());
        String err = caught.proc().stderr();
        // before: "the migrations did not apply to the shadow database ... the server ended the session", exit 4, and the folder stayed
        assertTrue(err.lines().anyMatch(l -> l.matches("error: status --schema was interrupted while building the copy: ([0-5]/)?5 migrations: the shadow was removed, and the target was only read\\.")), err);
        assertFalse(err.contains("did not apply"), err);
        assertEquals(1, err.lines().filter(l -> l.startsWith("error:")).count(), err);
        caught.postmaster().onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertFalse(Files.exists(caught.folder()), caught.folder() + " is still there");
    }

    @Test
    void sigtermDuringStatusSchemaLeavesNoFolderNorServer() throws Exception {
        Caught caught = statusSchemaCaughtBuildingTheCopy();
        caught.proc().signal("TERM");
        assertEquals(130, caught.proc().waitFor(), caught.proc().all());
        assertTrue(caught.proc().stderr().contains("error: status --schema was interrupted while building the copy"), caught.proc().stderr());
        caught.postmaster().onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertFalse(Files.exists(caught.folder()), caught.folder() + " is still there");
    }

    @Test
    void afterKillMinus9TheLeftServerRefusesPasswordlessLoginsAndTheNextRunRemovesItSayingSo() throws Exception {
        Caught caught = statusSchemaCaughtBuildingTheCopy();
        int port = port(caught.folder());
        caught.proc().process().destroyForcibly(); // SIGKILL: no hook runs
        caught.proc().process().waitFor();
        assertTrue(caught.postmaster().isAlive(), "the server went with the run; nothing to prove here");
        // the case: a server left running on 127.0.0.1, which let postgres in with no password (COPY ... TO PROGRAM ran)
        refusesAPasswordlessSuperuser(port);
        TestSupport.Result next = TestSupport.run(new status(), TestSupport.adminEnv(TestSupport.seeded()), "--schema");
        assertEquals(0, next.code(), next.all());
        assertTrue(next.err().lines().anyMatch(l -> l.startsWith("note: removed ") && l.contains("left by an earlier run that was killed (") && l.contains("stopped)")), next.err());
        caught.postmaster().onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertFalse(Files.exists(caught.folder()), caught.folder() + " is still there");
    }

    @Test
    void verifyKeepKeepsThePrivateFolderWithThePasswordInAPgpassFileAndNoLaterRunRemovesIt() throws Exception {
        TestSupport.Result r = TestSupport.run(new verify(), TestSupport.env(), "--keep");
        assertEquals(0, r.code(), r.all());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Kept (\\S+) \\(readable by you alone\\)").matcher(r.out());
        assertTrue(m.find(), r.out());
        Path kept = Path.of(m.group(1));
        try {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(kept)));
            assertTrue(Files.isRegularFile(kept.resolve("data/PG_VERSION")), "no data folder in " + kept);
            Path pgpass = kept.resolve("pgpass");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(pgpass)));
            assertTrue(Files.readString(pgpass).matches("\\*:\\*:\\*:postgres:[A-Za-z0-9_-]{20,}\n"), "not a pgpass line for postgres");
            assertTrue(r.out().contains("PGPASSFILE=" + pgpass + " psql -h " + kept.resolve("data") + " -p 5433 -U postgres verify"), r.out());
            assertFalse(r.out().contains("needs no password"), r.out());
            ThrowawayFolder.sweep(); // what the next run that starts a throwaway server does first
            assertTrue(Files.exists(kept), "a later run removed the kept folder");
        } finally {
            TestSupport.deleteTree(kept);
        }
    }
}
