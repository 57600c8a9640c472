/** The exit codes every script shares (DESIGN.md, "Exit codes"). */
final class ExitCode {
    static final int OK = 0;
    static final int PENDING = 1;
    /** migrate --rehearse: nothing is predicted to fail, but a pending statement is not proven. */
    static final int NOT_PROVEN = 1;
    static final int USAGE = 2;
    static final int UNREACHABLE = 3;
    static final int FAILED = 4;
    static final int DRIFT = 5;
    static final int SECURITY = 6;
    /** Ctrl-C or SIGTERM (128 + SIGINT, as a shell reports it). */
    static final int INTERRUPTED = 130;

    private ExitCode() {}
}
