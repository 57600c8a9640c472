//SOURCES EmbeddedServer.java ShadowUrl.java DatabaseTarget.java Console.java Phase.java SqlScript.java KitException.java
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The server a shadow database is built on, with a throwaway database per name the caller uses
 * ("shadow", the rehearsal's "locks"): a throwaway embedded PostgreSQL of the target's major version,
 * or the operator's own server (--shadow-url, as Prisma's shadowDatabaseUrl), where the kit creates
 * databases of its own and drops them on every way out. "postgres" names the database the others
 * are made from (the embedded server's postgres, the URL's own database).
 */
abstract class ShadowServer implements AutoCloseable {

    /**
     * The shadow for `option` ("--schema", "--rehearse"): on the server of `url` when given, else a
     * throwaway embedded PostgreSQL of major version `major`, said as a phase.
     */
    static ShadowServer open(DatabaseTarget url, int major, Console console, String option) {
        if (url != null) return ShadowUrl.open(url, console);
        if (!EmbeddedServer.BINARIES.containsKey(major)) {
            throw KitException.usage(option + " needs a shadow PostgreSQL " + major + ", and the kit has binaries for 15, 16 and 17 only: give --shadow-url a PostgreSQL " + major + " where it may create a throwaway database.");
        }
        try (Phase phase = Phase.start(console, "starting the throwaway PostgreSQL " + major)) {
            Embedded shadow = new Embedded(EmbeddedServer.start(major, console::note));
            phase.done();
            return shadow;
        } catch (java.io.IOException | SQLException e) {
            Throwaway.holdIfLeaving();
            throw KitException.failed("could not start the shadow PostgreSQL " + major + ": " + Database.firstLine(e.getMessage()), e);
        }
    }

    /** A session on one of its databases, as the role that may create and drop them (the embedded server's superuser). */
    abstract Connection admin(String database) throws SQLException;

    /** Where the engine connects to apply migrations to that database. */
    abstract DatabaseTarget target(String database);

    /** The database's name on the server. */
    abstract String name(String database);

    /** The role the migrations run as there (who owns what they create). */
    abstract String migratingRole();

    /** What the operator reads: "the kit's embedded PostgreSQL 17", or the URL, masked. */
    abstract String describe();

    /** What to do about an extension it cannot install, after "give" or "use". */
    abstract String remedy();

    /** The passwords it holds, never to be printed. */
    abstract List<String> secrets();

    /** The URL of a database there, with its credentials, for code that takes a URL. */
    String url(String database) {
        DatabaseTarget t = target(database);
        String credentials = java.net.URLEncoder.encode(t.user(), java.nio.charset.StandardCharsets.UTF_8)
                + (t.password() == null ? "" : ":" + java.net.URLEncoder.encode(t.password(), java.nio.charset.StandardCharsets.UTF_8));
        StringBuilder query = new StringBuilder();
        t.driverParams().forEach((k, v) -> query.append(query.length() == 0 ? "?" : "&").append(k).append('=').append(java.net.URLEncoder.encode(v, java.nio.charset.StandardCharsets.UTF_8)));
        return "postgresql://" + credentials + "@" + t.hostAndPort() + "/" + t.database() + query;
    }

    /** A new, empty database owned by the migrating role. */
    void createDatabase(String database) throws SQLException {
        try (Connection c = admin("postgres"); var st = c.createStatement()) {
            st.execute("create database " + SqlScript.identifier(name(database)) + " owner " + SqlScript.identifier(migratingRole()));
            st.execute("revoke connect on database " + SqlScript.identifier(name(database)) + " from public"); // it may hold the target's rows
        }
    }

    /**
     * A copy of database `from` as `to` (the rehearsal's second copy, for watching locks), with the
     * search_path `from` has as its own setting: a database's settings do not come with its template.
     */
    void copyDatabase(String from, String to) throws SQLException {
        try (Connection c = admin("postgres"); var st = c.createStatement()) {
            // FILE_COPY (PostgreSQL 15+) copies the files instead of writing each block to the WAL: the copy may hold the target's rows
            String strategy = c.getMetaData().getDatabaseMajorVersion() >= 15 ? " strategy file_copy" : "";
            st.execute("create database " + SqlScript.identifier(name(to)) + " template " + SqlScript.identifier(name(from)) + strategy);
            st.execute("revoke connect on database " + SqlScript.identifier(name(to)) + " from public"); // it may hold the target's rows
            try (var ps = c.prepareStatement("select substr(c, 13) from pg_db_role_setting s, unnest(s.setconfig) c"
                    + " where s.setdatabase = (select oid from pg_database where datname = ?) and s.setrole = 0 and c like 'search_path=%'")) {
                ps.setString(1, name(from));
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) st.execute("alter database " + SqlScript.identifier(name(to)) + " set search_path = " + rs.getString(1));
                }
            }
        }
    }

    /** The extensions it can install (pg_available_extensions). */
    Set<String> availableExtensions() throws SQLException {
        Set<String> names = new HashSet<>();
        try (Connection c = admin("postgres"); var st = c.createStatement(); ResultSet rs = st.executeQuery("select name from pg_available_extensions")) {
            while (rs.next()) names.add(rs.getString(1));
        }
        return names;
    }

    /** Removes what it made: the embedded server and its folder, or the databases made on the operator's server. */
    @Override
    public abstract void close();

    /** A throwaway embedded PostgreSQL, all of it the shadow's. */
    static final class Embedded extends ShadowServer {
        final EmbeddedServer server;

        Embedded(EmbeddedServer server) {
            this.server = server;
        }

        Connection admin(String database) throws SQLException {
            return server.admin(database);
        }

        DatabaseTarget target(String database) {
            return DatabaseTarget.parse(server.url(database), "the shadow database");
        }

        String name(String database) {
            return database;
        }

        String migratingRole() {
            return EmbeddedServer.USER;
        }

        String describe() {
            return "the kit's embedded PostgreSQL " + server.major;
        }

        String remedy() {
            return "give --shadow-url a PostgreSQL that has it, where the kit may create a throwaway database (such as the local database of `supabase start`, which has every Supabase extension)";
        }

        List<String> secrets() {
            return server.secrets();
        }

        @Override
        public void close() {
            try {
                server.close();
            } catch (java.io.IOException e) {
                // the next run that starts one removes what is left
            }
        }
    }
}
