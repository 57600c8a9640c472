//SOURCES KitVersion.java
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Set;

/** A bundle's lib/build.properties: its version, the commit it was made from, the date, the runtime; what --version reads (KitVersion). */
final class BundleBuild {
    /** Writes the file; returns the commit as bundle.java says it. */
    static String write(Path kit, Path dir, String name, Set<String> modules) throws IOException {
        String commit = "unknown";
        String changes = "unknown";
        try {
            String head = KitVersion.git(kit, "rev-parse", "--short=12", "HEAD");
            if (head != null) {
                commit = head;
                String status = KitVersion.git(kit, "status", "--porcelain");
                if (status != null) changes = String.valueOf(!status.isEmpty());
            }
        } catch (IOException e) {
            // no git here: the commit stays unknown, and --version says so
        }
        Files.writeString(dir.resolve("lib").resolve(KitVersion.BUILD_FILE), String.join("\n",
                "# Written by bundle.java; --version reads it.",
                "version=" + KitVersion.NUMBER,
                "bundle=" + name,
                "commit=" + commit,
                "changes=" + changes,
                "built=" + LocalDate.now(),
                "runtime=" + System.getProperty("java.version"),
                "modules=" + String.join(",", modules), ""));
        return commit.equals("unknown") ? "commit unknown (not a git checkout, or no git)" : "commit " + commit + KitVersion.changes(changes);
    }

    private BundleBuild() {}
}
