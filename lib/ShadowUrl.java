//SOURCES ShadowServer.java Database.java DatabaseTarget.java Console.java Phase.java Throwaway.java SqlScript.java KitException.java
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A shadow on the operator's own server (--shadow-url): the kit creates its throwaway databases
 * there, named {@code rc_dbkit_<run>_<name>}, and drops them on every way out (the end, an error,
 * Ctrl-C, SIGTERM). One session of the run's, named {@code rc-dbkit shadow rc_dbkit_<run>}, stays
 * open on the URL's own database while they exist: databases of that naming with no such session
 * were left by a killed run, and the next run on that server drops them. Roles the kit makes there
 * for the target's (made without login) are dropped with the databases.
 */
final class ShadowUrl extends ShadowServer {
    static final String PREFIX = "rc_dbkit_";
    static final String APPLICATION = "rc-dbkit shadow ";

    private final Database database;
    private final Console console;
    private final String run;
    private final Connection keeper;
    private final String role;
    private final List<String> made = new ArrayList<>();
    private final List<String> rolesMade = new ArrayList<>();

    /** Opens the run's keeping session on the URL's database (the shadow server's role is read there). */
    private ShadowUrl(DatabaseTarget url, Console console) throws SQLException {
        run = PREFIX + HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
        database = new Database(url, APPLICATION + run, Duration.ZERO, console).unwatched(); // the shadow's long statements are the kit's own work, not a silent link
        this.console = console;
        try {
            keeper = database.open();
        } catch (KitException e) {
            throw new KitException(e.exitCode, "the shadow server (--shadow-url): " + e.getMessage(), e.getCause());
        }
        try (var st = keeper.createStatement(); ResultSet rs = st.executeQuery("select current_user")) {
            rs.next();
            role = rs.getString(1);
        }
    }

    /** --shadow-url as given (null: none): parsed as the target's URL is, its password kept from every message, said once to be in the process list. */
    static DatabaseTarget option(String text, List<String> secrets, Console console) {
        if (text == null || text.isBlank()) return null;
        DatabaseTarget url = DatabaseTarget.parse(text, "--shadow-url");
        if (url.password() != null) {
            secrets.add(url.password());
            console.note("the password in --shadow-url is visible in the process list; a role of that server with no other use, or a local server, keeps that harmless.");
        }
        return url;
    }

    static ShadowUrl open(DatabaseTarget url, Console console) {
        try (Phase phase = Phase.start(console, "connecting to the shadow server " + url.masked())) {
            ShadowUrl shadow = new ShadowUrl(url, console);
            Throwaway.register(shadow);
            String left = shadow.sweep();
            if (left != null) console.note(left);
            phase.done();
            return shadow;
        } catch (SQLException e) {
            throw KitException.unreachable("lost the connection to the shadow server " + url.hostAndPort() + ": " + Database.firstLine(e.getMessage()), e);
        }
    }

    /**
     * Refuses a shadow that is the target itself: the same cluster (pg_control_system's
     * system_identifier where both roles may read it, else the port and the server's start time)
     * and the same database (its oid), whatever the URLs' text.
     */
    void refuseTarget(Connection target) throws SQLException {
        String[] theirs = identity(target), mine = identity(keeper);
        boolean sameCluster = theirs[1] != null && mine[1] != null ? theirs[1].equals(mine[1]) : theirs[2].equals(mine[2]);
        if (sameCluster && theirs[0].equals(mine[0])) {
            throw KitException.usage("--shadow-url " + database.target.masked() + " is the target's own database (same server, same database), and the kit creates and drops databases"
                    + " on the shadow server: give a PostgreSQL of its own for the shadow (such as the local database of `supabase start`).");
        }
    }

    /** The database's oid, the cluster's system identifier (null when this role may not read it), its port and start time. */
    private static String[] identity(Connection c) throws SQLException {
        try (var st = c.createStatement(); ResultSet rs = st.executeQuery("select (select oid from pg_database where datname = current_database())::text,"
                + " case when has_function_privilege('pg_control_system()', 'execute') then (select system_identifier::text from pg_control_system()) end,"
                + " current_setting('port') || ' up since ' || pg_postmaster_start_time()")) {
            rs.next();
            return new String[] {rs.getString(1), rs.getString(2), rs.getString(3)};
        }
    }

    /** Databases of the kit's naming that no run's session keeps: left by a run that was killed. Drops them; one line, or null. */
    private String sweep() throws SQLException {
        List<String> left = new ArrayList<>();
        try (var ps = keeper.prepareStatement("""
                select d.datname from pg_database d
                where d.datname like 'rc\\_dbkit\\_%' and not exists (select 1 from pg_stat_activity a where a.datname = d.datname)
                and not exists (select 1 from pg_stat_activity a where a.application_name = ? || substr(d.datname, 1, length(?)))""")) {
            ps.setString(1, APPLICATION);
            ps.setString(2, run);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) left.add(rs.getString(1));
            }
        }
        int dropped = 0;
        for (String name : left) {
            try (var st = keeper.createStatement()) {
                st.execute("drop database if exists " + SqlScript.identifier(name));
                dropped++;
            } catch (SQLException e) {
                // in use again, or not ours to drop: left alone
            }
        }
        return dropped == 0 ? null : "dropped " + (dropped == 1 ? "a throwaway database" : dropped + " throwaway databases") + " that an earlier run, killed, left on the shadow server.";
    }

    @Override
    Connection admin(String name) throws SQLException {
        return new Database(target(name), APPLICATION + run, Duration.ZERO, console).unwatched().open();
    }

    @Override
    DatabaseTarget target(String name) {
        DatabaseTarget t = database.target;
        return new DatabaseTarget(t.host(), t.port(), name(name), t.user(), t.password(), null, false, t.driverParams(), "the shadow database", null);
    }

    @Override
    String name(String name) {
        return name.equals("postgres") ? database.target.database() : run + "_" + name;
    }

    @Override
    String migratingRole() {
        return role;
    }

    @Override
    String describe() {
        return "the shadow server " + database.target.masked();
    }

    @Override
    String remedy() {
        return "install it on that server, or give --shadow-url another PostgreSQL that has it";
    }

    @Override
    List<String> secrets() {
        return database.target.password() == null ? List.of() : List.of(database.target.password());
    }

    @Override
    void createDatabase(String name) throws SQLException {
        made.add(name(name));
        super.createDatabase(name);
    }

    @Override
    void copyDatabase(String from, String to) throws SQLException {
        made.add(name(to));
        super.copyDatabase(from, to);
    }

    /** A role of the target's, made here without login for the migrations' grants: dropped with the databases. */
    void madeRole(String name) {
        rolesMade.add(name);
    }

    /** Drops what it made (ending any session still on it), then ends its own session. */
    @Override
    public void close() {
        Throwaway.done(this);
        try (var st = keeper.createStatement()) {
            st.execute("set statement_timeout = '10s'");
            for (String name : made) {
                try {
                    // WITH (FORCE): an interrupted engine's session may still be on it (PostgreSQL 13 and later)
                    st.execute("drop database if exists " + SqlScript.identifier(name) + " with (force)");
                } catch (SQLException e) {
                    // a session it may not end: the next run's sweep drops it
                }
            }
            for (String r : rolesMade) {
                try {
                    st.execute("drop role if exists " + SqlScript.identifier(r));
                } catch (SQLException e) {
                    // it owns something elsewhere now: left
                }
            }
        } catch (SQLException e) {
            // the server is gone: the next run's sweep drops what is left
        } finally {
            try {
                keeper.close();
            } catch (SQLException ignored) {
                // closed either way
            }
        }
    }
}
