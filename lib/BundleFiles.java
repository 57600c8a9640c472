//SOURCES KitVersion.java BundleSteps.java
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/** The folders bundle.java writes: copied, measured, and removed (an earlier bundle only). */
final class BundleFiles {
    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    /** Removes an earlier bundle of this name; refuses a folder that is not one. */
    static void clean(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        if (!Files.isRegularFile(dir.resolve("lib").resolve(KitVersion.BUILD_FILE))) {
            BundleSteps.fail(2, dir + " exists and is not a bundle made by bundle.java; move it away or choose another --out.");
        }
        delete(dir);
    }

    /** Removes a folder and what it holds, read-only files too. */
    static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                if (!Files.isSymbolicLink(p)) p.toFile().setWritable(true);
                Files.delete(p);
            }
        }
    }

    static long size(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    private BundleFiles() {}
}
