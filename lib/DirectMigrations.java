import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flywaydb.core.api.MigrationVersion;

/**
 * Ordinary pending migrations applied in the kit's own session, with Flyway's bookkeeping written
 * as Flyway writes it: the same history table (same DDL), the same advisory lock, the same row
 * values, each migration and its row in one transaction. Flyway starts the same migrations with
 * some fifteen round trips of its own each; against a remote database that is most of the time a
 * long history takes. Only plain cases come here: versioned files Flyway would run in a
 * transaction, applied in order on a clean history. Anything else (a repeatable or misnamed file,
 * --target, an edited, missing or failed migration, one that runs outside a transaction or opens
 * its own, a non-empty schema without a history) is Flyway's to apply and to explain.
 */
final class DirectMigrations {
    static final String TABLE = "flyway_schema_history";

    /** PostgreSQLAdvisoryLockTemplate's number: "Flyway" in ASCII plus the hash of the quoted table name. */
    static long lockKey(String schema) {
        long flyway = (0x46L << 40) + (0x6CL << 32) + (0x79L << 24) + (0x77L << 16) + (0x61L << 8) + 0x79L;
        return flyway + ("\"" + schema + "\".\"" + TABLE + "\"").hashCode();
    }

    /** As Flyway's PostgreSQL support creates the history table. */
    static String createTable(String schema) {
        String t = "\"" + schema.replace("\"", "\"\"") + "\".\"" + TABLE + "\"";
        return "CREATE TABLE " + t + " (\n"
                + "    \"installed_rank\" INT NOT NULL,\n"
                + "    \"version\" VARCHAR(50),\n"
                + "    \"description\" VARCHAR(200) NOT NULL,\n"
                + "    \"type\" VARCHAR(20) NOT NULL,\n"
                + "    \"script\" VARCHAR(1000) NOT NULL,\n"
                + "    \"checksum\" INTEGER,\n"
                + "    \"installed_by\" VARCHAR(100) NOT NULL,\n"
                + "    \"installed_on\" TIMESTAMP NOT NULL DEFAULT now(),\n"
                + "    \"execution_time\" INTEGER NOT NULL,\n"
                + "    \"success\" BOOLEAN NOT NULL\n"
                + ");\n"
                + "ALTER TABLE " + t + " ADD CONSTRAINT \"" + TABLE + "_pk\" PRIMARY KEY (\"installed_rank\");\n"
                + "CREATE INDEX \"" + TABLE + "_s_idx\" ON " + t + " (\"success\")";
    }

    /** One statement of a migration, with the line its first word is on. */
    record Statement(int line, String sql) {}

    /** A pending migration and what its history row will say. */
    record Pending(String script, String version, String description, int checksum, List<Statement> statements) {}

    /** What applying directly needs to know: the schema of the history, whether it exists, and the migrations to apply. */
    record Plan(String schema, boolean historyExists, String current, List<Pending> pending) {}

    private static final Pattern VERSIONED = Pattern.compile("V([0-9]+(?:[._][0-9]+)*)__(.+)\\.sql");

    /** The plan (perhaps with nothing pending), or null when these migrations are Flyway's to apply (see the class comment). */
    static Plan plan(Connection c, Path folder, MigrationHistory history) throws SQLException {
        if (!history.renamed.isEmpty()) return null; // Flyway names the description that changed
        String current = null;
        for (MigrationHistory.Entry e : history.entries) {
            if (e.state() == MigrationHistory.State.APPLIED) current = e.version();
            else if (e.state() != MigrationHistory.State.PENDING) return null;
        }
        Set<String> versions = new HashSet<>();
        for (MigrationHistory.File f : history.files) {
            if (!versions.add(f.version())) return null; // two files, one version: Flyway says which
            if (f.script().contains("/")) return null; // in a subfolder: Flyway records its own name for it
        }
        List<Pending> pending = new ArrayList<>();
        for (MigrationHistory.Entry e : history.entries) {
            if (e.state() != MigrationHistory.State.PENDING) continue;
            if (current != null && MigrationHistory.compareVersions(e.version(), current) <= 0) return null; // out of order
            Matcher m = VERSIONED.matcher(e.script());
            if (!m.matches()) return null;
            String text;
            try {
                text = new String(Files.readAllBytes(folder.resolve(e.script())), StandardCharsets.UTF_8);
            } catch (java.io.IOException unreadable) {
                return null;
            }
            if (text.startsWith("\uFEFF")) text = text.substring(1);
            if (MigrationLint.needsNoTransaction(text) || PrismaMigrations.ownsTransaction(text)) return null;
            // a script configuration (-- flyway:executeInTransaction=false, or a .sql.conf beside it) is Flyway's to read
            if (text.toLowerCase(java.util.Locale.ROOT).contains("flyway:") || Files.exists(folder.resolve(e.script() + ".conf"))) return null;
            List<Statement> statements = statements(text);
            if (statements == null || statements.stream().anyMatch(DirectMigrations::needsFlyway)) return null;
            pending.add(new Pending(e.script(), MigrationVersion.fromVersion(m.group(1)).getVersion(), m.group(2).replace('_', ' '), e.fileChecksum(), statements));
        }
        String schema;
        boolean empty;
        try (var st = c.createStatement(); ResultSet rs = st.executeQuery(
                "select n.nspname, not exists (select 1 from pg_class where relnamespace = n.oid) and not exists (select 1 from pg_type where typnamespace = n.oid)"
                        + " and not exists (select 1 from pg_proc where pronamespace = n.oid) from pg_namespace n where n.nspname = current_schema()")) {
            if (!rs.next()) return null; // no schema to put the history in: Flyway creates it
            schema = rs.getString(1);
            empty = rs.getBoolean(2);
        }
        // without a history, Flyway takes only an empty schema (anything else needs a baseline)
        if (!history.historyExists && !empty) return null;
        return new Plan(schema, history.historyExists, current, pending);
    }

