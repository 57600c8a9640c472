//SOURCES ExitCode.java
/** A failure the operator can act on: one sentence and the exit code that goes with it. */
class KitException extends RuntimeException {
    final int exitCode;
    /** What the --json error document carries beside the sentence (a failed migrate: the migrations it applied first). */
    final java.util.Map<String, Object> details = new java.util.LinkedHashMap<>();

    KitException(int exitCode, String sentence) {
        this(exitCode, sentence, null);
    }

    KitException(int exitCode, String sentence, Throwable cause) {
        super(sentence, cause);
        this.exitCode = exitCode;
    }

    /** A sentence the kit composed that quotes no value, so no secret: it is not scrubbed (which would garble it around a password that is a common word, and show where). */
    boolean quotesNoValue;

    KitException quotingNoValue() {
        quotesNoValue = true;
        return this;
    }

    static KitException usage(String sentence) { return new KitException(ExitCode.USAGE, sentence); }
    static KitException unreachable(String sentence, Throwable cause) { return new KitException(ExitCode.UNREACHABLE, sentence, cause); }
    static KitException failed(String sentence, Throwable cause) { return new KitException(ExitCode.FAILED, sentence, cause); }
    static KitException drift(String sentence) { return new KitException(ExitCode.DRIFT, sentence); }
}
