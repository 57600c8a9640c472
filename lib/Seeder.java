//SOURCES AdvisoryLocks.java
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Writes seed files into the database inside the caller's transaction: insert-missing leaves
 * existing rows alone, upsert brings them back to the file's values and counts only rows that
 * really changed. Identifiers come from the catalog and are quoted; values are bound.
 */
final class Seeder {
    /** Held for the caller's transaction, so two seeders (or a pooler) cannot interleave. */
    static final long ADVISORY_LOCK = 0x7263_6462_6b69_74L; // "rcdbkit"

    /** A file checked against the catalog; {@code run} is every file of the same check, in order. */
    record Checked(SeedFile file, SeedTable table, Run run) {
        Checked(SeedFile file, SeedTable table) {
            this(file, table, null);
        }
    }

    /**
     * The files checked together, in their order, and what a flight of small insert-missing files
     * already did: consecutive small insert-missing files without hashes are inserted in one round
     * trip, when the first of them is applied.
     */
    static final class Run {
        final List<Checked> files = new ArrayList<>();
        final Map<SeedFile, Outcome> done = new java.util.IdentityHashMap<>();
        boolean flightFailed;
    }

    record Outcome(SeedFile file, int inserted, int updated, int unchanged) {}

    private final Connection connection;
    private final PasswordHasher hasher;

    Seeder(Connection connection, PasswordHasher hasher) {
        this.connection = connection;
        this.hasher = hasher;
    }

    /**
     * Takes seed's lock for the caller's transaction. When another session holds it, says so at once
     * (and whose it is, as far as pg_stat_activity tells), then waits at most `wait`; a wait that
     * runs out is its own sentence, exit 4, with nothing written.
     */
    static void lock(Connection c, Duration wait, Consumer<String> say) throws SQLException {
        AdvisoryLocks.take(c, ADVISORY_LOCK, true, "seed's lock", wait, say,
                "nothing was written: run seed again once it has finished, or wait longer with --lock-wait 5m.");
    }

    /** Every file against the catalog (read once for all of them), before anything is written. */
    static List<Checked> check(Connection c, List<SeedFile> files) throws SQLException {
        SeedTable.Catalog catalog = SeedTable.read(c, files.stream().map(SeedFile::table).distinct().toList(), List.of());
        Run run = new Run();
        for (SeedFile file : files) {
            Checked one = check(file, catalog);
            run.files.add(new Checked(one.file(), one.table(), run));
        }
        return List.copyOf(run.files);
    }

    /** One file against a catalog already read; a missing table or a file that does not fit is a KitException. */
    static Checked check(SeedFile file, SeedTable.Catalog catalog) {
        SeedTable table = catalog.table(file.table());
        if (table == null) {
            throw KitException.drift(file.name() + " seeds table \"" + file.table() + "\", which does not exist in this database: run migrate first, or fix the table name.");
        }
        table.check(file);
        return new Checked(file, table);
    }

