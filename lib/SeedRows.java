//SOURCES SeedFile.java SeedValue.java SeedTable.java SqlScript.java
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A seed file's rows as one statement takes many of them, for seed's writes and status's
 * comparison alike: grouped by shape (the same columns in the same order), and each group sent as
 * one JSON parameter that json(b)_to_recordset turns back into rows of the columns' own types.
 */
final class SeedRows {

    /** The rows of a file that name the same columns, in the same order: their numbers (indexes in the file). */
    record Shape(List<String> columns, List<Integer> rows) {}

    /** The file's rows by shape, each shape where its first row stands. */
    static List<Shape> shapes(SeedFile file) {
        Map<List<String>, List<Integer>> byColumns = new LinkedHashMap<>();
        for (int i = 0; i < file.rows().size(); i++) byColumns.computeIfAbsent(file.rows().get(i).columns(), k -> new ArrayList<>()).add(i);
        return byColumns.entrySet().stream().map(e -> new Shape(e.getKey(), e.getValue())).toList();
    }

    /** These rows of the file as a JSON array: each row's number as "rc_row", then its values of these columns. */
    static String recordset(SeedFile file, List<Integer> rows, List<String> columns) {
        StringBuilder json = new StringBuilder("[");
        for (int n = 0; n < rows.size(); n++) {
            SeedFile.Row row = file.rows().get(rows.get(n));
            json.append(n == 0 ? "{" : ",{").append("\"rc_row\":").append(rows.get(n));
            for (String col : columns) {
                var v = row.get(col).json();
                json.append(',').append(TextNode.valueOf(col)).append(':').append(v == null ? "null" : v.toString());
            }
            json.append('}');
        }
        return json.append(']').toString();
    }

    /** The recordset's definition for {@code as x(...)}: rc_row, then each column with its type in the table. */
    static String definition(SeedTable table, List<String> columns) {
        StringBuilder sql = new StringBuilder("rc_row int");
        for (String col : columns) sql.append(", ").append(SqlScript.identifier(col)).append(' ').append(table.columns().get(col).sqlType());
        return sql.toString();
    }

    /** The file's key columns, quoted, as an ON CONFLICT target names them. */
    static String keyList(SeedFile file) {
        return String.join(", ", file.key().stream().map(SqlScript::identifier).toList());
    }

    /** These columns, quoted, with an optional prefix ("t." or "x."). */
    static String columnList(String prefix, List<String> columns) {
        return String.join(", ", columns.stream().map(c -> prefix + SqlScript.identifier(c)).toList());
    }

    private SeedRows() {}
}
