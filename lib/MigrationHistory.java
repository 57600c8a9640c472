import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * Where a database stands against migrations/, read without Flyway and without writing: the
 * files here (with Flyway's own checksum) beside the rows of flyway_schema_history. Used by
 * status.java, which must stay read-only and quick; tests check the checksums against Flyway's.
 */
final class MigrationHistory {
    private static final Pattern VERSIONED = Pattern.compile("V([0-9]+(?:[._][0-9]+)*)__(.+)\\.sql");

    enum State { APPLIED, PENDING, EDITED, FAILED, MISSING }

    record Entry(String version, String description, String script, State state, Timestamp installedOn, Integer fileChecksum, Integer appliedChecksum) {}

    final List<Entry> entries;
    /** The migration files the entries were made from, in version order. */
    final List<File> files;
    final boolean historyExists;
    /** A migration applied under another description than its file's now: Flyway's validation refuses it. */
    record Renamed(String script, String version, String applied, String now) {
        String sentence() {
            return script + " was applied as migration " + version + " \"" + applied + "\", and its file now says \"" + now
                    + "\": rename the file back (Flyway checks descriptions as well as checksums).";
        }
    }

    final List<Renamed> renamed;

    MigrationHistory(List<Entry> entries, boolean historyExists) {
        this(entries, List.of(), historyExists, List.of());
    }

    MigrationHistory(List<Entry> entries, List<File> files, boolean historyExists, List<Renamed> renamed) {
        this.entries = entries;
        this.files = files;
        this.historyExists = historyExists;
        this.renamed = renamed;
    }

    record File(String version, String description, String script, int checksum) {}

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

    /** Whether every .sql file here is a versioned migration (no repeatable or misnamed ones). */
    static boolean onlyVersionedFiles(Path folder) {
        try (var stream = Files.walk(folder, java.nio.file.FileVisitOption.FOLLOW_LINKS)) {
            return stream.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sql")).allMatch(n -> VERSIONED.matcher(n).matches());
        } catch (IOException e) {
            return false;
        }
    }

    static List<File> files(Path folder) {
        List<File> files = new ArrayList<>();
        // Flyway looks in subfolders too; a file there is named by its path inside migrations/
        try (var stream = Files.walk(folder, java.nio.file.FileVisitOption.FOLLOW_LINKS)) {
            for (Path p : stream.filter(Files::isRegularFile).sorted().toList()) {
                Matcher m = VERSIONED.matcher(p.getFileName().toString());
                if (!m.matches()) continue;
                String version = normalize(m.group(1));
                String script = folder.relativize(p).toString().replace(java.io.File.separatorChar, '/');
                files.add(new File(version, m.group(2).replace('_', ' '), script, checksum(Files.readAllBytes(p))));
            }
        } catch (IOException e) {
            throw KitException.usage("the folder " + folder + " cannot be read (" + e.getClass().getSimpleName() + "); check its permissions.");
        }
        files.sort(Comparator.comparing(File::version, MigrationHistory::compareVersions));
        return files;
    }

    /** Flyway's checksum: CRC32 over the UTF-8 bytes of each line without its line break, BOM dropped. */
    static int checksum(byte[] content) {
        CRC32 crc = new CRC32();
        String text = new String(content, StandardCharsets.UTF_8);
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        try (BufferedReader reader = new BufferedReader(new StringReader(text))) {
            String line;
            while ((line = reader.readLine()) != null) crc.update(line.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return (int) crc.getValue();
    }

    static String normalize(String version) {
        String v = version.replace('_', '.');
        // Flyway drops trailing zero parts: 1.0 is 1
        while (v.endsWith(".0")) v = v.substring(0, v.length() - 2);
        return v;
    }

    static int compareVersions(String a, String b) {
        String[] pa = a.split("\\."), pb = b.split("\\.");
        for (int i = 0; i < Math.max(pa.length, pb.length); i++) {
            java.math.BigInteger x = i < pa.length ? new java.math.BigInteger(pa[i]) : java.math.BigInteger.ZERO;
            java.math.BigInteger y = i < pb.length ? new java.math.BigInteger(pb[i]) : java.math.BigInteger.ZERO;
            int c = x.compareTo(y);
            if (c != 0) return c;
        }
        return 0;
    }

    /** Reads the history table of the connection's current schema, if it has one; writes nothing. */
    static MigrationHistory read(Connection c, Path folder) throws SQLException {
        List<File> files = files(folder);
        Map<String, Object[]> applied = new LinkedHashMap<>();
        boolean exists;
        try (var st = c.createStatement(); ResultSet rs = st.executeQuery("select to_regclass(quote_ident(current_schema()) || '.flyway_schema_history') is not null")) {
            rs.next();
            exists = rs.getBoolean(1);
        }
        if (exists) {
            String sql = "select version, description, script, checksum, installed_on, success, type from flyway_schema_history where version is not null order by installed_rank";
            try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if ("SCHEMA".equals(rs.getString(7))) continue;
                    Integer sum = rs.getObject(4) == null ? null : rs.getInt(4);
                    applied.put(normalize(rs.getString(1)), new Object[] {rs.getString(2), rs.getString(3), sum, rs.getTimestamp(5), rs.getBoolean(6), rs.getString(7)});
                }
            }
        }
        List<Entry> entries = new ArrayList<>();
        List<Renamed> renamed = new ArrayList<>();
        for (File f : files) {
            Object[] row = applied.remove(f.version());
            if (row == null) {
                entries.add(new Entry(f.version(), f.description(), f.script(), State.PENDING, null, f.checksum(), null));
                continue;
            }
            if (!"BASELINE".equals(row[5]) && !f.description().equals(row[0])) renamed.add(new Renamed(f.script(), f.version(), (String) row[0], f.description()));
            Integer sum = (Integer) row[2];
            State state = !(Boolean) row[4] ? State.FAILED
                    : "BASELINE".equals(row[5]) || sum == null || sum == f.checksum() ? State.APPLIED : State.EDITED;
            entries.add(new Entry(f.version(), f.description(), f.script(), state, (Timestamp) row[3], f.checksum(), sum));
        }
        for (Map.Entry<String, Object[]> e : applied.entrySet()) {
            Object[] row = e.getValue();
            State state = "BASELINE".equals(row[5]) ? State.APPLIED : !(Boolean) row[4] ? State.FAILED : State.MISSING;
            entries.add(new Entry(e.getKey(), (String) row[0], (String) row[1], state, (Timestamp) row[3], null, (Integer) row[2]));
        }
        entries.sort(Comparator.comparing(Entry::version, MigrationHistory::compareVersions));
        return new MigrationHistory(entries, List.copyOf(files), exists, List.copyOf(renamed));
    }

    long count(State state) {
        return entries.stream().filter(e -> e.state() == state).count();
    }

    String currentVersion() {
        String current = null;
        for (Entry e : entries) if (e.state() != State.PENDING) current = e.version();
        return current;
    }
}
