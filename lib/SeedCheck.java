//SOURCES SeedCatalog.java SeedRows.java SeedFile.java SeedValue.java SeedTable.java SqlScript.java Flight.java PasswordHasher.java
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * How a seed file's rows stand in the database, read-only: present, missing, changed (a present
 * row whose plain columns differ from the file), and the present rows whose stored password hash
 * does not verify the file's password: production changed that password, and seed keeps it, so it
 * is not a change seed would make (see SeedUpsert). One query per row shape, added to a flight the
 * caller sends, so a remote database costs one round trip for all the files, not one per file or per row.
 */
record SeedCheck(SeedFile file, int present, int missing, int changed, java.util.Set<Integer> otherPasswords) {

    /** Adds the file's queries to a flight that the caller sends, perhaps with queries of its own; the check once it has been sent. */
    static Supplier<SeedCheck> ask(Flight flight, SeedCatalog.Checked checked, PasswordHasher hasher) {
        SeedFile file = checked.file();
        SeedTable table = checked.table();
        List<Supplier<SeedCheck>> shapes = new ArrayList<>();
        for (SeedRows.Shape shape : SeedRows.shapes(file)) {
            Map<String, SeedValue> first = file.rows().get(shape.rows().get(0)).values();
            List<String> plain = new ArrayList<>(), hashed = new ArrayList<>();
            for (String column : shape.columns()) {
                if (first.get(column).argon2()) hashed.add(column);
                else if (!file.key().contains(column)) plain.add(column);
            }
            List<String> sent = new ArrayList<>(file.key());
            sent.addAll(plain);
            StringBuilder sql = new StringBuilder("select x.rc_row, t.ctid is not null, ");
            sql.append(plain.isEmpty() ? "true" : "row(" + SeedRows.columnList("t.", plain) + ") is not distinct from row(" + SeedRows.columnList("x.", plain) + ")");
            for (String h : hashed) sql.append(", t.").append(SqlScript.identifier(h));
            sql.append(" from jsonb_to_recordset(cast(? as jsonb)) as x(").append(SeedRows.definition(table, sent)).append(") left join ")
                    .append(table.qualified()).append(" t on ")
                    .append(String.join(" and ", file.key().stream().map(k -> "t." + SqlScript.identifier(k) + " = x." + SqlScript.identifier(k)).toList()));
            shapes.add(flight.ask(sql.toString(), rs -> {
                int present = 0, missing = 0, changed = 0;
                java.util.Set<Integer> otherPasswords = new java.util.TreeSet<>();
                while (rs.next()) {
                    if (!rs.getBoolean(2)) {
                        missing++;
                        continue;
                    }
                    present++;
                    if (!rs.getBoolean(3)) changed++;
                    Map<String, SeedValue> row = file.rows().get(rs.getInt(1)).values();
                    boolean seeds = true;
                    for (int h = 0; h < hashed.size() && seeds; h++) seeds = hasher.verifies(rs.getString(4 + h), row.get(hashed.get(h)).json().asText());
                    if (!seeds) otherPasswords.add(rs.getInt(1));
                }
                return new SeedCheck(file, present, missing, changed, otherPasswords);
            }, SeedRows.recordset(file, shape.rows(), sent)));
        }
        return () -> {
            int present = 0, missing = 0, changed = 0;
            java.util.Set<Integer> otherPasswords = new java.util.TreeSet<>();
            for (Supplier<SeedCheck> shape : shapes) {
                present += shape.get().present();
                missing += shape.get().missing();
                changed += shape.get().changed();
                otherPasswords.addAll(shape.get().otherPasswords());
            }
            return new SeedCheck(file, present, missing, changed, java.util.Set.copyOf(otherPasswords));
        };
    }
}
