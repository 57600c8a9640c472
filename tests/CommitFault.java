import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A TCP forwarder on loopback that loses one commit, as a link that dies at the worst moment: it
 * reads the PostgreSQL protocol the client sends and, at the first COMMIT after a message holding
 * `marker` (any COMMIT when null), either passes the COMMIT on and cuts the client off before the
 * answer comes back (the server commits; the client cannot know), or cuts the client off without
 * passing it on and leaves the server's side open (the transaction waits on the server, as after a
 * half-open link). Only the client's link is cut; the server's answers are read and dropped. It
 * fires once: later connections (the kit's new session that finds out) pass through untouched.
 */
final class CommitFault implements AutoCloseable {
    enum Cut {
        /** The COMMIT reaches the server; its answer never reaches the client. */
        ANSWER_LOST,
        /** The COMMIT never reaches the server, whose side of the link stays open. */
        COMMIT_LOST
    }

    private final ServerSocket listener;
    private final int targetPort;
    private final String marker;
    private final Cut cut;
    private final List<Socket> sockets = new ArrayList<>();
    private volatile boolean fired, closed;

    CommitFault(int targetPort, String marker, Cut cut) throws IOException {
        this.targetPort = targetPort;
        this.marker = marker == null ? null : marker.toLowerCase(Locale.ROOT);
        this.cut = cut;
        listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread t = new Thread(this::accept, "commit-fault-accept");
        t.setDaemon(true);
        t.start();
    }

    /** The URL, through this forwarder. */
    String url(String direct) {
        return direct.replace(":" + java.net.URI.create(direct).getPort() + "/", ":" + listener.getLocalPort() + "/");
    }

    /** Whether a commit was lost. */
    boolean fired() {
        return fired;
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                synchronized (sockets) {
                    sockets.add(client);
                    sockets.add(server);
                }
                boolean[] cutOff = {false};
                daemon(() -> fromClient(client, server, cutOff));
                daemon(() -> fromServer(server, client, cutOff));
            } catch (IOException e) {
                if (closed) return;
            }
        }
    }

    private static void daemon(Runnable r) {
        Thread t = new Thread(r, "commit-fault-pipe");
        t.setDaemon(true);
        t.start();
    }

    /** The server's answers, passed on until the client is cut off, then read and dropped. */
    private void fromServer(Socket server, Socket client, boolean[] cutOff) {
        byte[] buf = new byte[65536];
        try (InputStream in = server.getInputStream()) {
            OutputStream out = client.getOutputStream();
            int n;
            while ((n = in.read(buf)) > 0) {
                synchronized (cutOff) {
                    if (!cutOff[0]) {
                        out.write(buf, 0, n);
                        out.flush();
                    }
                }
            }
        } catch (IOException ignored) {
            // a side closed
        }
        if (!cutOffNow(cutOff)) closeQuietly(client);
    }

    private static boolean cutOffNow(boolean[] cutOff) {
        synchronized (cutOff) {
            return cutOff[0];
        }
    }

    /** The client's messages, one at a time: the start-up ones have no type byte, the rest have one. */
    private void fromClient(Socket client, Socket server, boolean[] cutOff) {
        Map<String, String> statements = new HashMap<>(); // prepared statement name -> its SQL
        boolean armed = marker == null, firing = false, startup = true;
        try (DataInputStream in = new DataInputStream(client.getInputStream())) {
            OutputStream out = server.getOutputStream();
            while (true) {
                char type = 0;
                if (!startup) type = (char) in.readUnsignedByte();
                int length = in.readInt();
                byte[] body = new byte[length - 4];
                in.readFully(body);
                if (startup) {
                    int code = body.length >= 4 ? ((body[0] & 0xff) << 24 | (body[1] & 0xff) << 16 | (body[2] & 0xff) << 8 | (body[3] & 0xff)) : 0;
                    startup = code == 80877103 || code == 80877104; // SSLRequest, GSSENCRequest: the start-up message follows
                    if (code == 80877102) startup = true; // a cancel request: nothing follows
                    send(out, (char) 0, length, body);
                    continue;
                }
                String sql = switch (type) {
                    case 'Q' -> cString(body, 0);
                    case 'P' -> {
                        String name = cString(body, 0);
                        String text = cString(body, name.getBytes(StandardCharsets.UTF_8).length + 1);
                        statements.put(name, text);
                        yield text;
                    }
                    case 'B' -> {
                        String portal = cString(body, 0);
                        yield statements.getOrDefault(cString(body, portal.getBytes(StandardCharsets.UTF_8).length + 1), "");
                    }
                    default -> null;
                };
                if (sql != null && marker != null && sql.toLowerCase(Locale.ROOT).contains(marker)) armed = true;
                boolean commit = sql != null && (type != 'B' || !firing) && isCommit(sql);
                if (armed && !fired && commit) {
                    fired = true;
                    firing = true;
                    if (cut == Cut.COMMIT_LOST) break;
                }
                send(out, type, length, body);
                // the COMMIT went with its Sync (extended protocol) or as its own query (simple): now the client is cut off
                if (firing && (type == 'Q' || type == 'S')) break;
            }
        } catch (IOException e) {
            if (!firing) closeQuietly(server); // the client left on its own: so does its server session
            return;
        }
        synchronized (cutOff) {
            cutOff[0] = true;
        }
        closeQuietly(client); // the server's side stays open: it answers into the void, or waits in its transaction
    }

    private static void send(OutputStream out, char type, int length, byte[] body) throws IOException {
        byte[] message = new byte[(type == 0 ? 4 : 5) + body.length];
        int at = 0;
        if (type != 0) message[at++] = (byte) type;
        message[at++] = (byte) (length >>> 24);
        message[at++] = (byte) (length >>> 16);
        message[at++] = (byte) (length >>> 8);
        message[at++] = (byte) length;
        System.arraycopy(body, 0, message, at, body.length);
        out.write(message);
        out.flush();
    }

    /** Whether the SQL is COMMIT (or END), alone or as the last statement of a query string. */
    static boolean isCommit(String sql) {
        String[] parts = sql.toLowerCase(Locale.ROOT).split(";");
        for (int i = parts.length - 1; i >= 0; i--) {
            String p = parts[i].strip();
            if (p.isEmpty()) continue;
            return p.equals("commit") || p.equals("end");
        }
        return false;
    }

    private static String cString(byte[] body, int from) {
        int end = from;
        while (end < body.length && body[end] != 0) end++;
        return new String(body, from, end - from, StandardCharsets.UTF_8);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing
        }
        synchronized (sockets) {
            for (Socket s : sockets) closeQuietly(s);
        }
    }
}
