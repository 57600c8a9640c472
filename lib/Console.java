//DEPS com.fasterxml.jackson.core:jackson-databind:2.23.0
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;

/**
 * Talking to the operator: human lines on stdout, warnings and errors on stderr, each one
 * sentence. With --json the human lines are held back and one document goes to stdout.
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
    void line(String text) {
        if (!json) {
            out.println(text);
            out.flush();
        }
    }

    void warn(String sentence) {
        err.println("warning: " + sentence);
        err.flush();
    }

    void note(String sentence) {
        err.println("note: " + sentence);
        err.flush();
    }

    void error(String sentence) {
        err.println("error: " + sentence);
        err.flush();
    }

    void debug(String text) {
        if (verbose) {
            err.println("debug: " + text);
            err.flush();
        }
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
