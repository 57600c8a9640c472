//SOURCES StatusReport.java Database.java DatabaseTarget.java
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Target part: where status is connected, and how far away that is. The round trip said is
 * the shortest of the single round trips timed on queries the report needs anyway (the session's
 * first query, the history, the flight), each one round trip and the server's work; the first also
 * pays for the driver's first use, so the later ones come closer to the network's own.
 */
final class StatusTarget {
    private final DatabaseTarget target;
    private final boolean pooler;
    private final Boolean ssl;
    private final String server; // read now: the session may be gone when the part is shown
    private long fastest;

    private StatusTarget(DatabaseTarget target, boolean pooler, Boolean ssl, String server, long micros) {
        this.target = target;
        this.pooler = pooler;
        this.ssl = ssl;
        this.server = server;
        this.fastest = micros;
    }

    /** The session's first query, timed; TLS comes from the query that learnt the session's server process. */
    static StatusTarget read(Connection c, Database database, boolean pooler) throws SQLException {
        Database.Session session = database.session(c);
        return new StatusTarget(database.target, pooler, session.ssl(), Database.serverVersion(c), session.roundTripMicros());
    }

    /** Another single round trip, timed in microseconds (-1: not timed). */
    void saw(long micros) {
        if (micros >= 0) fastest = Math.min(fastest, micros);
    }

    StatusReport.Section section() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("url", target.masked());
        json.put("source", target.origin());
        json.put("server", server);
        json.put("ssl", ssl);
        json.put("transactionPooler", pooler);
        json.put("roundTripMs", fastest / 1000.0);
        return new StatusReport.Section("target", "Target", List.of("  " + target.masked() + " (" + target.origin() + ")",
                "  " + server + ", " + (Boolean.TRUE.equals(ssl) ? "TLS" : "no TLS") + ", " + (pooler ? "through a transaction pooler" : "direct")
                        + ", round trip " + String.format(Locale.ROOT, "%.1f ms", fastest / 1000.0)), json, List.of());
    }
}
