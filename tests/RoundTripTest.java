import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The round-trip budgets of issue 15, counted, not timed: each command runs once through the
 * benchmark's proxy (bench/DelayProxy, with no delay), which counts a round trip for each
 * connection's TCP handshake and each time the server answers after the client spoke. The budgets
 * are stated for a TLS + SCRAM connection as bench/TRACE.md counts it (the TCP handshake, the
 * SSLRequest and the TLS handshake, then the startup, the two SCRAM turns and the queries). Here
 * the connection is plain (sslmode=disable): no SSLRequest and no TLS handshake, so the budget's
 * figure is the count plus 2. A count is the same on a slow or loaded machine; the benchmark
 * measures the time.
 */
class RoundTripTest {
    /** The SSLRequest and the TLS handshake, which a plain connection does not make. */
    private static final int UNSEEN = 2;

    /** A proxy in front of the server of url that delays nothing and counts round trips. */
    static DelayProxy counter(String url) throws java.io.IOException {
        return new DelayProxy(0, java.net.URI.create(url).getPort(), 0, 3600, null);
    }

    /** The URL, through the proxy. */
    static String through(DelayProxy proxy, String url) {
        return url.replace(":" + java.net.URI.create(url).getPort() + "/", ":" + proxy.port() + "/");
    }

    private static long cost(String url, java.util.function.Function<Map<String, String>, TestSupport.Result> command) throws Exception {
        try (DelayProxy proxy = counter(url)) {
            TestSupport.Result r = command.apply(TestSupport.adminEnv(through(proxy, url) + (url.contains("?") ? "&" : "?") + "sslmode=disable"));
            assertEquals(0, r.code(), r.all());
            return proxy.takeRoundTrips() + UNSEEN;
        }
    }

    /** Says the count, and holds it to its budget. */
    interface Measure {
        long of(String url, java.util.function.Function<Map<String, String>, TestSupport.Result> command) throws Exception;
    }

    /** seed on `url`, its round trips as `measure` counts them within `budget`, and the seeded rows after it. */
    private static void seedWithinBudget(String url, Measure measure, String what, int budget) throws Exception {
        withinBudget(what, measure.of(url, env -> TestSupport.run(new seed(), env)), budget);
        assertEquals("1|8|4|10", TestSupport.seededCounts(url));
    }

    private static void withinBudget(String what, long n, int budget) {
        System.out.println("     round trips (TLS + SCRAM), " + what + ": " + n);
        assertTrue(n <= budget, what + " took " + n + " round trips; the budget is " + budget);
    }

    /**
     * The median of three runs of a command that changes nothing: the relay counts a round trip
     * each time the server answers after the client spoke, and on a loaded machine one flight can
     * reach the server in two pieces; the budgets are medians, as the benchmark's are.
     */
    private static long median(String url, java.util.function.Function<Map<String, String>, TestSupport.Result> command) throws Exception {
        long[] n = {cost(url, command), cost(url, command), cost(url, command)};
        java.util.Arrays.sort(n);
        return n[1];
    }

    @Test
    void statusUpToDateTakesAtMostTwelveRoundTrips() throws Exception {
        String url = TestSupport.seeded();
        long n = median(url, env -> TestSupport.run(new status(), env));
        withinBudget("status up to date", n, 12);
    }

    /**
     * On Supabase (its anon and authenticated roles exist) status also asks which tables the Data
     * API exposes: that query rides with the seed rows and the admin, so the budget holds there too.
     */
    @Test
    void statusUpToDateOnSupabaseTakesAtMostTwelveRoundTrips() throws Exception {
        String url = SupabaseShape.freshProject();
        assertEquals(0, SupabaseShapeTest.migrate(url).code());
        assertEquals(0, SupabaseShape.run(new seed(), SupabaseShapeTest.env(url)).code());
        long n = median(url, env -> SupabaseShape.run(new status(), env));
        withinBudget("status up to date on Supabase", n, 12);
    }

    @Test
    void seedWithNothingToChangeTakesAtMostTwelveRoundTrips() throws Exception {
        seedWithinBudget(TestSupport.seeded(), RoundTripTest::median, "seed with nothing to change", 12);
    }

    @Test
    void seedOfAFreshDatabaseTakesAtMostSixteenRoundTrips() throws Exception {
        seedWithinBudget(TestSupport.migrated(), RoundTripTest::cost, "seed of a fresh database", 16);
    }

    @Test
    void migrateWithNothingToDoTakesAtMostTenRoundTrips() throws Exception {
        String url = TestSupport.migrated();
        long n = median(url, env -> TestSupport.run(new migrate(), env));
        withinBudget("migrate with nothing to do", n, 10);
    }
}
