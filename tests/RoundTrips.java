import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP relay in front of the test server that counts round trips: each time a client
 * speaks again after the server has answered is one more. Connection set-up counts too.
 */
final class RoundTrips implements AutoCloseable {
    private final ServerSocket listener;
    private final int serverPort;
    private final AtomicLong turns = new AtomicLong();

    RoundTrips(int serverPort) throws IOException {
        this.serverPort = serverPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(() -> {
            while (!listener.isClosed()) {
                try {
                    Socket client = listener.accept();
                    Socket server = new Socket(InetAddress.getLoopbackAddress(), serverPort);
                    client.setTcpNoDelay(true);
                    server.setTcpNoDelay(true);
                    AtomicBoolean serverSpoke = new AtomicBoolean(true); // the first message is a turn
                    pump(client, server, true, serverSpoke);
                    pump(server, client, false, serverSpoke);
                } catch (IOException closed) {
                    return;
                }
            }
        });
        accept.setDaemon(true);
        accept.start();
    }

    private void pump(Socket from, Socket to, boolean fromClient, AtomicBoolean serverSpoke) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[65536];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    synchronized (serverSpoke) {
                        if (fromClient && serverSpoke.getAndSet(false)) turns.incrementAndGet();
                        if (!fromClient) serverSpoke.set(true);
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException ignored) {
                // a side closed
            } finally {
                try {
                    to.shutdownOutput();
                } catch (IOException ignored) {
                    // already closed
                }
            }
        });
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    long count() {
        return turns.get();
    }

    /** The URL of a test database, through this relay. */
    String url(String direct) {
        return direct.replace(":" + serverPort + "/", ":" + port() + "/");
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
