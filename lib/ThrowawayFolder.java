import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The folder of one throwaway PostgreSQL: outside the kit's folder, in $XDG_RUNTIME_DIR when the
 * session has one (memory, the user's alone) or else the temp folder, readable by this user alone
 * (mode 700), named {@code rc-dbkit-pg-*}, with an {@code owner} file naming the JVM that made it.
 * Removed with its server at the end, on an error, on Ctrl-C and on SIGTERM ({@link Throwaway});
 * one left by a run killed with kill -9 is found by the next run that makes one: its server, if
 * still running, is stopped, and the folder removed.
 */
final class ThrowawayFolder {
    static final String PREFIX = "rc-dbkit-pg-";
    private static final String OWNER = "owner";
    /** A folder kept on purpose (verify --keep): never swept. */
    private static final String KEPT = "kept";

    final Path path;

    private ThrowawayFolder(Path path) {
        this.path = path;
    }

    /** The folders a throwaway server may live in: $XDG_RUNTIME_DIR when it is this user's, then the temp folder. */
    static List<Path> bases() {
        Set<Path> bases = new LinkedHashSet<>();
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        if (runtime != null && !runtime.isBlank()) {
            Path p = Path.of(runtime);
            try {
                if (Files.isDirectory(p) && Files.isWritable(p) && Files.getOwner(p).getName().equals(System.getProperty("user.name"))) bases.add(p);
            } catch (IOException | UnsupportedOperationException ignored) {
                // not usable: the temp folder below
            }
        }
        bases.add(Path.of(System.getProperty("java.io.tmpdir")));
        return new ArrayList<>(bases);
    }

    /** A new folder (mode 700) owned by this JVM. */
    static ThrowawayFolder create() throws IOException {
        Path path = Files.createTempDirectory(bases().get(0), PREFIX, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        ProcessHandle me = ProcessHandle.current();
        Files.writeString(path.resolve(OWNER), me.pid() + " " + me.info().startInstant().map(Instant::toEpochMilli).orElse(0L) + "\n");
        return new ThrowawayFolder(path);
    }

    Path data() {
        return path.resolve("data");
    }

    /** Left in place at the end (verify --keep): no later run sweeps it. */
    void keep() throws IOException {
        Files.writeString(path.resolve(KEPT), "kept by verify --keep\n");
    }

    boolean kept() {
        return Files.exists(path.resolve(KEPT));
    }

    void delete() {
        deleteTree(path);
    }

    /**
     * Removes what runs killed with kill -9 left: every folder of this kind whose owner JVM is gone,
     * its server stopped first if it still runs. Returns one line saying what was removed, or null.
     */
    static String sweep() {
        int folders = 0, servers = 0;
        for (Path base : bases()) {
            List<Path> found;
            try (var list = Files.list(base)) {
                found = list.filter(p -> p.getFileName().toString().startsWith(PREFIX) && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).toList();
            } catch (IOException e) {
                continue;
            }
            for (Path folder : found) {
                if (!abandoned(folder)) continue;
                if (stopServer(folder.resolve("data"))) servers++;
                deleteTree(folder);
                if (!Files.exists(folder)) folders++;
            }
        }
        if (folders == 0) return null;
        return "removed " + (folders == 1 ? "a throwaway PostgreSQL folder" : folders + " throwaway PostgreSQL folders") + " left by an earlier run that was killed"
                + (servers == 0 ? "" : servers == 1 ? " (its server was still running: stopped)" : " (" + servers + " servers were still running: stopped)") + ".";
    }

    /** Ours (this user's, not kept) and its owner JVM is gone: not running, or another process now has its pid. */
    private static boolean abandoned(Path folder) {
        try {
            if (!Files.getOwner(folder, LinkOption.NOFOLLOW_LINKS).getName().equals(System.getProperty("user.name"))) return false;
            if (Files.exists(folder.resolve(KEPT))) return false;
            Path owner = folder.resolve(OWNER);
            if (!Files.isRegularFile(owner)) {
                // made a moment ago by a run that has not written its owner file yet, or by one killed at that moment
                return Files.getLastModifiedTime(folder).toInstant().isBefore(Instant.now().minusSeconds(600));
            }
            String[] parts = Files.readString(owner).strip().split(" ");
            long pid = Long.parseLong(parts[0]);
            long started = Long.parseLong(parts[1]);
            Optional<ProcessHandle> p = ProcessHandle.of(pid);
            if (p.isEmpty() || !p.get().isAlive()) return true;
            Optional<Instant> at = p.get().info().startInstant();
            return at.isPresent() && started != 0 && at.get().toEpochMilli() != started;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Stops the server whose data folder this is, if it still runs: its postmaster's pid from
     * postmaster.pid, checked to be a postgres of this data folder, asked for a fast shutdown
     * (SIGINT: sessions ended, no checkpoint wait), and killed if it has not ended within 15 s.
     * Returns whether one was running.
     */
    static boolean stopServer(Path data) {
        Optional<ProcessHandle> postmaster = postmaster(data);
        if (postmaster.isEmpty()) return false;
        ProcessHandle p = postmaster.get();
        try {
            Process kill = new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            kill.waitFor(5, TimeUnit.SECONDS);
            p.onExit().get(15, TimeUnit.SECONDS);
        } catch (Exception notYet) {
            p.destroyForcibly();
            try {
                p.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // its folder goes anyway; the process ends with its data gone
            }
        }
        return true;
    }

    /** The running postmaster of this data folder, if any: the pid in postmaster.pid, a postgres process started with -D this folder. */
    static Optional<ProcessHandle> postmaster(Path data) {
        try {
            Path pidFile = data.resolve("postmaster.pid");
            if (!Files.isRegularFile(pidFile)) return Optional.empty();
            long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).strip());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(h -> {
                String cmd = h.info().command().orElse("");
                String args = String.join(" ", h.info().arguments().orElse(new String[0]));
                return cmd.endsWith("postgres") && args.contains(data.toString());
            });
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) return;
        for (int attempt = 0; attempt < 3 && Files.exists(root, LinkOption.NOFOLLOW_LINKS); attempt++) {
            try (var walk = Files.walk(root)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            } catch (IOException | java.io.UncheckedIOException vanishing) {
                // a file went while listed (the server's last writes): list again; what is left is found by the next sweep
            }
        }
    }
}
