import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How a seed file's rows stand in the database, read-only: present, missing, and changed (a
 * present row whose columns differ from the file; a hashed column differs when its stored hash
 * does not verify the file's password).
 */
record SeedCheck(SeedFile file, int present, int missing, int changed) {

    static SeedCheck of(Connection c, Seeder.Checked checked, PasswordHasher hasher) throws SQLException {
        SeedFile file = checked.file();
        SeedTable table = checked.table();
        int present = 0, missing = 0, changed = 0;
        for (Map<String, SeedFile.Value> row : file.rows()) {
            List<String> plain = new ArrayList<>();
            List<String> hashed = new ArrayList<>();
            for (Map.Entry<String, SeedFile.Value> e : row.entrySet()) {
                if (file.key().contains(e.getKey())) continue;
                (e.getValue().argon2() ? hashed : plain).add(e.getKey());
            }
            StringBuilder sql = new StringBuilder("select ");
            if (plain.isEmpty()) sql.append("true");
            else {
                sql.append("row(").append(String.join(", ", plain.stream().map(SeedTable::quote).toList())).append(") is not distinct from row(");
                sql.append(String.join(", ", plain.stream().map(col -> SeedTable.castExpr(table.columns().get(col))).toList())).append(")");
            }
            for (String h : hashed) sql.append(", ").append(SeedTable.quote(h));
            sql.append(" from ").append(table.qualified()).append(" where ").append(Seeder.keyMatch(table, file));
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                int i = 1;
                for (String col : plain) ps.setString(i++, SeedTable.bindText(table.columns().get(col), row.get(col).json()));
                Seeder.bindKey(ps, table, file, row, i);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        missing++;
                        continue;
                    }
                    present++;
                    boolean same = rs.getBoolean(1);
                    for (int h = 0; h < hashed.size() && same; h++) {
                        same = hasher.verifies(rs.getString(2 + h), row.get(hashed.get(h)).json().asText());
                    }
                    if (!same) changed++;
                }
            }
        }
        return new SeedCheck(file, present, missing, changed);
    }
}
