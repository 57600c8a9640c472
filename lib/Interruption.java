//SOURCES Database.java Console.java ExitCode.java Throwaway.java
import java.util.Map;
import java.util.function.Supplier;

/**
 * A run's answer to Ctrl-C or SIGTERM while it works on the database: cancel the running statement
 * on the server and close the run's sessions (bounded at 5 s), so that the server rolls back their
 * open transactions and releases their advisory locks; remove what the run made to throw away
 * ({@link Throwaway}: a shadow server, its folder); then say once what became of the run (no URL,
 * no secret) and end the JVM with exit 130. Watching ends when the run does.
 */
final class Interruption implements AutoCloseable {
    private final Thread hook;
    private volatile boolean finished, happened;

    /** Watches from now until {@link #close}; `sentence` is asked only on an interrupt, once the sessions are closed. */
    static Interruption watch(Database database, Console console, Supplier<String> sentence) {
        return new Interruption(database, console, sentence);
    }

    private Interruption(Database database, Console console, Supplier<String> sentence) {
        hook = new Thread(() -> stop(database, console, sentence), "rc-dbkit interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Whether the run was interrupted: what it does next is cut short, and the interrupt speaks for it. */
    boolean happened() {
        return happened;
    }

    private void stop(Database database, Console console, Supplier<String> sentence) {
        if (finished) return;
        happened = true;
        Thread closer = new Thread(database::cancelAndClose, "rc-dbkit cancel");
        closer.setDaemon(true);
        closer.start();
        try {
            closer.join(5000);
        } catch (InterruptedException ignored) {
            // say what is known
        }
        Throwaway.removeAll(); // the run's throwaway server and its folder, before the JVM halts
        String said = sentence.get();
        console.error(said);
        if (console.json) console.document(Map.of("exitCode", ExitCode.INTERRUPTED, "error", said));
        console.out.flush();
        Runtime.getRuntime().halt(ExitCode.INTERRUPTED);
    }

    /** The run has ended: after an interrupt the hook speaks and ends the JVM, so this waits for it; else watching stops. */
    @Override
    public void close() {
        finished = true;
        if (happened) {
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException ignored) {
                // fall through
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook decides
        }
    }
}
