/** The exit codes every script shares (DESIGN.md, "Exit codes"). */
final class ExitCode {
    static final int OK = 0;
    static final int PENDING = 1;
    static final int USAGE = 2;
    static final int UNREACHABLE = 3;
    static final int FAILED = 4;
    static final int DRIFT = 5;
    static final int SECURITY = 6;

    /** For picocli's exitCodeList in each script's --help. */
    static final String[] LIST = {
        "0:done; for status: everything is up to date",
        "1:status only: work is pending (migrations to apply, seed rows missing)",
        "2:the request cannot be carried out as given (bad option, no URL, pooler URL for migrate, invalid seed file, missing or weak secret)",
        "3:the database could not be reached or refused the login",
        "4:a migration or seed statement failed; its transaction was rolled back",
        "5:the database disagrees with this repository (edited or missing migration, recorded failure, missing seed table or column)",
    };

    private ExitCode() {}
}
