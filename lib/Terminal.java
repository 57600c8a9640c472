import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Whether this process's stdout and stderr are terminals, whether they are one file (a terminal, or
 * `> log 2>&1`), and how wide stderr's terminal is: asked once, when
 * a live line is first due (never for quick work), of the shell with the process's own file
 * descriptors (`test -t`, `stty size`), as Java 17 cannot ask of stderr. TERM=dumb, or no POSIX
 * shell: no terminal, plain lines.
 */
record Terminal(boolean out, boolean err, boolean oneFile, int width) {
    /** In-process (the tests' own writers): two separate texts, no terminal. */
    static final Terminal NONE = new Terminal(false, false, false, 0);

    /** The live line is redrawn in place only on a terminal that understands a carriage return and erase-to-end. */
    boolean redraws() {
        return err;
    }

    /** The text cut to the terminal's width (a wrapped line could not be redrawn in place). */
    String cut(String text) {
        int w = width > 10 ? width - 1 : 79;
        return text.length() <= w ? text : text.substring(0, w - 3) + "...";
    }

    static Terminal ofThisProcess() {
        try {
            Process test = new ProcessBuilder("sh", "-c", "t=0; [ -t 1 ] && t=1; [ -t 2 ] && t=$((t+2)); [ /dev/fd/1 -ef /dev/fd/2 ] && t=$((t+4)); exit $t")
                    .redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            if (!test.waitFor(2, TimeUnit.SECONDS)) {
                test.destroyForcibly();
                return new Terminal(false, false, true, 0);
            }
            int t = test.exitValue();
            boolean err = (t & 2) != 0 && !"dumb".equals(System.getenv("TERM"));
            return new Terminal((t & 1) != 0, err, (t & 4) != 0, err ? columns() : 0);
        } catch (IOException e) {
            return new Terminal(false, false, true, 0); // no POSIX shell to ask: plain lines, and stdout's begun line ended before them
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return NONE;
        }
    }

    /** Columns of the controlling terminal (`stty size` answers "rows columns"); 80 when it does not say. */
    private static int columns() throws InterruptedException {
        Process stty;
        try {
            stty = new ProcessBuilder("stty", "size").redirectInput(new File("/dev/tty")).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException noControllingTerminal) {
            return 80;
        }
        String answer;
        try {
            answer = new String(stty.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            return 80;
        }
        if (!stty.waitFor(2, TimeUnit.SECONDS) || stty.exitValue() != 0) return 80;
        String[] parts = answer.split("\\s+");
        try {
            return parts.length == 2 ? Integer.parseInt(parts[1]) : 80;
        } catch (NumberFormatException e) {
            return 80;
        }
    }
}
