import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicInteger;

/** What the reliability suite counted, for its printed table. */
final class Figures {
    static final AtomicInteger faultCases = new AtomicInteger();
    static final AtomicInteger faultSurvived = new AtomicInteger();
    static final AtomicInteger badInputs = new AtomicInteger();
    static final AtomicInteger refusedCleanly = new AtomicInteger();
    static final AtomicInteger tablesUnchanged = new AtomicInteger();
    static final AtomicInteger concurrentRuns = new AtomicInteger();
    static final AtomicInteger duplicates = new AtomicInteger();
    static final AtomicInteger secretChecks = new AtomicInteger();
    static final AtomicInteger secretsLeaked = new AtomicInteger();
    static final AtomicInteger injections = new AtomicInteger();
    static final AtomicInteger injectionsHarmless = new AtomicInteger();
    static final AtomicInteger poolerRuns = new AtomicInteger();
    static final AtomicInteger poolerHeld = new AtomicInteger();

    static void print(PrintWriter out) {
        out.println();
        out.println("| what | tried | held |");
        out.println("|---|---|---|");
        out.println("| fault cases (kill -9, terminated sessions, restart, client trouble): nothing lost | " + faultCases + " | " + faultSurvived + " |");
        out.println("| bad-input cases: refused with one sentence and the documented exit code | " + badInputs + " | " + refusedCleanly + " |");
        out.println("| bad-input cases: every table unchanged (checksums before and after) | " + badInputs + " | " + tablesUnchanged + " |");
        out.println("| injection values stored verbatim or refused, never executed | " + injections + " | " + injectionsHarmless + " |");
        out.println("| migrates through a transaction pooler, idle and busy, both engines: refused, nothing written, no lock left | " + poolerRuns + " | " + poolerHeld + " |");
        out.println("| concurrent runs (2 and 5 migrate, 5 seed): duplicates found | " + concurrentRuns + " | " + duplicates + " duplicates |");
        out.println("| outputs and command lines checked for secrets: secrets leaked | " + secretChecks + " | " + secretsLeaked + " leaked |");
        out.println();
        out.flush();
    }

    private Figures() {}
}
