import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The set-up policy: what is missing is installed when it can be, else skipped with the command to run, or a failure under CI. */
class ToolTest {
    static final Tool.Machine ROOT_WITH_APT_AND_NPM = new Tool.Machine(true, true, true, true, false);

    @Test
    void presentIsReadyMissingIsInstalledWhenItCanBeElseSkippedOrUnderCiFailed() {
        for (boolean ci : new boolean[] {false, true}) {
            assertEquals(Tool.Verdict.READY, Tool.decide(true, true, ci));
            assertEquals(Tool.Verdict.READY, Tool.decide(true, false, ci));
            assertEquals(Tool.Verdict.INSTALL, Tool.decide(false, true, ci));
        }
        assertEquals(Tool.Verdict.SKIP, Tool.decide(false, false, false));
        assertEquals(Tool.Verdict.FAIL, Tool.decide(false, false, true));
    }

    @Test
    void aptNeedsRootAndApt() {
        assertTrue(Tool.PGBOUNCER.canInstall(ROOT_WITH_APT_AND_NPM));
        assertEquals(false, Tool.PGBOUNCER.canInstall(new Tool.Machine(false, true, true, true, false)));
        assertEquals(false, Tool.OPENSSL.canInstall(new Tool.Machine(true, false, true, true, false)));
        assertEquals(false, Tool.NODE_ARGON2.canInstall(new Tool.Machine(true, true, true, false, false)));
        assertTrue(Tool.NODE_ARGON2.canInstall(new Tool.Machine(false, false, true, true, false)));
        assertTrue(Tool.NODE_DOTENV.canInstall(new Tool.Machine(false, false, true, true, false)));
        assertEquals(false, Tool.NODE_DOTENV.canInstall(new Tool.Machine(true, true, false, true, false)));
    }

    @Test
    void aSkipNamesTheExactCommandThatEnablesTheTests() {
        assertEquals("pgbouncer is not installed (this run is not root, so it cannot apt-get it); to run these tests: sudo apt-get install -y pgbouncer",
                Tool.PGBOUNCER.missingSentence(new Tool.Machine(false, true, true, true, false)));
        assertEquals("openssl is not installed (there is no apt-get here); to run these tests: install openssl with this system's package manager (on Debian or Ubuntu: sudo apt-get install -y openssl)",
                Tool.OPENSSL.missingSentence(new Tool.Machine(false, false, true, true, false)));
        assertEquals("the node argon2 checker is not installed (node and npm are not both on PATH); to run these tests: install Node.js 18 or newer with npm, then (cd tests/node && npm ci) (CI=true: a missing tool fails the run)",
                Tool.NODE_ARGON2.missingSentence(new Tool.Machine(true, true, false, false, true)));
    }

    /** The runner in its own JVM with a PATH that has no node, npm or apt-get. */
    static String[] runWithoutTools(boolean ci) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "run", "SeedTest#theAppsNodeArgon2AcceptsTheHashSeedWrote")
                .directory(TestSupport.kitDir().toFile()).redirectErrorStream(true);
        Path empty = Files.createTempDirectory("no-tools-");
        pb.environment().clear();
        pb.environment().putAll(TestSupport.env("PATH", empty.toString()));
        pb.environment().remove("CI");
        if (ci) pb.environment().put("CI", "true");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
        return new String[] {String.valueOf(p.exitValue()), out};
    }

    @Test
    void withoutNodeTheNodeCheckIsSkippedWithTheCommandToRun() throws Exception {
        String[] r = runWithoutTools(false);
        List<String> lines = r[1].lines().toList();
        assertTrue(r[1].contains("skip SeedTest > theAppsNodeArgon2AcceptsTheHashSeedWrote(): the node argon2 checker is not installed (node and npm are not both on PATH); to run these tests: install Node.js 18 or newer with npm, then (cd tests/node && npm ci)"), r[1]);
        assertEquals("0 passed, 0 failed, 1 skipped", lines.get(lines.size() - 1), r[1]);
    }

    @Test
    void underCiAMissingToolIsAFailureNotASkip() throws Exception {
        String[] r = runWithoutTools(true);
        List<String> lines = r[1].lines().toList();
        assertEquals("1", r[0], r[1]);
        assertTrue(r[1].contains("FAIL SeedTest > theAppsNodeArgon2AcceptsTheHashSeedWrote()") && r[1].contains("(CI=true: a missing tool fails the run)"), r[1]);
        assertEquals("0 passed, 1 failed", lines.get(lines.size() - 1), r[1]);
    }
}
