import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a seed file's rows stand in the database, read-only: present, missing, and changed (a
 * present row whose columns differ from the file; a hashed column differs when its stored hash
 * does not verify the file's password). One query per file and row shape, all sent in one flight, so a
 * remote database costs one round trip for all the files, not one per file or per row.
 */
record SeedCheck(SeedFile file, int present, int missing, int changed) {

    /** One query per file and row shape, all of them sent together: one round trip for every file. */
    private record Shape(int file, List<String> hashed) {}

    /** The checks once their flight has been sent. */
    interface Result {
        List<SeedCheck> checks();
    }

    /** Adds the files' queries to a flight that the caller sends, perhaps with queries of its own. */
    static Result add(Flight flight, List<Seeder.Checked> files, PasswordHasher hasher) {
        int[] present = new int[files.size()], missing = new int[files.size()], changed = new int[files.size()];
        for (int f = 0; f < files.size(); f++) {
            SeedFile file = files.get(f).file();
            SeedTable table = files.get(f).table();
            Map<List<String>, List<Integer>> byShape = new LinkedHashMap<>();
            for (int i = 0; i < file.rows().size(); i++) byShape.computeIfAbsent(file.rows().get(i).columns(), k -> new ArrayList<>()).add(i);
            for (List<Integer> indexes : byShape.values()) {
                Map<String, SeedValue> first = file.rows().get(indexes.get(0)).values();
                List<String> plain = new ArrayList<>(), hashed = new ArrayList<>();
                for (Map.Entry<String, SeedValue> e : first.entrySet()) {
                    if (e.getValue().argon2()) hashed.add(e.getKey());
                    else if (!file.key().contains(e.getKey())) plain.add(e.getKey());
                }
                List<String> sent = new ArrayList<>(file.key());
                sent.addAll(plain);
                StringBuilder sql = new StringBuilder("select x.rc_row, t.ctid is not null, ");
                sql.append(plain.isEmpty() ? "true" : "row(" + String.join(", ", plain.stream().map(p -> "t." + SqlScript.identifier(p)).toList())
                        + ") is not distinct from row(" + String.join(", ", plain.stream().map(p -> "x." + SqlScript.identifier(p)).toList()) + ")");
                for (String h : hashed) sql.append(", t.").append(SqlScript.identifier(h));
                sql.append(" from jsonb_to_recordset(cast(? as jsonb)) as x(rc_row int");
                for (String col : sent) sql.append(", ").append(SqlScript.identifier(col)).append(' ').append(table.columns().get(col).sqlType());
                sql.append(") left join ").append(table.qualified()).append(" t on ")
                        .append(String.join(" and ", file.key().stream().map(k -> "t." + SqlScript.identifier(k) + " = x." + SqlScript.identifier(k)).toList()));
                StringBuilder json = new StringBuilder("[");
                for (int n = 0; n < indexes.size(); n++) {
                    Map<String, SeedValue> row = file.rows().get(indexes.get(n)).values();
                    json.append(n == 0 ? "{" : ",{").append("\"rc_row\":").append(indexes.get(n));
                    for (String col : sent) {
                        json.append(',').append(TextNode.valueOf(col)).append(':').append(row.get(col).json() == null ? "null" : row.get(col).json().toString());
                    }
                    json.append('}');
                }
                Shape shape = new Shape(f, hashed);
                flight.add(sql.toString(), rs -> {
                    while (rs.next()) {
                        if (!rs.getBoolean(2)) {
                            missing[shape.file()]++;
                            continue;
                        }
                        present[shape.file()]++;
                        boolean same = rs.getBoolean(3);
                        Map<String, SeedValue> row = file.rows().get(rs.getInt(1)).values();
                        for (int h = 0; h < shape.hashed().size() && same; h++) {
                            same = hasher.verifies(rs.getString(4 + h), row.get(shape.hashed().get(h)).json().asText());
                        }
                        if (!same) changed[shape.file()]++;
                    }
                }, json.append(']').toString());
            }
        }
        return () -> {
            List<SeedCheck> checks = new ArrayList<>();
            for (int f = 0; f < files.size(); f++) checks.add(new SeedCheck(files.get(f).file(), present[f], missing[f], changed[f]));
            return checks;
        };
    }
}
