//SOURCES BundleSteps.java
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/** The bundle's runtime/: jlink of the modules BundleModules found, from the JDK bundle.java runs on. */
final class BundleRuntime {
    /** No debug attributes, man pages or headers; the JDK's own class-data archive (BundleTraining writes it again with the scripts' JDK classes). */
    static void link(Set<String> modules, Path runtime) throws IOException {
        BundleSteps.tool("jlink", "--add-modules", String.join(",", modules), "--strip-debug", "--no-man-pages", "--no-header-files",
                "--generate-cds-archive", "--output", runtime.toString());
        // the archive for heaps over 32 GB, without compressed pointers: the scripts' heaps are far smaller (-Xmx128m)
        Files.deleteIfExists(runtime.resolve("lib/server/classes_nocoops.jsa"));
    }

    private BundleRuntime() {}
}
