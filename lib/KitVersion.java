import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The kit's version and the commit it was built from, as --version says them. A bundle carries
 * its commit in lib/build.properties, written by bundle.java beside the jars. A script run by
 * JBang cannot ask where its source is, so it names the commit of the git checkout it reads
 * migrations/ and seeds/ from (--dir, by default the working folder), and says so. Git is asked
 * only when --version is given, never on an ordinary run.
 */
final class KitVersion {
    static final String NUMBER = "0.1.0";
    static final String NAME = "rc-dbkit " + NUMBER;
    /** Beside the jars of a bundle: version, commit, changes (true, false or unknown), built, runtime, bundle. */
    static final String BUILD_FILE = "build.properties";

    /** One line: the version, the commit, and what the commit belongs to. */
    static String describe(Path dir) {
        Properties build = bundleBuild();
        if (build != null) {
            String commit = build.getProperty("commit", "unknown");
            String where = "bundle " + build.getProperty("bundle") + " built " + build.getProperty("built") + " on Java " + build.getProperty("runtime");
            if (commit.equals("unknown")) return NAME + ", unknown commit (" + where + " outside a git checkout)";
            return NAME + ", commit " + commit + changes(build.getProperty("changes")) + " (" + where + ")";
        }
        return NAME + ", " + checkout(dir.toAbsolutePath().normalize());
    }

    /** lib/build.properties beside the jar this class was loaded from, or null when it is not a bundle's. */
    static Properties bundleBuild() {
        try {
            var source = KitVersion.class.getProtectionDomain().getCodeSource();
            if (source == null) return null;
            Path file = Path.of(source.getLocation().toURI()).resolveSibling(BUILD_FILE);
            if (!Files.isRegularFile(file)) return null;
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            }
            return p;
        } catch (IOException | URISyntaxException | IllegalArgumentException | UnsupportedOperationException e) {
            return null;
        }
    }

    /** "commit 4fc1b2e3c4d5 (the git checkout at DIR)", with its uncommitted changes, or why the commit is unknown. */
    static String checkout(Path dir) {
        String head;
        try {
            head = git(dir, "rev-parse", "--short=12", "HEAD");
        } catch (IOException e) {
            return "unknown commit (git could not be run to read " + dir + ")";
        }
        if (head == null) return "unknown commit (" + dir + " is not in a git checkout)";
        String status;
        try {
            status = git(dir, "status", "--porcelain");
        } catch (IOException e) {
            status = null;
        }
        return "commit " + head + changes(status == null ? "unknown" : String.valueOf(!status.isEmpty())) + " (the git checkout at " + dir + ")";
    }

    static String changes(String changes) {
        if ("true".equals(changes)) return " with uncommitted changes";
        if ("false".equals(changes)) return "";
        return " (uncommitted changes unknown)";
    }

    /** What git printed, or null when it exited non-zero (no checkout there); IOException when it cannot run. */
    static String git(Path dir, String... args) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of("git", "-C", dir.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("git did not answer in 10 s");
            }
            return p.exitValue() == 0 ? out : null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    private KitVersion() {}
}
