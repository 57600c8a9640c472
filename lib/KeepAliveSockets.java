import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.SocketFactory;
import jdk.net.ExtendedSocketOptions;

/**
 * The kit's client sockets, given to pgjdbc by name (its public socketFactory property): TCP
 * keepalive after 30 s of silence, every 10 s, 3 tries (SessionLimits' numbers, which the server's
 * side of each session gets too). A link that dies while a statement runs, silently (a partition, a
 * NAT that forgot the flow), fails the waiting call within about a minute instead of the system's
 * two hours; and a flow probed every 30 s is not forgotten by a NAT in the first place.
 */
public final class KeepAliveSockets extends SocketFactory {
    public KeepAliveSockets() {}

    @Override
    public Socket createSocket() throws IOException {
        Socket s = new Socket();
        s.setKeepAlive(true);
        try {
            s.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, SessionLimits.KEEPALIVE_IDLE_S);
            s.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, SessionLimits.KEEPALIVE_INTERVAL_S);
            s.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, SessionLimits.KEEPALIVE_COUNT);
        } catch (UnsupportedOperationException platformWithoutThem) {
            // the system's keepalive timing, then
        }
        return s;
    }

    // pgjdbc asks for the unconnected socket above and connects it itself; these are the factory's contract
    @Override public Socket createSocket(String host, int port) throws IOException { return connected(new InetSocketAddress(host, port)); }
    @Override public Socket createSocket(InetAddress host, int port) throws IOException { return connected(new InetSocketAddress(host, port)); }
    @Override public Socket createSocket(String host, int port, InetAddress local, int localPort) throws IOException { return createSocket(host, port); }
    @Override public Socket createSocket(InetAddress host, int port, InetAddress local, int localPort) throws IOException { return createSocket(host, port); }

    private Socket connected(InetSocketAddress to) throws IOException {
        Socket s = createSocket();
        s.connect(to);
        return s;
    }
}
