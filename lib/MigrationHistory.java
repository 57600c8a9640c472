//SOURCES HistoryTable.java MigrationFile.java MigrationFolder.java KitException.java Flight.java
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a database stands against migrations/, read without Flyway and without writing: the
 * files here (with Flyway's own checksum) beside the rows of flyway_schema_history. Used by
 * status.java, which must stay read-only and quick; tests check the checksums against Flyway's.
 */
final class MigrationHistory {
    /** RENAMED: applied, its file unchanged, but named with another description since (Flyway's validation refuses it). */
    enum State { APPLIED, PENDING, EDITED, RENAMED, FAILED, MISSING }

    record Entry(String version, String description, String script, State state, Timestamp installedOn, Integer fileChecksum, Integer appliedChecksum) {}

    final List<Entry> entries;
    /** The migration files the entries were made from, in version order. */
    final List<MigrationFile> files;
    final boolean historyExists;
    /** A migration applied under another description than its file's now: Flyway's validation refuses it. */
    record Renamed(String script, String version, String applied, String now) {
        String sentence() {
            return script + " was applied as migration " + version + " \"" + applied + "\", and its file now says \"" + now
                    + "\": rename the file back (Flyway checks descriptions as well as checksums).";
        }
    }

    final List<Renamed> renamed;

    /** Whether every .sql file in the folder is a versioned migration (no repeatable or misnamed ones). */
    final boolean onlyVersionedFiles;

    /**
     * The repeatable migrations (R__<description>.sql), files and rows, as Flyway judges them:
     * applied when the latest row of that description has the file's checksum, pending when there
     * is none or the file changed since (Flyway applies it again), failed, or missing (a row and
     * no file). Their version is null; they are not in {@link #entries}.
     */
    final List<Entry> repeatables;

    /** Rows without a version (repeatable migrations), which the entries leave out. */
    final int unversionedRows;

    /** Whether this session may write the history table Flyway keeps (read with it; true when there is none yet). */
    final boolean writable;

    /** How long the history query took (one round trip and the server's work), in microseconds; -1 when not read. */
    final long queryMicros;

    /** The history table the entries were read from. */
    final String table;

    /** How the entries are named: by their folder (Prisma: the version is the name, no description), or by version and description (Flyway). */
    final boolean namedByFolder;

    /** The migration another session is applying now (Prisma records it before running it, as if failed), or null. */
    final String underWay;

    /** The server process that answered the read (migrate's pooler invariant, TransactionPooler.same); -1 when not read here. */
    final int serverProcess;

    /**
     * What stands in the way of reading the folder as its engine would (a misnamed file, a link that
     * leads nowhere, a Prisma folder without migration.sql), one sentence each: migrate refuses to run
     * on them ({@link #refuseProblems}), status shows them as findings. The entries are what could be read.
     */
    final List<String> problems;

    /** A history made elsewhere (the Prisma path): entries named by their folder, no repeatables, nothing read of Flyway's table. */
    MigrationHistory(String table, List<Entry> entries, List<MigrationFile> files, boolean historyExists, long queryMicros, String underWay) {
        this(table, true, entries, files, historyExists, List.of(), false, List.of(), 0, true, queryMicros, underWay, List.of(), -1);
    }

    /** The same history, with what stands in the way of reading its folder (the Prisma path lists its folder itself). */
    MigrationHistory withProblems(List<String> more) {
        return new MigrationHistory(table, namedByFolder, entries, files, historyExists, renamed, onlyVersionedFiles, repeatables, unversionedRows, writable,
                queryMicros, underWay, List.copyOf(more), serverProcess);
    }

    /** migrate's refusal of a folder it cannot read as its engine would: every problem, in one sentence. */
    static void refuseProblems(List<String> problems) {
        if (!problems.isEmpty()) throw KitException.usage(String.join("; and ", problems) + ". Nothing was applied.");
    }

    private MigrationHistory(String table, boolean namedByFolder, List<Entry> entries, List<MigrationFile> files, boolean historyExists, List<Renamed> renamed,
            boolean onlyVersionedFiles, List<Entry> repeatables, int unversionedRows, boolean writable, long queryMicros, String underWay, List<String> problems, int serverProcess) {
        this.problems = problems;
        this.table = table;
        this.namedByFolder = namedByFolder;
        this.entries = entries;
        this.files = files;
        this.historyExists = historyExists;
        this.renamed = renamed;
        this.onlyVersionedFiles = onlyVersionedFiles;
        this.repeatables = repeatables;
        this.unversionedRows = unversionedRows;
        this.writable = writable;
        this.queryMicros = queryMicros;
        this.underWay = underWay;
        this.serverProcess = serverProcess;
    }

    /** dir/migrations, which must exist: Flyway would otherwise find nothing and call it success. */
    static Path folder(Path dir) {
        Path folder = dir.resolve("migrations").toAbsolutePath().normalize();
        if (!Files.isDirectory(folder)) {
            throw KitException.usage("there is no migrations/ folder in " + dir.toAbsolutePath().normalize() + "; run from the kit's folder or pass --dir.");
        }
        if (!Files.isReadable(folder)) {
            throw KitException.usage("the folder " + folder + " cannot be read; check its permissions.");
        }
        return folder;
    }

    /**
     * What one walk of the folder finds: the versioned migrations, the repeatable ones, whether there is
     * any other .sql, and what stands in the way of reading it as Flyway would (misnamed files, links that
     * lead nowhere or back into the folder, entries that cannot be read), each one sentence.
     */
    private record Folder(List<MigrationFile> files, List<Path> repeatables, boolean onlyVersioned, List<String> problems) {}

    /** The files, in version order; two files with one version are refused here, naming both (Flyway would refuse them too). */
    static List<MigrationFile> files(Path folder) {
        return scan(folder).files();
    }

    private static Folder scan(Path folder) {
        List<MigrationFile> files = new ArrayList<>();
        List<Path> repeatables = new ArrayList<>();
        boolean onlyVersioned = true;
        List<String> problems = new ArrayList<>();
        List<String> misnamed = new ArrayList<>();
        // Flyway looks in subfolders too; a file there is named by its path inside migrations/
        for (Path p : MigrationFolder.walk(folder, problems)) {
            String name = p.getFileName().toString();
            if (name.endsWith(".sql") && !MigrationFile.FLYWAY_NAME.matcher(name).matches()) onlyVersioned = false;
            if (Files.isSymbolicLink(p) && !Files.exists(p)) {
                problems.add(MigrationFolder.brokenLink(folder, p));
                continue;
            }
            if (Files.isDirectory(p) && name.endsWith(".sql")) {
                problems.add("migrations/ holds a folder named as a migration: " + folder.relativize(p)
                        + "; a migration is a file, and Flyway would pass this folder by: rename the folder, or replace it with the file");
                continue;
            }
            if (!Files.isRegularFile(p)) continue;
            MigrationFile f = MigrationFile.flyway(folder, p);
            if (f != null) files.add(f);
            else if (REPEATABLE.matcher(name).matches()) repeatables.add(p);
            else if (MigrationFile.misnamed(name)) misnamed.add(folder.relativize(p).toString());
        }
        if (!misnamed.isEmpty()) {
            problems.add(0, "migrations/ holds " + (misnamed.size() == 1 ? "a file that is not named" : misnamed.size() + " files that are not named")
                    + " as a Flyway migration: " + String.join(", ", misnamed) + "; name each V<version>__<description>.sql (such as V5__add_teams.sql), or move it out of migrations/");
        }
        files.sort(Comparator.comparing((MigrationFile f) -> f.version, MigrationFile::compareVersions));
        for (int i = 1; i < files.size(); i++) {
            if (files.get(i).version.equals(files.get(i - 1).version)) {
                throw KitException.usage("two migrations have the same version " + files.get(i).version + " (" + files.get(i - 1).script + ", " + files.get(i).script
                        + "); give each migration a version of its own. Nothing was applied.");
            }
        }
        return new Folder(files, List.copyOf(repeatables), onlyVersioned, List.copyOf(problems));
    }


    /** Flyway's history, in its order; the row's columns from {@link #V}. */
    private static final String READ = HistoryTable.query(HistoryTable.FLYWAY,
            "version text, description text, script text, checksum integer, installed_on timestamp, success boolean, type text", "installed_rank", "");
    private static final int V = HistoryTable.FIRST;

    /** Reads the history table of the connection's current schema, if it has one; writes nothing. */
    static MigrationHistory read(Connection c, Path folder) throws SQLException {
        Flight flight = new Flight();
        java.util.function.Supplier<MigrationHistory> history = read(flight, folder);
        flight.send(c);
        return history.get();
    }

    /** The same read in a flight the caller sends (status: one round trip with its other first questions); the folder is read now. */
    static java.util.function.Supplier<MigrationHistory> read(Flight flight, Path folder) {
        Folder scanned = scan(folder);
        return flight.ask(READ, rs -> read(rs, folder, scanned, flight.micros()));
    }

    private static MigrationHistory read(ResultSet rs, Path folder, Folder scanned, long queryMicros) throws SQLException {
        List<MigrationFile> files = scanned.files();
        Map<String, Object[]> applied = new LinkedHashMap<>();
        boolean exists = false, writable = true;
        int unversioned = 0, serverProcess = -1;
        Map<String, Object[]> repeatableRows = new LinkedHashMap<>();
        while (rs.next()) {
            exists = HistoryTable.exists(rs, HistoryTable.FLYWAY);
            writable = rs.getBoolean(5);
            serverProcess = HistoryTable.serverProcess(rs);
            String version = rs.getString(V), type = rs.getString(V + 6);
            if (type == null || "SCHEMA".equals(type)) continue; // no row, or the marker of a schema Flyway created
            Integer sum = rs.getObject(V + 3) == null ? null : rs.getInt(V + 3);
            Object[] row = {rs.getString(V + 1), rs.getString(V + 2), sum, rs.getTimestamp(V + 4), rs.getBoolean(V + 5), type};
            if (version != null) {
                applied.put(MigrationFile.normalizeVersion(version), row);
                continue;
            }
            // a repeatable migration's row: the latest of each description counts
            unversioned++;
            if ("DELETE".equals(type)) repeatableRows.remove(row[0]); // `flyway repair` marked it deleted
            else repeatableRows.put((String) row[0], row);
        }
        List<Entry> entries = new ArrayList<>();
        List<Renamed> renamed = new ArrayList<>();
        for (MigrationFile f : files) {
            Object[] row = applied.remove(f.version);
            int checksum = f.flywayChecksum();
            if (row == null) {
                entries.add(new Entry(f.version, f.description, f.script, State.PENDING, null, checksum, null));
                continue;
            }
            boolean wasRenamed = !"BASELINE".equals(row[5]) && !MigrationFile.abbreviated(f.description).equals(row[0]);
            if (wasRenamed) renamed.add(new Renamed(f.script, f.version, (String) row[0], f.description));
            Integer sum = (Integer) row[2];
            State state = !(Boolean) row[4] ? State.FAILED
                    : !("BASELINE".equals(row[5]) || sum == null || sum == checksum) ? State.EDITED
                    : wasRenamed ? State.RENAMED : State.APPLIED;
            entries.add(new Entry(f.version, f.description, f.script, state, (Timestamp) row[3], checksum, sum));
        }
        for (Map.Entry<String, Object[]> e : applied.entrySet()) {
            Object[] row = e.getValue();
            State state = "BASELINE".equals(row[5]) ? State.APPLIED : !(Boolean) row[4] ? State.FAILED : State.MISSING;
            entries.add(new Entry(e.getKey(), (String) row[0], (String) row[1], state, (Timestamp) row[3], null, (Integer) row[2]));
        }
        entries.sort(Comparator.comparing(Entry::version, MigrationFile::compareVersions));
        return new MigrationHistory(HistoryTable.FLYWAY, false, entries, List.copyOf(files), exists, List.copyOf(renamed), scanned.onlyVersioned(),
                repeatables(folder, scanned.repeatables(), repeatableRows), unversioned, writable, queryMicros, null, scanned.problems(), serverProcess);
    }

    private static final java.util.regex.Pattern REPEATABLE = java.util.regex.Pattern.compile("R__(.+)\\.sql");

    /** The repeatable files found beside the rows of repeatable migrations: see {@link #repeatables}. */
    private static List<Entry> repeatables(Path folder, List<Path> files, Map<String, Object[]> rows) {
        List<Entry> out = new ArrayList<>();
        Map<String, Object[]> left = new LinkedHashMap<>(rows);
        for (Path p : files) {
            var m = REPEATABLE.matcher(p.getFileName().toString());
            m.matches();
            String description = m.group(1).replace('_', ' ');
            MigrationFile f = MigrationFile.resolvedByFlyway(folder, p, null, description);
            int checksum = f.flywayChecksum();
            Object[] row = left.remove(MigrationFile.abbreviated(description));
            State state = row == null ? State.PENDING : !(Boolean) row[4] ? State.FAILED : Integer.valueOf(checksum).equals(row[2]) ? State.APPLIED : State.PENDING;
            out.add(new Entry(null, description, f.script, state, row == null ? null : (Timestamp) row[3], checksum, row == null ? null : (Integer) row[2]));
        }
        for (Object[] row : left.values()) {
            out.add(new Entry(null, (String) row[0], (String) row[1], !(Boolean) row[4] ? State.FAILED : State.MISSING, (Timestamp) row[3], null, (Integer) row[2]));
        }
        return List.copyOf(out);
    }

    /** The file of a migration here, by its script (path inside migrations/); null when there is none. */
    MigrationFile file(String script) {
        for (MigrationFile f : files) if (f.script.equals(script)) return f;
        return null;
    }

    /** The renaming of the migration with this script, or null when it was not renamed. */
    Renamed renaming(String script) {
        for (Renamed r : renamed) if (r.script().equals(script)) return r;
        return null;
    }

    /** The version the schema is at: the last migration applied or recorded, leaving out one under way. */
    String currentVersion() {
        String current = null;
        for (Entry e : entries) if (e.state() != State.PENDING && !e.version().equals(underWay)) current = e.version();
        return current;
    }
}
