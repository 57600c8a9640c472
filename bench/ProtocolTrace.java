import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the client side of PostgreSQL's wire protocol (plain TCP only) as it passes the proxy,
 * and groups what the client sends into flights: a flight starts whenever the client speaks
 * after the server did, so each flight that gets an answer is one round trip. For finding where
 * a command spends its round trips, not for timing.
 */
final class ProtocolTrace implements DelayProxy.Listener {
    private static final class Conn {
        final ByteArrayOutputStream pending = new ByteArrayOutputStream();
        boolean started;
        boolean serverSpoke = true;
        final List<List<String>> flights = new ArrayList<>();
    }

    private final Map<Integer, Conn> conns = new TreeMap<>();

    synchronized void reset() {
        conns.clear();
    }

    @Override
    public synchronized void bytes(int connection, boolean fromClient, byte[] chunk) {
        Conn c = conns.computeIfAbsent(connection, k -> new Conn());
        if (!fromClient) {
            c.serverSpoke = true;
            return;
        }
        if (c.serverSpoke) {
            c.flights.add(new ArrayList<>());
            c.serverSpoke = false;
        }
        c.pending.write(chunk, 0, chunk.length);
        byte[] all = c.pending.toByteArray();
        ByteBuffer b = ByteBuffer.wrap(all);
        List<String> flight = c.flights.get(c.flights.size() - 1);
        while (true) {
            if (!c.started) {
                if (b.remaining() < 8) break;
                int len = b.getInt(b.position());
                if (b.remaining() < len) break;
                int code = b.getInt(b.position() + 4);
                flight.add(code == 80877103 ? "SSLRequest" : code == 80877104 ? "GSSENCRequest" : "Startup");
                if (code != 80877103 && code != 80877104) c.started = true;
                b.position(b.position() + len);
                continue;
            }
            if (b.remaining() < 5) break;
            char type = (char) b.get(b.position());
            int len = b.getInt(b.position() + 1);
            if (b.remaining() < 1 + len) break;
            byte[] body = new byte[len - 4];
            b.get(b.position() + 5, body);
            b.position(b.position() + 1 + len);
            flight.add(describe(type, body));
        }
        c.pending.reset();
        c.pending.write(all, b.position(), all.length - b.position());
    }

    private static String describe(char type, byte[] body) {
        return switch (type) {
            case 'Q' -> "Query[" + sql(body, 0) + "]";
            case 'P' -> {
                int nameEnd = indexOfZero(body, 0);
                yield "Parse[" + sql(body, nameEnd + 1) + "]";
            }
            case 'B' -> "Bind";
            case 'E' -> "Execute";
            case 'D' -> "Describe";
            case 'S' -> "Sync";
            case 'H' -> "Flush";
            case 'C' -> "Close";
            case 'p' -> "Auth";
            case 'd' -> "CopyData";
            case 'c' -> "CopyDone";
            case 'f' -> "CopyFail";
            case 'X' -> "Terminate";
            default -> String.valueOf(type);
        };
    }

    private static int indexOfZero(byte[] b, int from) {
        for (int i = from; i < b.length; i++) if (b[i] == 0) return i;
        return b.length;
    }

    private static String sql(byte[] body, int from) {
        String s = new String(body, from, indexOfZero(body, from) - from, StandardCharsets.UTF_8).replaceAll("\\s+", " ").strip();
        return s.length() > 110 ? s.substring(0, 110) + "..." : s;
    }

    /** Per connection, each flight that got an answer (a round trip), runs of CopyData folded. */
    synchronized String report() {
        StringBuilder sb = new StringBuilder();
        int total = 0;
        for (Map.Entry<Integer, Conn> e : conns.entrySet()) {
            List<List<String>> answered = e.getValue().flights.stream().filter(f -> !f.isEmpty() && !f.equals(List.of("Terminate"))).toList();
            total += answered.size() + 1;
            sb.append("  connection ").append(e.getKey()).append(": ").append(answered.size()).append(" round trips + 1 for TCP\n");
            int i = 0;
            for (List<String> f : answered) {
                List<String> folded = new ArrayList<>();
                int copies = 0;
                for (String m : f) {
                    if (m.equals("CopyData")) {
                        copies++;
                        continue;
                    }
                    if (copies > 0) folded.add("CopyData×" + copies);
                    copies = 0;
                    folded.add(m);
                }
                if (copies > 0) folded.add("CopyData×" + copies);
                sb.append("    ").append(++i).append(". ").append(String.join(" ", folded.stream()
                        .filter(m -> !m.equals("Bind") && !m.equals("Describe") && !m.equals("Execute")).toList())).append('\n');
            }
        }
        sb.append("  total: ").append(total).append(" round trips (plain TCP; TLS adds 2 per connection: SSLRequest and the handshake)\n");
        return sb.toString();
    }
}
