//SOURCES HistoryTable.java MigrationHistory.java MigrationFile.java AdvisoryLocks.java Flight.java SqlScript.java KitException.java Relations.java MigrateInFlight.java
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Prisma's migration layout (prisma/migrations/<name>/migration.sql) and its bookkeeping table,
 * _prisma_migrations, read and written exactly as Prisma's schema engine does, so that Prisma
 * still sees the database as its own after the kit has migrated it.
 */
final class PrismaMigrations {
    /** The advisory lock Prisma's schema engine holds while it migrates. */
    static final long PRISMA_LOCK = 72707369L;

    static final String CREATE_TABLE = """
            CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
                "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
                "checksum"              VARCHAR(64) NOT NULL,
                "finished_at"           TIMESTAMPTZ,
                "migration_name"        VARCHAR(255) NOT NULL,
                "logs"                  TEXT,
                "rolled_back_at"        TIMESTAMPTZ,
                "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
                "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
            )""";

    /** The table as Prisma creates it, and the row-level security the kit gives every history table, in one statement string. */
    static final String CREATE_PROTECTED = CREATE_TABLE + ";\nalter table \"_prisma_migrations\" enable row level security";

    record Row(String id, String checksum, Timestamp finishedAt, String name, Timestamp rolledBackAt, Timestamp startedAt) {
        boolean failed() { return finishedAt == null && rolledBackAt == null; }
        boolean applied() { return finishedAt != null && rolledBackAt == null; }
    }

