import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A TCP proxy on loopback that makes a link slow the way distance does: every chunk of bytes
 * reaches the other side a fixed delay after it was sent, in each direction, in order, however
 * many are in flight (latency, not bandwidth). A new connection also waits one round trip before
 * its first bytes go through, as TCP's handshake would make it. It stops by itself after its
 * lifetime, and with the process (daemon threads). The benchmark and the tests' round-trip counts
 * (tests/RoundTripTest, with no delay) both use it.
 *
 * Run alone for a look at a command by hand: {@code java bench/DelayProxy.java LISTEN_PORT TARGET_PORT DELAY_MS LIFETIME_S}.
 */
final class DelayProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final int targetPort;
    private final long delayNanos;
    private final List<Socket> sockets = new ArrayList<>();
    private final Listener observer;
    private final Thread lifetime;
    private volatile boolean closed;
    private int connections;
    private final java.util.concurrent.atomic.AtomicInteger roundTrips = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * Round trips since the last call, counted on the wire: one for each connection's handshake
     * (or refusal), and one each time the server answers after the client spoke. TLS does not
     * hide that, so this counts what timing can only estimate.
     */
    int takeRoundTrips() {
        return roundTrips.getAndSet(0);
    }

    /** Sees every chunk as it arrives, for the protocol trace. */
    interface Listener {
        void bytes(int connection, boolean fromClient, byte[] chunk);
    }

    /** Listens on an ephemeral loopback port; forwards to targetPort on loopback, delaying each way by oneWayMillis. */
    DelayProxy(int listenPort, int targetPort, long oneWayMillis, long lifetimeSeconds, Listener observer) throws IOException {
        this.observer = observer;
        this.listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), listenPort));
        this.targetPort = targetPort;
        this.delayNanos = TimeUnit.MILLISECONDS.toNanos(oneWayMillis);
        daemon("delay-proxy-accept", this::acceptLoop);
        lifetime = daemon("delay-proxy-lifetime", () -> {
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(lifetimeSeconds));
            } catch (InterruptedException ignored) {
                // closed before its time
            }
            close();
        });
    }

    int port() {
        return listener.getLocalPort();
    }

    private static Thread daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server;
                try {
                    server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                } catch (IOException refused) {
                    // nothing listens there: the client hears so one round trip later, as from a far host
                    roundTrips.incrementAndGet();
                    daemon("delay-proxy-refuse", () -> {
                        try {
                            TimeUnit.NANOSECONDS.sleep(2 * delayNanos);
                        } catch (InterruptedException ignored) {
                            // closing anyway
                        }
                        closeQuietly(client);
                    });
                    continue;
                }
                int id = ++connections;
                roundTrips.incrementAndGet();
                java.util.concurrent.atomic.AtomicBoolean clientSpoke = new java.util.concurrent.atomic.AtomicBoolean();
                java.util.concurrent.atomic.AtomicBoolean clientDone = new java.util.concurrent.atomic.AtomicBoolean();
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                synchronized (sockets) {
                    sockets.add(client);
                    sockets.add(server);
                }
                // the handshake's round trip: the client's first bytes leave one round trip late
                java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger(2);
                Runnable ended = () -> {
                    if (open.decrementAndGet() > 0) return;
                    synchronized (sockets) {
                        sockets.remove(client);
                        sockets.remove(server);
                    }
                    closeQuietly(client);
                    closeQuietly(server);
                };
                pipe(id, true, client, server, 2 * delayNanos, ended, clientSpoke, clientDone);
                pipe(id, false, server, client, 0, ended, clientSpoke, clientDone);
            } catch (IOException e) {
                if (closed) return;
            }
        }
    }

    private record Chunk(long dueNanos, byte[] bytes) {}

    private static final Chunk END = new Chunk(0, null);

    /** One direction: a reader stamps each chunk with its arrival time, a writer delivers it then. */
    private void pipe(int id, boolean fromClient, Socket from, Socket to, long firstExtraNanos, Runnable ended, java.util.concurrent.atomic.AtomicBoolean clientSpoke,
                      java.util.concurrent.atomic.AtomicBoolean clientDone) throws IOException {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        LinkedBlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
        daemon("delay-proxy-read", () -> {
            byte[] buf = new byte[64 * 1024];
            long extra = firstExtraNanos;
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    if (observer != null) observer.bytes(id, fromClient, Arrays.copyOf(buf, n));
                    // what the server says after the client hung up (TLS's close_notify) is no answer it waits for
                    if (fromClient) clientSpoke.set(true);
                    else if (clientSpoke.getAndSet(false) && !clientDone.get()) roundTrips.incrementAndGet();
                    queue.add(new Chunk(System.nanoTime() + delayNanos + extra, Arrays.copyOf(buf, n)));
                    extra = 0;
                }
            } catch (IOException ignored) {
                // the connection ended
            }
            if (fromClient) clientDone.set(true);
            queue.add(END);
        });
        daemon("delay-proxy-write", () -> {
            try {
                while (true) {
                    Chunk c = queue.take();
                    if (c == END) break;
                    long wait = c.dueNanos() - System.nanoTime();
                    if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
                    out.write(c.bytes());
                    out.flush();
                }
                to.shutdownOutput();
            } catch (IOException | InterruptedException ignored) {
                // the other side is gone
            }
            ended.run();
        });
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (Thread.currentThread() != lifetime) lifetime.interrupt();
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing
        }
        synchronized (sockets) {
            for (Socket s : sockets) closeQuietly(s);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: java DelayProxy.java LISTEN_PORT TARGET_PORT ONE_WAY_DELAY_MS LIFETIME_SECONDS");
            System.exit(2);
        }
        try (DelayProxy p = new DelayProxy(Integer.parseInt(args[0]), Integer.parseInt(args[1]), Long.parseLong(args[2]), Long.parseLong(args[3]), null)) {
            System.out.println("delay proxy on 127.0.0.1:" + p.port() + " -> 127.0.0.1:" + args[1] + ", " + args[2] + " ms each way, for " + args[3] + " s");
            Thread.sleep(TimeUnit.SECONDS.toMillis(Long.parseLong(args[3])));
        }
    }
}
