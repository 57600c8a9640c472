import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Other clients of a transaction pooler, as an app's are: four sessions, each running
 * `select pg_sleep(0.003)` in a loop through the pooler until closed, so that the pooler's server
 * processes are busy and handed from client to client between transactions.
 */
final class PoolerLoad implements AutoCloseable {
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicInteger queries = new AtomicInteger();
    private final List<Thread> clients = new ArrayList<>();

    /** Starts the clients on url (postgresql://user:password@host:port/db) and returns once each has run a query. */
    static PoolerLoad start(String url) throws InterruptedException {
        PoolerLoad load = new PoolerLoad();
        java.net.URI u = java.net.URI.create(url);
        String[] userInfo = u.getUserInfo().split(":", 2);
        Properties p = new Properties();
        p.setProperty("user", userInfo[0]);
        p.setProperty("password", java.net.URLDecoder.decode(userInfo[1], java.nio.charset.StandardCharsets.UTF_8));
        p.setProperty("ApplicationName", "pooler-load");
        p.setProperty("preferQueryMode", "simple");
        String jdbc = "jdbc:postgresql://" + u.getHost() + ":" + u.getPort() + u.getPath();
        AtomicInteger ready = new AtomicInteger();
        for (int i = 0; i < 4; i++) {
            Thread t = new Thread(() -> {
                try (Connection c = DriverManager.getConnection(jdbc, p); Statement st = c.createStatement()) {
                    boolean first = true;
                    while (!load.stop.get()) {
                        st.execute("select pg_sleep(0.003)");
                        load.queries.incrementAndGet();
                        if (first) ready.incrementAndGet();
                        first = false;
                    }
                } catch (Exception e) {
                    if (!load.stop.get()) throw new IllegalStateException("a load client failed", e);
                }
            }, "pooler-load");
            t.setDaemon(true);
            t.start();
            load.clients.add(t);
        }
        for (int i = 0; i < 300 && ready.get() < 4; i++) Thread.sleep(20);
        if (ready.get() < 4) throw new IllegalStateException("the load clients did not start");
        return load;
    }

    /** Queries the clients have run so far. */
    int queries() {
        return queries.get();
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        for (Thread t : clients) t.join(10_000);
    }
}
