import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a run made to throw away (a throwaway PostgreSQL and its folder, a shadow database on the
 * operator's server), removed on every way out: its owner closes it at the end or on an error; on
 * Ctrl-C or SIGTERM one shutdown hook closes what is left, bounded in time, before the JVM ends
 * ({@link Interruption} asks for the same before it halts). After kill -9 nothing here runs: the
 * next run that makes one removes what the killed run left ({@link ThrowawayFolder#sweep}).
 */
final class Throwaway {
    /** How long the removal on the way out may take in all (stopping a server, dropping a database). */
    static final long BOUND_MILLIS = 15_000;

    private static final Set<AutoCloseable> LIVE = new LinkedHashSet<>();
    private static Thread hook;
    private static volatile boolean leaving;
    /** Held for the whole removal: a second caller (the hook, and Interruption before it halts) waits for the first to finish. */
    private static final Object REMOVING = new Object();

    /** `thing` is closed on the way out unless its owner closes it first (and calls {@link #done}). */
    static synchronized void register(AutoCloseable thing) {
        LIVE.add(thing);
        if (hook == null) {
            hook = new Thread(Throwaway::removeAll, "rc-dbkit throwaway removal");
            Runtime.getRuntime().addShutdownHook(hook);
        }
    }

    static synchronized void done(AutoCloseable thing) {
        LIVE.remove(thing);
    }

    /**
     * Whether the JVM is on its way out (Ctrl-C, SIGTERM): a run's thread that sees its throwaway
     * server vanish under it then says nothing of it, since the interrupt speaks for the run.
     */
    static boolean leaving() {
        return leaving;
    }

    /**
     * A thread that found its work cut short by the way out: it waits here for the JVM to end, so
     * that no sentence of its own (a shadow that "did not apply") follows the interrupt's.
     */
    static void holdIfLeaving() {
        if (!leaving) return;
        try {
            Thread.sleep(BOUND_MILLIS + 10_000);
        } catch (InterruptedException ignored) {
            Thread.currentThread().interrupt();
        }
    }

    /** Closes everything still registered, newest first, within {@link #BOUND_MILLIS}; safe to call from several hooks. */
    static void removeAll() {
        leaving = true;
        synchronized (REMOVING) {
            List<AutoCloseable> things;
            synchronized (Throwaway.class) {
                things = new ArrayList<>(LIVE);
                LIVE.clear();
            }
            if (!things.isEmpty()) closeWithin(things);
        }
    }

    private static void closeWithin(List<AutoCloseable> things) {
        Thread closer = new Thread(() -> {
            for (int i = things.size() - 1; i >= 0; i--) {
                try {
                    things.get(i).close();
                } catch (Exception ignored) {
                    // the next run removes what is left (ThrowawayFolder.sweep)
                }
            }
        }, "rc-dbkit throwaway closer");
        closer.setDaemon(true);
        closer.start();
        try {
            closer.join(BOUND_MILLIS);
        } catch (InterruptedException ignored) {
            // the JVM is ending either way
        }
    }

    private Throwaway() {}
}