    /** A folder is Prisma's layout when it has migration_lock.toml or <name>/migration.sql folders. */
    static boolean isPrismaLayout(Path folder) {
        if (Files.isRegularFile(folder.resolve("migration_lock.toml"))) return true;
        try (var stream = Files.list(folder)) {
            return stream.anyMatch(p -> Files.isRegularFile(p.resolve("migration.sql")));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The migrations in Prisma's order (folder names, lexically). Prisma takes every folder for a
     * migration, and `prisma migrate deploy` stops at one without migration.sql (P3015, "Could not
     * find the migration file"), after applying those before it; each such folder is a problem here
     * (a misspelt migrations.sql, say), which migrate refuses before applying anything.
     */
    static List<MigrationFile> list(Path folder, Consumer<String> problem) {
        List<MigrationFile> list = new ArrayList<>();
        try (var stream = Files.list(folder)) {
            for (Path dir : stream.filter(Files::isDirectory).sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString())).toList()) {
                Path script = dir.resolve("migration.sql");
                if (!Files.isRegularFile(script)) {
                    problem.accept(withoutScript(dir));
                    continue;
                }
                list.add(MigrationFile.prisma(dir));
            }
        } catch (IOException e) {
            throw KitException.usage("the folder " + folder + " cannot be read (" + e.getClass().getSimpleName() + "); check its permissions.");
        }
        return list;
    }

    /** The sentence for a folder without migration.sql, naming the .sql files it holds instead (a misspelt name, say). */
    private static String withoutScript(Path dir) {
        List<String> others = new ArrayList<>();
        try (var files = Files.list(dir)) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.toLowerCase(java.util.Locale.ROOT).endsWith(".sql")).sorted().forEach(others::add);
        } catch (IOException e) {
            // said as holding no migration.sql, which is true either way
        }
        return dir.getFileName() + "/ holds no migration.sql" + (others.isEmpty() ? "" : " (it holds " + String.join(", ", others) + ": misspelt?)")
                + ", and `prisma migrate deploy` stops at such a folder (P3015); name its file migration.sql, or move the folder out of " + dir.getParent().getFileName() + "/";
    }

    /** As Prisma allows: the stored checksum may be of the file with its line endings converted. */
    static boolean checksumMatches(String stored, MigrationFile m) {
        if (stored.equalsIgnoreCase(m.sha256())) return true;
        String text = new String(m.bytes, StandardCharsets.UTF_8);
        String lf = text.replace("\r\n", "\n");
        String crlf = lf.replace("\n", "\r\n");
        return stored.equalsIgnoreCase(MigrationFile.sha256(lf.getBytes(StandardCharsets.UTF_8))) || stored.equalsIgnoreCase(MigrationFile.sha256(crlf.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * What a run needs to know of the database before it starts, read in one query: whether
     * _prisma_migrations exists, whether every history table there is has row-level security, its
     * rows, and the tables of the current schema (a schema with tables but no history was never
     * migrated by Prisma).
     */
    record Read(boolean tableExists, boolean historiesProtected, List<Row> rows, List<String> tables, int serverProcess) {}

    /** The history read ({@link HistoryTable#query}), with two columns of its own at {@link #X}, then the row's from X + 2. */
    private static final String READ = HistoryTable.query(HistoryTable.PRISMA,
            "id text, checksum text, finished_at timestamptz, migration_name text, rolled_back_at timestamptz, started_at timestamptz", "started_at, migration_name", """
            not exists (select 1 from unnest(%s) b(name)
                                   join pg_class p on p.oid = %s where not p.relrowsecurity),
                       array(select relname::text from pg_class where relnamespace = (select oid from pg_namespace where nspname = current_schema())
                             and relkind in ('r', 'p') order by 1)""".formatted(HistoryTable.BOTH, Relations.inCurrentSchema("b.name")));
    private static final int X = HistoryTable.FIRST;

    static Read read(Connection c) throws SQLException {
        Flight flight = new Flight();
        Read[] read = new Read[1];
        read(flight, r -> read[0] = r);
        flight.send(c);
        return read[0];
    }

    /** The same query in a flight the caller sends (one round trip with its other queries). */
    static void read(Flight flight, Consumer<Read> then) {
        flight.add(READ, rs -> {
            boolean exists = false, protectedTable = false;
            int serverProcess = -1;
            List<String> tables = List.of();
            List<Row> rows = new ArrayList<>();
            while (rs.next()) {
                exists = HistoryTable.exists(rs, HistoryTable.PRISMA);
                serverProcess = HistoryTable.serverProcess(rs);
                protectedTable = rs.getBoolean(X);
                tables = List.of((String[]) rs.getArray(X + 1).getArray());
                int r = X + 2;
                if (rs.getString(r) != null) rows.add(new Row(rs.getString(r), rs.getString(r + 1), rs.getTimestamp(r + 2), rs.getString(r + 3), rs.getTimestamp(r + 4), rs.getTimestamp(r + 5)));
            }
            then.accept(new Read(exists, protectedTable, List.copyOf(rows), tables, serverProcess));
        });
    }

    /**
     * Where the database stands against the folder, for status: the history read, in the caller's
     * flight after the read of a migrate in flight (MigrateInFlight). Prisma records a migration before
     * running it, so one unfinished while a session holds Prisma's lock is under way, not failed.
     */
    static java.util.function.Supplier<MigrationHistory> history(Flight flight, List<MigrationFile> migrations, java.util.function.Supplier<MigrateInFlight> inFlight) {
        MigrationHistory[] history = new MigrationHistory[1];
        read(flight, read -> {
            List<MigrationHistory.Entry> entries = entries(migrations, read.rows());
            String underWay = null;
            MigrateInFlight running = inFlight.get();
            if (running != null && running.prisma()) {
                for (MigrationHistory.Entry e : entries) if (e.state() == MigrationHistory.State.FAILED) underWay = e.version();
            }
            history[0] = new MigrationHistory(HistoryTable.PRISMA, entries, migrations, read.tableExists(), flight.micros(), underWay);
        });
        return () -> history[0];
    }

    /** Where the database stands against the folder, from what a run read when it started. */
    static MigrationHistory history(List<MigrationFile> migrations, Read read) {
        return new MigrationHistory(HistoryTable.PRISMA, entries(migrations, read.rows()), migrations, read.tableExists(), -1, null);
    }

    /** The folder's migrations and the rows, in the same terms as the Flyway history. */
    private static List<MigrationHistory.Entry> entries(List<MigrationFile> migrations, List<Row> rows) {
        Map<String, List<Row>> byName = new LinkedHashMap<>();
        for (Row r : rows) byName.computeIfAbsent(r.name(), k -> new ArrayList<>()).add(r);
        List<MigrationHistory.Entry> entries = new ArrayList<>();
        for (MigrationFile m : migrations) {
            List<Row> mine = byName.remove(m.version);
            entries.add(entry(m.version, m.script, mine, m));
        }
        for (Map.Entry<String, List<Row>> e : byName.entrySet()) {
            MigrationHistory.Entry entry = entry(e.getKey(), e.getKey() + "/migration.sql", e.getValue(), null);
            if (entry.state() != MigrationHistory.State.PENDING) entries.add(entry);
        }
        return entries;
    }

    private static MigrationHistory.Entry entry(String name, String script, List<Row> rows, MigrationFile file) {
        Row applied = rows == null ? null : rows.stream().filter(Row::applied).reduce((a, b) -> b).orElse(null);
        Row failed = rows == null ? null : rows.stream().filter(Row::failed).reduce((a, b) -> b).orElse(null);
        MigrationHistory.State state;
        Timestamp when = null;
        if (failed != null) {
            state = MigrationHistory.State.FAILED;
            when = failed.startedAt();
        } else if (applied != null) {
            when = applied.finishedAt();
            state = file == null ? MigrationHistory.State.MISSING
                    : checksumMatches(applied.checksum(), file) ? MigrationHistory.State.APPLIED : MigrationHistory.State.EDITED;
        } else {
            state = MigrationHistory.State.PENDING; // never applied, or only rolled back
        }
        return new MigrationHistory.Entry(name, "", script, state, when, null, null);
    }

    /** What `prisma migrate resolve --applied NAME` writes: failed rows rolled back, one finished row. */
    static void markApplied(Connection c, MigrationFile m) throws SQLException {
        markRolledBack(c, m.version);
        try (PreparedStatement ps = c.prepareStatement(
                "insert into _prisma_migrations (id, checksum, logs, started_at, finished_at, migration_name) values (?, ?, '', ?, ?, ?)")) {
            Timestamp now = new Timestamp(System.currentTimeMillis());
            ps.setString(1, UUID.randomUUID().toString());
            ps.setString(2, m.sha256());
            ps.setTimestamp(3, now);
            ps.setTimestamp(4, now);
            ps.setString(5, m.version);
            ps.executeUpdate();
        }
    }

    /** What `prisma migrate resolve --rolled-back NAME` writes: rolled_back_at on the failed rows. */
    static int markRolledBack(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "update _prisma_migrations set rolled_back_at = now() where migration_name = ? and finished_at is null and rolled_back_at is null")) {
            ps.setString(1, name);
            return ps.executeUpdate();
        }
    }

    /** As the schema engine records a migration it starts: a new id, the checksum, started_at now. */
    static String recordStarted(Connection c, MigrationFile m) throws SQLException {
        String id = UUID.randomUUID().toString();
        try (var st = c.createStatement()) {
            st.execute(started(id, m));
        }
        return id;
    }

    /** The row the schema engine inserts as a migration starts: a new id, the checksum, started_at now. */
    static String started(String id, MigrationFile m) {
        return "insert into _prisma_migrations (id, checksum, started_at, migration_name) values (" + SqlScript.literal(id) + ", "
                + SqlScript.literal(m.sha256()) + ", now(), " + SqlScript.literal(m.version) + ")";
    }

    /** What the schema engine writes when the migration has run (clock time: the run may share a transaction with the start). */
    static String finished(String id) {
        return "update _prisma_migrations set applied_steps_count = applied_steps_count + 1, finished_at = clock_timestamp() where id = " + SqlScript.literal(id);
    }

    static void recordFinished(Connection c, String id) throws SQLException {
        try (var st = c.createStatement()) {
            st.execute(finished(id));
        }
    }

    static void recordFailed(Connection c, String id, String logs) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("update _prisma_migrations set logs = ? where id = ?")) {
            ps.setString(1, logs);
            ps.setString(2, id);
            ps.executeUpdate();
        }
    }
}
