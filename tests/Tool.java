import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What some tests need beyond Java, and how the test runner gets it: PgBouncer, openssl and the
 * machine's PostgreSQL 15 from apt-get (when it runs as root on a machine that has apt-get), the app's own node packages
 * (argon2 to check the hashes seed writes, dotenv to check the kit reads .env as the app does)
 * from `npm ci` in tests/node (when node and npm are there). What cannot be installed makes its
 * tests skip with the command that would enable them; under CI=true it makes them fail.
 */
enum Tool {
    PGBOUNCER("pgbouncer", "pgbouncer", null),
    OPENSSL("openssl", "openssl", null),
    JQ("jq", "jq", null),
    /** script(1), util-linux's: a command under a pseudo-terminal (the live line redrawn in place). */
    SCRIPT("script", "bsdutils", null),
    /** ss(8), iproute2's: the sockets' keepalive timers. */
    SS("ss", "iproute2", null),
    POSTGRESQL_15("PostgreSQL 15 (Debian's postgresql-15)", "postgresql-15", null),
    NODE_ARGON2("the node argon2 checker", null, "argon2"),
    NODE_DOTENV("the node dotenv reader", null, "dotenv");

    /** What an operator reads: "pgbouncer is not installed". */
    final String label;
    /** The Debian package, or null for a node package (npm ci in tests/node). */
    final String aptPackage;
    /** The app's node package in tests/node, or null. */
    final String nodeModule;

    Tool(String label, String aptPackage, String nodeModule) {
        this.label = label;
        this.aptPackage = aptPackage;
        this.nodeModule = nodeModule;
    }

    /** The machine as far as installing goes: read once from the process. */
    record Machine(boolean root, boolean aptGet, boolean node, boolean npm, boolean ci) {
        static Machine current() {
            return new Machine(isRoot(), onPath("apt-get").isPresent(), onPath("node").isPresent(), onPath("npm").isPresent(),
                    "true".equalsIgnoreCase(System.getenv("CI")));
        }
    }

    enum Verdict { READY, INSTALL, SKIP, FAIL }

    /** The policy, in one place: present is ready; missing is installed when it can be; else a skip, or a failure under CI. */
    static Verdict decide(boolean present, boolean canInstall, boolean ci) {
        if (present) return Verdict.READY;
        if (canInstall) return Verdict.INSTALL;
        return ci ? Verdict.FAIL : Verdict.SKIP;
    }

    boolean canInstall(Machine m) {
        return aptPackage != null ? m.root() && m.aptGet() : m.node() && m.npm();
    }

    /** The exact command that would make this tool available on machine m. */
    String enableCommand(Machine m) {
        if (aptPackage == null) {
            return (m.node() && m.npm() ? "" : "install Node.js 18 or newer with npm, then ") + "(cd tests/node && npm ci)";
        }
        String apt = "apt-get install -y " + aptPackage;
        if (!m.aptGet()) return "install " + aptPackage + " with this system's package manager (on Debian or Ubuntu: sudo " + apt + ")";
        return m.root() ? apt : "sudo " + apt;
    }

    /** Why the tests that need this tool cannot run on machine m, and how to make them run. */
    String missingSentence(Machine m) {
        String why = aptPackage == null
                ? (!m.node() || !m.npm() ? "node and npm are not both on PATH" : "tests/node/node_modules is missing or older than package-lock.json")
                : !m.aptGet() ? "there is no apt-get here" : !m.root() ? "this run is not root, so it cannot apt-get it" : "installing it failed";
        return label + " is not installed (" + why + "); to run these tests: " + enableCommand(m)
                + (m.ci() ? " (CI=true: a missing tool fails the run)" : "");
    }

    /** Is it usable now? (For a node package: node on PATH and node_modules as package-lock.json says.) */
    boolean present() {
        return switch (this) {
            case PGBOUNCER -> pgbouncer().isPresent();
            case OPENSSL -> onPath("openssl").isPresent();
            case JQ -> onPath("jq").isPresent();
            case SCRIPT -> onPath("script").isPresent();
            case SS -> onPath("ss").isPresent();
            case POSTGRESQL_15 -> Files.isExecutable(Path.of("/usr/lib/postgresql/15/bin/initdb"));
            case NODE_ARGON2, NODE_DOTENV -> onPath("node").isPresent() && nodeModulesCurrent(nodeModule);
        };
    }

    static Optional<Path> pgbouncer() {
        Optional<Path> found = onPath("pgbouncer");
        if (found.isPresent()) return found;
        // Debian puts it in /usr/sbin, which a non-root PATH often leaves out.
        return Optional.of(Path.of("/usr/sbin/pgbouncer")).filter(Files::isExecutable);
    }

    static Path nodeDir() {
        return TestSupport.kitDir().resolve("tests/node");
    }

