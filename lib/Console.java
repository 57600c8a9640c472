//DEPS com.fasterxml.jackson.core:jackson-databind:2.23.0
//SOURCES Terminal.java
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;

/**
 * Talking to the operator: human lines on stdout, warnings and errors on stderr, each one
 * sentence. With --json the human lines are held back and one document goes to stdout. Long work
 * gets a live line on stderr: on a terminal one line redrawn in place, otherwise a plain line now
 * and every 10 s (no control characters in a log); a line begun on stdout ("Applying V2 ... ") is
 * finished whole even when the live line came between.
 */
final class Console {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    final PrintWriter out;
    final PrintWriter err;
    final boolean json;
    final boolean verbose;

    Console(PrintWriter out, PrintWriter err, boolean json, boolean verbose) {
        this.out = out;
        this.err = err;
        this.json = json;
        this.verbose = verbose;
    }

    /** A human line; silent under --json. */
    synchronized void line(String text) {
        if (!json) {
            endLive();
            out.println(text);
            out.flush();
        }
    }

    synchronized void warn(String sentence) {
        said("warning: " + sentence);
    }

    synchronized void note(String sentence) {
        said("note: " + sentence);
    }

    synchronized void error(String sentence) {
        said("error: " + sentence);
    }

    synchronized void debug(String text) {
        if (verbose) said("debug: " + text);
    }

    private void said(String line) {
        if (live && terminal().redraws()) err.print("\r\033[K"); // redrawn at the next refresh, below
        live = false;
        err.println(line);
        err.flush();
    }

    /** Whether out and err are this process's own stdout and stderr (Cli.main), so that a terminal can be asked about. */
    static volatile boolean processStreams;
    static final long PLAIN_EVERY_NANOS = 10_000_000_000L;
    private Terminal terminal;
    /** The stdout line begun and not yet finished, and whether a plain live line broke it. */
    private String open;
    private boolean broken, live;
    private long lastPlain;

    Terminal terminal() {
        if (terminal == null) terminal = processStreams ? Terminal.ofThisProcess() : Terminal.NONE;
        return terminal;
    }

    /** Begins a stdout line that {@link #finish} ends ("Applying V2__teams.sql ... " then "applied in 41 ms"); silent under --json. */
    synchronized void begin(String text) {
        if (json) return;
        out.print(text);
        out.flush();
        open = text;
        broken = false;
    }

    /** Finishes the begun line; when a plain live line broke it, the whole line again, so that a log has it in one piece. */
    synchronized void finish(String text) {
        if (json) return;
        endLive();
        out.println(open != null && broken ? open + text : text);
        out.flush();
        open = null;
    }

    /**
     * The live line: on a terminal, redrawn in place, cut to its width (over the begun stdout line
     * when stdout is the terminal too: endLive puts that back); otherwise printed now and then at most
     * every 10 s. Not drawn once `over` says the work it tells of has ended.
     */
    synchronized void live(String text, java.util.function.BooleanSupplier over) {
        if (over.getAsBoolean()) return;
        Terminal t = terminal();
        if (t.redraws()) {
            err.print("\r" + t.cut(text) + "\033[K"); // over the begun stdout line, if it is on this terminal: put back by endLive
        } else {
            long now = System.nanoTime();
            if (live && now - lastPlain < PLAIN_EVERY_NANOS) return;
            if (open != null && !broken && t.oneFile()) {
                out.println();
                out.flush();
                broken = true;
            }
            err.println(text);
            lastPlain = now;
        }
        err.flush();
        live = true;
    }

    /** The live line's work has ended: on a terminal the line is erased (the begun stdout line is left as it was). */
    synchronized void endLive() {
        if (!live) return;
        live = false;
        if (terminal().redraws()) {
            err.print("\r" + beside(terminal()) + "\033[K");
            err.flush();
        }
    }

    /** The begun stdout line, when the live line was drawn on the same terminal row. */
    private String beside(Terminal t) {
        return open != null && !broken && t.out() && !json ? open : "";
    }

    /** The one --json document. */
    void document(Object value) {
        try {
            out.println(JSON.writeValueAsString(value));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
    }
}
