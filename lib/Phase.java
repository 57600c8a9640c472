//SOURCES Console.java Durations.java Throwaway.java
/**
 * A phase of a slow helper (the rehearsal, status --schema, verify), said on stderr as it starts and
 * with how long it took, so that the 5-20 s of a throwaway server and a copy are never silent:
 *
 * <pre>
 * starting the throwaway PostgreSQL 17 ...
 * starting the throwaway PostgreSQL 17: done in 2.1 s
 * building the copy: 163 migrations ...
 * building the copy: 80/163 migrations, 10 s so far
 * building the copy: 163 migrations: done in 21.4 s
 * </pre>
 *
 * Plain lines only (a log, CI and a terminal read them alike; stdout keeps the --json document);
 * a phase with a count says how far it is at most every {@link #EVERY_NANOS}. A phase closed
 * without {@link #done()} (an error, an interrupt) says "stopped after" instead.
 */
final class Phase implements AutoCloseable {
    static final long EVERY_NANOS = 10_000_000_000L;

    /** The phase under way (what an interrupt says it cut short), or null. */
    private static volatile String current;

    private final Console console;
    private final String name;
    private final int total;
    private final String unit;
    private final long started;
    private long said;
    private boolean done, closed;

    private Phase(Console console, String name, int total, String unit) {
        this.console = console;
        this.name = name;
        this.total = total;
        this.unit = unit;
        this.started = System.nanoTime();
        this.said = started;
        current = title();
        say(title() + " ...");
    }

    /** The phase under way, as "building the copy: 40/163 migrations", or null between phases. */
    static String current() {
        return current;
    }

    /** A phase starts: "starting the throwaway PostgreSQL 17 ...". */
    static Phase start(Console console, String name) {
        return new Phase(console, name, -1, null);
    }

    /** Work a phase times: it may fail with the database's error. */
    interface Work<T> {
        T run() throws java.sql.SQLException;
    }

    /** `work` as one phase: said as it starts, "done in" when it returns, "stopped after" when it throws. */
    static <T> T timed(Console console, String name, Work<T> work) throws java.sql.SQLException {
        try (Phase phase = start(console, name)) {
            T result = work.run();
            phase.done();
            return result;
        }
    }

    /** A phase of `total` steps, "building the copy: 163 migrations ...", `unit` the steps' name in the plural. */
    static Phase counting(Console console, String name, int total, String unit) {
        return new Phase(console, name, total, unit);
    }

    private String title() {
        return unit == null ? name : name + ": " + total + " " + unit;
    }

    /** `count` of the total steps are done: said when ~10 s have passed since the last line. */
    void step(int count) {
        if (closed) return;
        current = name + ": " + count + "/" + total + " " + unit;
        long now = System.nanoTime();
        if (now - said < EVERY_NANOS) return;
        said = now;
        say(name + ": " + count + "/" + total + " " + unit + ", " + took(now) + " so far");
    }

    /** The phase succeeded: closing it says "done in". */
    void done() {
        done = true;
    }

    /** "...: done in 2.1 s", or "...: stopped after 2.1 s" when it did not succeed. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (!Throwaway.leaving()) current = null; // an interrupt says which phase it cut short
        say(title() + (done ? ": done in " : ": stopped after ") + took(System.nanoTime()));
    }

    private String took(long now) {
        return Durations.format(java.time.Duration.ofNanos(now - started));
    }

    private void say(String line) {
        console.err.println(line);
        console.err.flush();
    }
}
