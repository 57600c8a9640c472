import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;

/**
 * What a command costs in sessions: against a remote database each new session is a TCP, TLS and
 * SCRAM handshake, several round trips. Counted by the server (pg_stat_database.sessions).
 */
class ConnectionTest {

    @Test
    void statusOpensOneSessionOnADirectConnection() throws Exception {
        String url = TestSupport.seeded();
        long before = sessions(url);
        TestSupport.Result r = TestSupport.run(new status(), TestSupport.adminEnv(url));
        assertEquals(0, r.code(), r.all());
        assertEquals(1, sessions(url) - before, "sessions status opened");
    }

    @Test
    void migrateWithNothingToDoOpensOneSessionOnADirectConnection() throws Exception {
        String url = TestSupport.migrated();
        long before = sessions(url);
        TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url));
        assertEquals(0, r.code(), r.all());
        assertEquals(1, sessions(url) - before, "sessions migrate opened");
    }

    /** Sessions ever opened to the URL's database, once none is open any more (counted from another database). */
    static long sessions(String url) throws Exception {
        String db = TestSupport.databaseName(url);
        try (Connection c = TestSupport.server().admin("postgres"); var st = c.createStatement()) {
            for (int i = 0; i < 200; i++) {
                try (ResultSet rs = st.executeQuery("select (select count(*) from pg_stat_activity where datname = '" + db + "'), sessions from pg_stat_database where datname = '" + db + "'")) {
                    rs.next();
                    if (rs.getLong(1) == 0) return rs.getLong(2);
                }
                Thread.sleep(25);
            }
        }
        throw new AssertionError("sessions to " + db + " stayed open");
    }
}
