import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.spi.ToolProvider;

/**
 * How bundle.java works through its steps: each said on stdout and timed; a command or JDK tool
 * that fails stops the build with what it printed (exit 4); what cannot be done here is one
 * sentence on stderr with its exit code.
 */
final class BundleSteps {
    static final long STARTED = System.nanoTime();

    interface Step<T> {
        T run() throws Exception;
    }

    interface Action {
        void run() throws Exception;
    }

    static void step(String what, Action action) throws Exception {
        step(what, () -> {
            action.run();
            return null;
        });
    }

    static <T> T step(String what, Step<T> step) throws Exception {
        long t = System.nanoTime();
        System.out.print(what + " ... ");
        System.out.flush();
        T result = step.run();
        System.out.println(seconds(System.nanoTime() - t));
        return result;
    }

    static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    static void fail(int code, String sentence) {
        System.out.println();
        System.err.println("error: " + sentence);
        System.exit(code);
    }

    /** Runs a command (in a bare environment when env is given); what it printed on stdout, or stops with all it said. */
    static String run(List<String> command, Path dir, Map<String, String> env, String what) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        if (env != null) {
            pb.environment().clear();
            pb.environment().putAll(env);
        }
        Path err = Files.createTempFile("bundle-", ".err");
        try {
            Process p = pb.redirectError(err.toFile()).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                System.out.println();
                System.out.print(out);
                System.out.print(Files.readString(err));
                fail(4, what + " exited " + p.exitValue() + " (its output is above).");
            }
            return out;
        } finally {
            Files.deleteIfExists(err);
        }
    }

    /** Runs a JDK tool in this JVM (java.util.spi.ToolProvider); its output, or stops with it. */
    static String tool(String name, String... args) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        PrintStream stdout = System.out;
        System.setOut(out); // jlink's class-data archive plugin says "Created CDS archive successfully" on System.out
        int code;
        try {
            code = ToolProvider.findFirst(name).orElseThrow().run(out, out, args);
        } finally {
            System.setOut(stdout);
        }
        String text = buffer.toString(StandardCharsets.UTF_8);
        if (code != 0) {
            System.out.println();
            System.out.print(text);
            fail(4, name + " " + String.join(" ", args) + " exited " + code + " (its output is above).");
        }
        return text;
    }

    private BundleSteps() {}
}
