import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A link that freezes after login (issue 27 item 2), built on the bench's relay (bench/DelayProxy):
 * from the first message a client sends that holds the trigger text, that connection's bytes stop,
 * both ways, and its sockets stay open (no FIN, no RST), as when a link dies silently. Either the
 * query never reaches the server, or (replyLost) it runs there and its answer never comes back. Other
 * connections through the proxy go on working. The connection is plain (sslmode=disable), so the
 * trigger can be seen; closing the proxy closes the frozen sockets too.
 */
final class StallProxy implements AutoCloseable {
    private final DelayProxy relay;
    private final byte[] trigger;
    private final boolean replyLost;
    private final Set<Integer> frozen = ConcurrentHashMap.newKeySet();
    private final CountDownLatch froze = new CountDownLatch(1);
    private volatile boolean closed;

    StallProxy(String url, String trigger, boolean replyLost) throws java.io.IOException {
        this.trigger = trigger.getBytes(StandardCharsets.UTF_8);
        this.replyLost = replyLost;
        this.relay = new DelayProxy(0, java.net.URI.create(url).getPort(), 0, 900, this::seen);
    }

    /** The URL through the proxy, plain TCP. */
    String url(String url) {
        String port = ":" + java.net.URI.create(url).getPort() + "/";
        return url.replace(port, ":" + relay.port() + "/") + (url.contains("?") ? "&" : "?") + "sslmode=disable";
    }

    private void seen(int connection, boolean fromClient, byte[] chunk) {
        if (frozen.contains(connection)) hold();
        if (fromClient && contains(chunk)) {
            frozen.add(connection);
            froze.countDown();
            if (!replyLost) hold();
        }
    }

    /** Holds the relay's reading thread for this direction until the proxy closes: nothing more passes. */
    private void hold() {
        while (!closed) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private boolean contains(byte[] chunk) {
        outer:
        for (int i = 0; i + trigger.length <= chunk.length; i++) {
            for (int j = 0; j < trigger.length; j++) if (chunk[i + j] != trigger[j]) continue outer;
            return true;
        }
        return false;
    }

    /** Waits until a connection has frozen; fails after the time given. */
    void awaitFrozen(Duration within) throws InterruptedException {
        if (!froze.await(within.toMillis(), TimeUnit.MILLISECONDS)) throw new AssertionError("the link never froze: no query held the trigger text");
    }

    @Override
    public void close() {
        closed = true;
        relay.close();
    }
}