    Outcome apply(Checked checked) throws SQLException {
        SeedFile file = checked.file();
        SeedTable table = checked.table();
        boolean hashes = file.rows().stream().anyMatch(SeedFile.Row::hashes);
        if (checked.run() != null) {
            Outcome flown = checked.run().done.get(file);
            if (flown != null) return flown;
            if (small(checked) && !checked.run().flightFailed && insertFlight(checked)) return checked.run().done.get(file);
        }
        if (file.mode() == SeedFile.Mode.INSERT_MISSING && !hashes) return insertBatch(file, table);
        int inserted = 0, updated = 0, unchanged = 0;
        for (SeedFile.Row fileRow : file.rows()) {
            Map<String, SeedValue> row = fileRow.values();
            List<String> columns = new ArrayList<>(row.keySet());
            List<String> values = new ArrayList<>();
            Map<String, String> existing = hashes ? existingHashes(table, file, row) : null;
            if (existing != null && file.mode() == SeedFile.Mode.INSERT_MISSING) {
                unchanged++;
                continue;
            }
            for (String col : columns) {
                SeedValue v = row.get(col);
                if (v.argon2()) {
                    String stored = existing == null ? null : existing.get(col);
                    values.add(stored != null && hasher.verifies(stored, v.json().asText()) ? stored : hasher.hash(v.json().asText()));
                } else {
                    values.add(SeedTable.bindText(table.columns().get(col), v.json()));
                }
            }
            String sql = insertSql(table, file, columns) + upsertClause(table, file, columns);
            try (PreparedStatement ps = connection.prepareStatement(sql)) {
                bind(ps, values);
                if (file.mode() == SeedFile.Mode.UPSERT) {
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) unchanged++;
                        else if (rs.getBoolean(1)) inserted++;
                        else updated++;
                    }
                } else {
                    if (ps.executeUpdate() == 1) inserted++; else unchanged++;
                }
            }
        }
        return new Outcome(file, inserted, updated, unchanged);
    }

    /**
     * insert-missing without hashes, set-based: the rows are streamed with COPY into a temporary
     * table (dropped at commit) and inserted from there in one statement; its update count is the
     * number of rows that were missing. COPY works through PgBouncer too.
     */
    private Outcome insertBatch(SeedFile file, SeedTable table) throws SQLException {
        int inserted = 0;
        Map<List<String>, List<SeedFile.Row>> byShape = new java.util.LinkedHashMap<>();
        for (SeedFile.Row row : file.rows()) byShape.computeIfAbsent(row.columns(), k -> new ArrayList<>()).add(row);
        org.postgresql.copy.CopyManager copy = connection.unwrap(org.postgresql.PGConnection.class).getCopyAPI();
        for (Map.Entry<List<String>, List<SeedFile.Row>> group : byShape.entrySet()) {
            List<String> columns = group.getKey();
            List<SeedTable.Column> types = columns.stream().map(table.columns()::get).toList();
            String quoted = String.join(", ", columns.stream().map(SqlScript::identifier).toList());
            String temp = "rc_dbkit_seed_" + (++temporaryTables);
            try (var st = connection.createStatement()) {
                st.execute("create temporary table " + temp + " on commit drop as select " + quoted + " from " + table.qualified() + " with no data");
            }
            org.postgresql.copy.CopyIn in = copy.copyIn("copy " + temp + " (" + quoted + ") from stdin");
            try {
                StringBuilder data = new StringBuilder(COPY_CHUNK + 4096);
                for (SeedFile.Row row : group.getValue()) {
                    for (int i = 0; i < types.size(); i++) {
                        if (i > 0) data.append('\t');
                        appendCopyText(in, data, SeedTable.bindText(types.get(i), row.get(columns.get(i)).json()));
                    }
                    data.append('\n');
                }
                send(in, data);
                in.endCopy();
            } finally {
                if (in.isActive()) in.cancelCopy();
            }
            try (var st = connection.createStatement()) {
                // no drop: the temporary table goes at commit (on commit drop), and each group has its own name
                inserted += st.executeUpdate("insert into " + table.qualified() + " as t (" + quoted + ") select " + quoted + " from " + temp
                        + " on conflict (" + keyList(file) + ") do nothing");
            }
        }
        return new Outcome(file, inserted, 0, file.rows().size() - inserted);
    }

    /** Above this many rows a file takes the COPY path (one flight per file), below it the one flight for all such files. */
    static final int FLIGHT_ROWS = 1000;

    /** An insert-missing file without hashes and at most FLIGHT_ROWS rows. */
    private static boolean small(Checked checked) {
        SeedFile file = checked.file();
        return file.mode() == SeedFile.Mode.INSERT_MISSING && file.rows().size() <= FLIGHT_ROWS && file.rows().stream().noneMatch(SeedFile.Row::hashes);
    }

    /**
     * This small file and the small insert-missing files right after it (in order: a later file may
     * refer to an earlier one's rows), in one round trip: a savepoint, then per file and row shape
     * {@code insert ... select from json_to_recordset(?) on conflict do nothing}, sent as one string
     * that the driver sends in one flight. When any of them fails, back to the savepoint and false:
     * each file then goes its own way, so that the failure is reported against its own file.
     */
    private boolean insertFlight(Checked first) throws SQLException {
        Run run = first.run();
        List<Checked> flight = new ArrayList<>();
        for (int i = run.files.indexOf(first); i < run.files.size() && small(run.files.get(i)); i++) flight.add(run.files.get(i));
        List<String> statements = new ArrayList<>(List.of("savepoint rc_dbkit_seed"));
        List<String> params = new ArrayList<>();
        List<Integer> owner = new ArrayList<>(); // which file of the flight each insert belongs to
        for (int f = 0; f < flight.size(); f++) {
            SeedFile file = flight.get(f).file();
            SeedTable table = flight.get(f).table();
            Map<List<String>, List<SeedFile.Row>> byShape = new java.util.LinkedHashMap<>();
            for (SeedFile.Row row : file.rows()) byShape.computeIfAbsent(row.columns(), k -> new ArrayList<>()).add(row);
            for (Map.Entry<List<String>, List<SeedFile.Row>> group : byShape.entrySet()) {
                List<String> columns = group.getKey();
                String quoted = String.join(", ", columns.stream().map(SqlScript::identifier).toList());
                String typed = String.join(", ", columns.stream().map(col -> SqlScript.identifier(col) + " " + table.columns().get(col).sqlType()).toList());
                statements.add("insert into " + table.qualified() + " as t (" + quoted + ") select " + quoted
                        + " from json_to_recordset(cast(? as json)) as x(" + typed + ") on conflict (" + keyList(file) + ") do nothing");
                StringBuilder json = new StringBuilder("[");
                for (SeedFile.Row row : group.getValue()) {
                    json.append(json.length() == 1 ? "{" : ",{");
                    for (int i = 0; i < columns.size(); i++) {
                        var v = row.get(columns.get(i)).json();
                        json.append(i == 0 ? "" : ",").append(com.fasterxml.jackson.databind.node.TextNode.valueOf(columns.get(i))).append(':')
                                .append(v == null ? "null" : v.toString());
                    }
                    json.append('}');
                }
                params.add(json.append(']').toString());
                owner.add(f);
            }
        }
        int[] inserted = new int[flight.size()];
        try (PreparedStatement ps = connection.prepareStatement(String.join(";\n", statements))) {
            for (int i = 0; i < params.size(); i++) ps.setString(i + 1, params.get(i));
            ps.execute(); // the savepoint's result
            for (int f : owner) {
                ps.getMoreResults();
                inserted[f] += ps.getUpdateCount();
            }
        } catch (SQLException e) {
            // a value or constraint that one file breaks: back to the savepoint, and that file's own statement names it.
            // Anything else (a lost connection, a lock or statement timeout) is the run's failure as it is: not retried, not slower to fail
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            if (!(state.startsWith("22") || state.startsWith("23") || state.startsWith("42"))) throw e;
            try (var st = connection.createStatement()) {
                st.execute("rollback to savepoint rc_dbkit_seed");
            } catch (SQLException gone) {
                e.addSuppressed(gone);
                throw e;
            }
            run.flightFailed = true;
            return false;
        }
        for (int f = 0; f < flight.size(); f++) {
            SeedFile file = flight.get(f).file();
            run.done.put(file, new Outcome(file, inserted[f], 0, file.rows().size() - inserted[f]));
        }
        return true;
    }

    /** Rows go to the server in pieces of about this many characters, not as one large string. */
    private static final int COPY_CHUNK = 1 << 16;

    private static void send(org.postgresql.copy.CopyIn in, StringBuilder data) throws SQLException {
        byte[] bytes = data.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        in.writeToCopy(bytes, 0, bytes.length);
        data.setLength(0);
    }

    private int temporaryTables;

    /** COPY's text format: \N for null, backslash escapes for the characters it uses. */
    private static void appendCopyText(org.postgresql.copy.CopyIn in, StringBuilder out, String text) throws SQLException {
        if (text == null) {
            out.append("\\N");
            return;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(c);
            }
            if (out.length() >= COPY_CHUNK) send(in, out); // a long value goes in pieces too
        }
    }

    /** The stored values of the row's hashed columns, or null when the row does not exist yet. */
    private Map<String, String> existingHashes(SeedTable table, SeedFile file, Map<String, SeedValue> row) throws SQLException {
        List<String> hashed = row.entrySet().stream().filter(e -> e.getValue().argon2()).map(Map.Entry::getKey).toList();
        String select = hashed.isEmpty() ? "1" : String.join(", ", hashed.stream().map(SqlScript::identifier).toList());
        String sql = "select " + select + " from " + table.qualified() + " where " + keyMatch(table, file) + " for update";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            bindKey(ps, table, file, row, 1);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return null;
                Map<String, String> values = new java.util.HashMap<>();
                for (int i = 0; i < hashed.size(); i++) values.put(hashed.get(i), rs.getString(i + 1));
                return values;
            }
        }
    }

    private static String keyMatch(SeedTable table, SeedFile file) {
        List<String> parts = new ArrayList<>();
        for (String k : file.key()) parts.add(SqlScript.identifier(k) + " = " + SeedTable.castExpr(table.columns().get(k)));
        return String.join(" and ", parts);
    }

    private static void bindKey(PreparedStatement ps, SeedTable table, SeedFile file, Map<String, SeedValue> row, int from) throws SQLException {
        int i = from;
        for (String k : file.key()) ps.setString(i++, SeedTable.bindText(table.columns().get(k), row.get(k).json()));
    }

    private static String keyList(SeedFile file) {
        return String.join(", ", file.key().stream().map(SqlScript::identifier).toList());
    }

    private static String insertSql(SeedTable table, SeedFile file, List<String> columns) {
        List<String> casts = new ArrayList<>();
        for (String col : columns) casts.add(SeedTable.castExpr(table.columns().get(col)));
        return "insert into " + table.qualified() + " as t (" + String.join(", ", columns.stream().map(SqlScript::identifier).toList())
                + ") values (" + String.join(", ", casts) + ")";
    }

    private static String upsertClause(SeedTable table, SeedFile file, List<String> columns) {
        if (file.mode() == SeedFile.Mode.INSERT_MISSING) return " on conflict (" + keyList(file) + ") do nothing";
        List<String> changing = columns.stream().filter(c -> !file.key().contains(c)).toList();
        if (changing.isEmpty()) return " on conflict (" + keyList(file) + ") do nothing returning (xmax = 0)";
        List<String> sets = new ArrayList<>();
        for (String c : changing) sets.add(SqlScript.identifier(c) + " = excluded." + SqlScript.identifier(c));
        if (table.columns().containsKey("updatedAt") && !columns.contains("updatedAt")) sets.add("\"updatedAt\" = current_timestamp");
        String mine = String.join(", ", changing.stream().map(c -> "t." + SqlScript.identifier(c)).toList());
        String theirs = String.join(", ", changing.stream().map(c -> "excluded." + SqlScript.identifier(c)).toList());
        return " on conflict (" + keyList(file) + ") do update set " + String.join(", ", sets)
                + " where row(" + mine + ") is distinct from row(" + theirs + ") returning (xmax = 0)";
    }

    private static void bind(PreparedStatement ps, List<String> values) throws SQLException {
        for (int i = 0; i < values.size(); i++) ps.setString(i + 1, values.get(i));
    }
}