    /** npm ci writes node_modules/.package-lock.json; older than the lock file or package.json means stale. */
    static boolean nodeModulesCurrent(String module) {
        Path dir = nodeDir();
        Path installed = dir.resolve("node_modules/.package-lock.json");
        try {
            if (!Files.isDirectory(dir.resolve("node_modules").resolve(module)) || !Files.isRegularFile(installed)) return false;
            long at = Files.getLastModifiedTime(installed).toMillis();
            for (String f : List.of("package.json", "package-lock.json")) {
                if (Files.getLastModifiedTime(dir.resolve(f)).toMillis() > at) return false;
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static Optional<Path> onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) return Optional.empty();
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) continue;
            Path p = Path.of(dir, command);
            if (Files.isExecutable(p) && !Files.isDirectory(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    // ---- what the runner does before the tests, and what a test checks -------------------------

    private static final Map<Tool, String> INSTALL_FAILURES = new EnumMap<>(Tool.class);

    /**
     * Installs what the selected tests need and this machine can install, saying so in one line;
     * what it cannot install is left to {@link #require} (a skip, or a failure under CI).
     */
    static synchronized void prepare(Set<Tool> needed, PrintWriter out) {
        Machine m = Machine.current();
        List<Tool> apt = new ArrayList<>();
        List<Tool> node = new ArrayList<>();
        for (Tool t : needed) {
            if (decide(t.present(), t.canInstall(m), m.ci()) != Verdict.INSTALL) continue;
            (t.aptPackage != null ? apt : node).add(t);
        }
        if (apt.isEmpty() && node.isEmpty()) return;
        List<String> parts = new ArrayList<>();
        if (!apt.isEmpty()) parts.add(String.join(" and ", apt.stream().map(t -> t.aptPackage).toList()) + " with apt-get");
        if (!node.isEmpty()) parts.add(String.join(" and ", node.stream().map(t -> t.label).toList()) + " with npm ci in tests/node");
        out.println("setup: installing " + String.join(", and ", parts) + " for the tests below");
        out.flush();
        if (!apt.isEmpty()) {
            Set<String> packages = new LinkedHashSet<>(apt.stream().map(t -> t.aptPackage).toList());
            String failure = exec(null, List.of("apt-get", "-qq", "-o", "DPkg::Lock::Timeout=600", "update"));
            if (failure == null) {
                List<String> install = new ArrayList<>(List.of("apt-get", "install", "-y", "-qq", "--no-install-recommends", "-o", "DPkg::Lock::Timeout=600"));
                install.addAll(packages);
                failure = exec(null, install);
            }
            for (Tool t : apt) if (!t.present()) INSTALL_FAILURES.put(t, failure != null ? failure : "apt-get finished but " + t.label + " is still not found");
        }
        if (!node.isEmpty()) {
            String failure = exec(nodeDir(), List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"));
            for (Tool t : node) if (!t.present()) INSTALL_FAILURES.put(t, failure != null ? failure : "npm ci finished but node_modules/" + t.nodeModule + " is not there");
        }
        INSTALL_FAILURES.forEach((t, why) -> out.println("setup: could not install " + t.label + ": " + why));
        out.flush();
    }

    /** Runs a command; null when it exits 0, else its exit code and the last lines it printed. */
    private static String exec(Path dir, List<String> command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            if (dir != null) pb.directory(dir.toFile());
            pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
            Process p = pb.start();
            String output = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(20, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return String.join(" ", command) + " did not finish in 20 minutes";
            }
            if (p.exitValue() == 0) return null;
            List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
            return String.join(" ", command) + " exited " + p.exitValue() + ": "
                    + String.join(" / ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
        } catch (IOException e) {
            return String.join(" ", command) + " could not start: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Called before a test that needs this tool: returns when it is there; else skips the test, or fails it under CI or when installing failed. */
    void require() {
        if (present()) return;
        Machine m = Machine.current();
        String failure;
        synchronized (Tool.class) {
            failure = INSTALL_FAILURES.get(this);
        }
        if (failure == null && decide(false, canInstall(m), m.ci()) == Verdict.INSTALL) {
            // not prepared by the runner (a test class it did not scan): install it now
            prepare(java.util.EnumSet.of(this), new PrintWriter(System.out, true));
            if (present()) return;
            synchronized (Tool.class) {
                failure = INSTALL_FAILURES.get(this);
            }
        }
        if (failure != null) throw new AssertionError(label + " could not be installed: " + failure + "; to run these tests: " + enableCommand(m));
        Verdict v = decide(false, canInstall(m), m.ci());
        if (v == Verdict.SKIP) throw new org.opentest4j.TestAbortedException(missingSentence(m));
        throw new AssertionError(missingSentence(m));
    }
}