    /**
     * The statements of a script as the driver itself splits them (quotes, dollar quotes,
     * comments), each with the line of its first word; null when they cannot be placed in the text.
     */
    static List<Statement> statements(String text) throws SQLException {
        List<Statement> statements = new ArrayList<>();
        int from = 0;
        int line = 1, counted = 0; // newlines before `counted`, counted once however long the file
        for (org.postgresql.core.NativeQuery q : org.postgresql.core.Parser.parseJdbcSql(text, true, false, true, false, false)) {
            int at = text.indexOf(q.nativeSql, from);
            if (at < 0) return null;
            from = at + q.nativeSql.length();
            int word = firstWord(q.nativeSql);
            if (word < 0) continue; // only comments
            for (; counted < at + word; counted++) if (text.charAt(counted) == '\n') line++;
            statements.add(new Statement(line, q.nativeSql));
        }
        return statements;
    }

    private static final Pattern FLYWAY_HANDLES = Pattern.compile(
            "(?is)(copy\\b.*\\bfrom\\s+stdin\\b.*|(set|reset)\\s+(session\\s+)?(role|session\\s+authorization|search_path)\\b.*|.*\\bset_config\\s*\\(\\s*'(role|search_path)'.*)");

    /**
     * Statements Flyway treats specially: COPY ... FROM STDIN takes its rows from the file, and a
     * changed role or search path is put back after the migration, before the next one runs.
     */
    static boolean needsFlyway(Statement s) {
        return FLYWAY_HANDLES.matcher(s.sql().substring(Math.max(0, firstWord(s.sql())))).matches();
    }

    /** Where the first word of a statement is, past blanks and comments; -1 when there is none. */
    static int firstWord(String sql) {
        int i = 0;
        while (i < sql.length()) {
            char ch = sql.charAt(i);
            if (Character.isWhitespace(ch)) {
                i++;
            } else if (sql.startsWith("--", i)) {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? sql.length() : end + 1;
            } else if (sql.startsWith("/*", i)) {
                int depth = 0;
                do {
                    if (sql.startsWith("/*", i)) { depth++; i += 2; }
                    else if (sql.startsWith("*/", i)) { depth--; i += 2; }
                    else i++;
                } while (depth > 0 && i < sql.length());
            } else {
                return i;
            }
        }
        return -1;
    }

    /** Flyway's lock, held for the session; waits as Flyway does, then gives up with a sentence. */
    static void lock(Connection c, String schema, Duration patience) throws SQLException {
        long deadline = System.nanoTime() + patience.toNanos();
        try (PreparedStatement ps = c.prepareStatement("select pg_try_advisory_lock(?)")) {
            ps.setLong(1, lockKey(schema));
            while (true) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) return;
                }
                if (System.nanoTime() > deadline) {
                    throw KitException.failed("another migrate (or Flyway) has been applying migrations to this database for more than " + Durations.format(patience)
                            + "; nothing was applied. Let it finish, then run migrate again.", null);
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw KitException.failed("interrupted while waiting for another migrate to finish; nothing was applied.", e);
                }
            }
        }
    }

    static void unlock(Connection c, String schema) {
        try (PreparedStatement ps = c.prepareStatement("select pg_advisory_unlock(?)")) {
            ps.setLong(1, lockKey(schema));
            ps.execute();
        } catch (SQLException ignored) {
            // the lock goes with the session
        }
    }

    /** Creates the history table, in a transaction of its own, as Flyway does. */
    static void createHistory(Connection c, String schema) throws SQLException {
        Database.inTransaction(c, st -> {
            for (String sql : createTable(schema).split(";\n")) st.execute(sql);
        });
    }

    /** The installed_by Flyway records (the session's user) and the next installed_rank. */
    record Bookkeeping(String installedBy, int nextRank) {}

    static Bookkeeping bookkeeping(Connection c, String schema) throws SQLException {
        try (var st = c.createStatement(); ResultSet rs = st.executeQuery("select current_user, (select coalesce(max(installed_rank), 0) + 1 from "
                + quoted(schema) + ".\"" + TABLE + "\")")) {
            rs.next();
            return new Bookkeeping(rs.getString(1), rs.getInt(2));
        }
    }

    /** The history row of a migration that ran, inside its transaction. */
    static void record(Connection c, String schema, int rank, Pending p, String installedBy, int ms) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("insert into " + quoted(schema) + ".\"" + TABLE
                + "\" (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) values (?, ?, ?, 'SQL', ?, ?, ?, ?, true)")) {
            ps.setInt(1, rank);
            ps.setString(2, p.version());
            ps.setString(3, p.description());
            ps.setString(4, p.script());
            ps.setInt(5, p.checksum());
            ps.setString(6, installedBy);
            ps.setInt(7, ms);
            ps.executeUpdate();
        }
    }

    private static String quoted(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    private DirectMigrations() {}
}
