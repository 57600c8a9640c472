import com.fasterxml.jackson.databind.node.TextNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a seed file's rows stand in the database, read-only: present, missing, and changed (a
 * present row whose columns differ from the file; a hashed column differs when its stored hash
 * does not verify the file's password). One query per file and row shape, so a remote database
 * costs a round trip per file, not per row.
 */
record SeedCheck(SeedFile file, int present, int missing, int changed) {

    static SeedCheck of(Connection c, Seeder.Checked checked, PasswordHasher hasher) throws SQLException {
        SeedFile file = checked.file();
        SeedTable table = checked.table();
        int present = 0, missing = 0, changed = 0;
        Map<List<String>, List<Integer>> byShape = new LinkedHashMap<>();
        for (int i = 0; i < file.rows().size(); i++) byShape.computeIfAbsent(file.rows().get(i).columns(), k -> new ArrayList<>()).add(i);
        for (List<Integer> indexes : byShape.values()) {
            Map<String, SeedValue> shape = file.rows().get(indexes.get(0)).values();
            List<String> plain = new ArrayList<>(), hashed = new ArrayList<>();
            for (Map.Entry<String, SeedValue> e : shape.entrySet()) {
                if (e.getValue().argon2()) hashed.add(e.getKey());
                else if (!file.key().contains(e.getKey())) plain.add(e.getKey());
            }
            List<String> sent = new ArrayList<>(file.key());
            sent.addAll(plain);
            StringBuilder sql = new StringBuilder("select x.rc_row, t.ctid is not null, ");
            sql.append(plain.isEmpty() ? "true" : "row(" + String.join(", ", plain.stream().map(p -> "t." + SeedTable.quote(p)).toList())
                    + ") is not distinct from row(" + String.join(", ", plain.stream().map(p -> "x." + SeedTable.quote(p)).toList()) + ")");
            for (String h : hashed) sql.append(", t.").append(SeedTable.quote(h));
            sql.append(" from jsonb_to_recordset(cast(? as jsonb)) as x(rc_row int");
            for (String col : sent) sql.append(", ").append(SeedTable.quote(col)).append(' ').append(table.columns().get(col).sqlType());
            sql.append(") left join ").append(table.qualified()).append(" t on ")
                    .append(String.join(" and ", file.key().stream().map(k -> "t." + SeedTable.quote(k) + " = x." + SeedTable.quote(k)).toList()));
            StringBuilder json = new StringBuilder("[");
            for (int n = 0; n < indexes.size(); n++) {
                Map<String, SeedValue> row = file.rows().get(indexes.get(n)).values();
                json.append(n == 0 ? "{" : ",{").append("\"rc_row\":").append(indexes.get(n));
                for (String col : sent) {
                    json.append(',').append(TextNode.valueOf(col)).append(':').append(row.get(col).json() == null ? "null" : row.get(col).json().toString());
                }
                json.append('}');
            }
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                ps.setString(1, json.append(']').toString());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (!rs.getBoolean(2)) {
                            missing++;
                            continue;
                        }
                        present++;
                        boolean same = rs.getBoolean(3);
                        Map<String, SeedValue> row = file.rows().get(rs.getInt(1)).values();
                        for (int h = 0; h < hashed.size() && same; h++) {
                            same = hasher.verifies(rs.getString(4 + h), row.get(hashed.get(h)).json().asText());
                        }
                        if (!same) changed++;
                    }
                }
            }
        }
        return new SeedCheck(file, present, missing, changed);
    }
}
