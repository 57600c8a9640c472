//SOURCES Seeder.java SeedCatalog.java SeedRows.java SeedFile.java SeedTable.java PostgresDriver.java
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * insert-missing without hashes, set-based, for a file too large for one flight: the rows are
 * streamed with COPY into a temporary table (dropped at commit) and inserted from there in one
 * statement; its update count is the number of rows that were missing. COPY works through
 * PgBouncer too.
 */
final class SeedCopy {
    /** Rows go to the server in pieces of about this many characters, not as one large string. */
    private static final int CHUNK = 1 << 16;

    private final Connection connection;
    private int temporaryTables;

    SeedCopy(Connection connection) {
        this.connection = connection;
    }

    Seeder.Outcome insert(SeedCatalog.Checked checked) throws SQLException {
        SeedFile file = checked.file();
        SeedTable table = checked.table();
        int inserted = 0;
        var copy = connection.unwrap(PGConnection.class).getCopyAPI();
        for (SeedRows.Shape shape : SeedRows.shapes(file)) {
            List<String> columns = shape.columns();
            List<SeedTable.Column> types = columns.stream().map(table.columns()::get).toList();
            String quoted = SeedRows.columnList("", columns);
            String temp = "rc_dbkit_seed_" + (++temporaryTables);
            try (var st = connection.createStatement()) {
                st.execute("create temporary table " + temp + " on commit drop as select " + quoted + " from " + table.qualified() + " with no data");
            }
            CopyIn in = copy.copyIn("copy " + temp + " (" + quoted + ") from stdin");
            try {
                StringBuilder data = new StringBuilder(CHUNK + 4096);
                for (int r : shape.rows()) {
                    SeedFile.Row row = file.rows().get(r);
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
                        + " on conflict (" + SeedRows.keyList(file) + ") do nothing");
            }
        }
        return new Seeder.Outcome(file, inserted, 0, file.rows().size() - inserted);
    }

    private static void send(CopyIn in, StringBuilder data) throws SQLException {
        byte[] bytes = data.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        in.writeToCopy(bytes, 0, bytes.length);
        data.setLength(0);
    }

    /** COPY's text format: \N for null, backslash escapes for the characters it uses. */
    private static void appendCopyText(CopyIn in, StringBuilder out, String text) throws SQLException {
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
            if (out.length() >= CHUNK) send(in, out); // a long value goes in pieces too
        }
    }
}
