//SOURCES Seeder.java SeedCatalog.java SeedRows.java SeedFile.java SeedValue.java SeedTable.java SqlScript.java PasswordHasher.java
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One statement per row, for upsert files and files with $argon2id values: upsert brings an
 * existing row back to the file's values and counts it updated only when a value really changed.
 * A password ($argon2id value) is set when its row is inserted and kept after that, in either mode:
 * a stored hash that does not verify the file's password means production changed it (the admin
 * changed theirs in the app), and a re-run must not put it back. Only --reset-admin-password sets
 * the admin's again (a file for "Admin"), with a new hash where the stored one does not verify.
 */
final class SeedUpsert {
    /** The table whose $argon2id values --reset-admin-password sets again. */
    static final String ADMIN_TABLE = "Admin";

    private final Connection connection;
    private final PasswordHasher hasher;
    private final boolean resetAdminPassword;

    SeedUpsert(Connection connection, PasswordHasher hasher, boolean resetAdminPassword) {
        this.connection = connection;
        this.hasher = hasher;
        this.resetAdminPassword = resetAdminPassword;
    }

    /** Whether --reset-admin-password sets this file's passwords: a file for "Admin" with $argon2id values. */
    static boolean setsAdminPasswords(SeedFile file) {
        return file.table().equals(ADMIN_TABLE) && file.rows().stream().anyMatch(SeedFile.Row::hashes);
    }

    Seeder.Outcome apply(SeedCatalog.Checked checked) throws SQLException {
        SeedFile file = checked.file();
        SeedTable table = checked.table();
        boolean hashes = file.rows().stream().anyMatch(SeedFile.Row::hashes);
        boolean reset = resetAdminPassword && setsAdminPasswords(file);
        int inserted = 0, updated = 0, unchanged = 0, otherPasswords = 0;
        for (SeedFile.Row fileRow : file.rows()) {
            Map<String, SeedValue> row = fileRow.values();
            List<String> columns = new ArrayList<>(row.keySet());
            List<String> values = new ArrayList<>();
            Map<String, String> existing = hashes ? existingHashes(table, file, row) : null;
            Map<String, String> resetTo = new LinkedHashMap<>();
            boolean other = false;
            for (String col : columns) {
                SeedValue v = row.get(col);
                if (!v.argon2()) {
                    values.add(SeedTable.bindText(table.columns().get(col), v.json()));
                } else if (existing == null) {
                    values.add(hasher.hash(v.json().asText()));
                } else {
                    String stored = existing.get(col);
                    boolean seeds = hasher.verifies(stored, v.json().asText());
                    other |= !seeds;
                    if (!seeds && reset) resetTo.put(col, hasher.hash(v.json().asText()));
                    values.add(resetTo.getOrDefault(col, stored)); // kept, the value it has is the value it gets: no update
                }
            }
            if (other) otherPasswords++;
            if (existing != null && file.mode() == SeedFile.Mode.INSERT_MISSING) {
                if (resetTo.isEmpty()) unchanged++;
                else {
                    resetPasswords(table, file, row, resetTo);
                    updated++;
                }
                continue;
            }
            try (PreparedStatement ps = connection.prepareStatement(insertSql(table, columns) + upsertClause(table, file, columns))) {
                for (int i = 0; i < values.size(); i++) ps.setString(i + 1, values.get(i));
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
        return new Seeder.Outcome(file, inserted, updated, unchanged, otherPasswords);
    }

    /** The stored values of the row's hashed columns, or null when the row does not exist yet. */
    private Map<String, String> existingHashes(SeedTable table, SeedFile file, Map<String, SeedValue> row) throws SQLException {
        List<String> hashed = row.entrySet().stream().filter(e -> e.getValue().argon2()).map(Map.Entry::getKey).toList();
        List<String> match = new ArrayList<>();
        for (String k : file.key()) match.add(SqlScript.identifier(k) + " = " + SeedTable.castExpr(table.columns().get(k)));
        String sql = "select " + (hashed.isEmpty() ? "1" : SeedRows.columnList("", hashed)) + " from " + table.qualified()
                + " where " + String.join(" and ", match) + " for update";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            int i = 1;
            for (String k : file.key()) ps.setString(i++, SeedTable.bindText(table.columns().get(k), row.get(k).json()));
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return null;
                Map<String, String> values = new HashMap<>();
                for (int h = 0; h < hashed.size(); h++) values.put(hashed.get(h), rs.getString(h + 1));
                return values;
            }
        }
    }

    /** An insert-missing row that exists, under --reset-admin-password: only its passwords are set again (and its updatedAt moves). */
    private void resetPasswords(SeedTable table, SeedFile file, Map<String, SeedValue> row, Map<String, String> hashes) throws SQLException {
        List<String> sets = new ArrayList<>();
        for (String col : hashes.keySet()) sets.add(SqlScript.identifier(col) + " = " + SeedTable.castExpr(table.columns().get(col)));
        if (table.columns().containsKey("updatedAt") && !row.containsKey("updatedAt")) sets.add("\"updatedAt\" = current_timestamp");
        List<String> match = new ArrayList<>();
        for (String k : file.key()) match.add(SqlScript.identifier(k) + " = " + SeedTable.castExpr(table.columns().get(k)));
        try (PreparedStatement ps = connection.prepareStatement("update " + table.qualified() + " set " + String.join(", ", sets) + " where " + String.join(" and ", match))) {
            int i = 1;
            for (String hash : hashes.values()) ps.setString(i++, hash);
            for (String k : file.key()) ps.setString(i++, SeedTable.bindText(table.columns().get(k), row.get(k).json()));
            ps.executeUpdate();
        }
    }

    private static String insertSql(SeedTable table, List<String> columns) {
        List<String> casts = new ArrayList<>();
        for (String col : columns) casts.add(SeedTable.castExpr(table.columns().get(col)));
        return "insert into " + table.qualified() + " as t (" + SeedRows.columnList("", columns) + ") values (" + String.join(", ", casts) + ")";
    }

    private static String upsertClause(SeedTable table, SeedFile file, List<String> columns) {
        String conflict = " on conflict (" + SeedRows.keyList(file) + ")";
        if (file.mode() == SeedFile.Mode.INSERT_MISSING) return conflict + " do nothing";
        List<String> changing = columns.stream().filter(c -> !file.key().contains(c)).toList();
        if (changing.isEmpty()) return conflict + " do nothing returning (xmax = 0)";
        List<String> sets = new ArrayList<>();
        for (String c : changing) sets.add(SqlScript.identifier(c) + " = excluded." + SqlScript.identifier(c));
        if (table.columns().containsKey("updatedAt") && !columns.contains("updatedAt")) sets.add("\"updatedAt\" = current_timestamp");
        return conflict + " do update set " + String.join(", ", sets)
                + " where row(" + SeedRows.columnList("t.", changing) + ") is distinct from row(" + SeedRows.columnList("excluded.", changing) + ") returning (xmax = 0)";
    }
}
