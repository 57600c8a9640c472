//SOURCES Seeder.java SeedCatalog.java SeedRows.java SeedFile.java SeedTable.java
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Small insert-missing files in one round trip: a savepoint, then per file and row shape
 * {@code insert ... select from json_to_recordset(?) on conflict do nothing}, sent as one string
 * that the driver sends in one flight.
 */
final class SeedFlight {

    /**
     * These files (in order: a later file may refer to an earlier one's rows) inserted together; their
     * outcomes, or null when one of them failed: then the run is back at the savepoint, and each file
     * goes its own way, so that the failure is reported against its own file.
     */
    static Map<SeedFile, Seeder.Outcome> insert(Connection connection, List<SeedCatalog.Checked> files) throws SQLException {
        List<Insert> inserts = new ArrayList<>();
        for (SeedCatalog.Checked checked : files) {
            SeedFile file = checked.file();
            SeedTable table = checked.table();
            for (SeedRows.Shape shape : SeedRows.shapes(file)) {
                String quoted = SeedRows.columnList("", shape.columns());
                inserts.add(new Insert(file, "insert into " + table.qualified() + " as t (" + quoted + ") select " + quoted
                        + " from json_to_recordset(cast(? as json)) as x(" + SeedRows.definition(table, shape.columns()) + ") on conflict (" + SeedRows.keyList(file) + ") do nothing",
                        SeedRows.recordset(file, shape.rows(), shape.columns())));
            }
        }
        Map<SeedFile, Integer> inserted = new IdentityHashMap<>();
        List<String> statements = new ArrayList<>(List.of("savepoint rc_dbkit_seed"));
        inserts.forEach(i -> statements.add(i.sql()));
        try (PreparedStatement ps = connection.prepareStatement(String.join(";\n", statements))) {
            for (int i = 0; i < inserts.size(); i++) ps.setString(i + 1, inserts.get(i).rows());
            ps.execute(); // the savepoint's result
            for (Insert i : inserts) {
                ps.getMoreResults();
                inserted.merge(i.file(), ps.getUpdateCount(), Integer::sum);
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
            return null;
        }
        Map<SeedFile, Seeder.Outcome> outcomes = new IdentityHashMap<>();
        for (SeedCatalog.Checked checked : files) {
            SeedFile file = checked.file();
            int n = inserted.getOrDefault(file, 0);
            outcomes.put(file, new Seeder.Outcome(file, n, 0, file.rows().size() - n));
        }
        return outcomes;
    }

    /** One statement of the flight: the file it writes, and its rows as the one parameter. */
    private record Insert(SeedFile file, String sql, String rows) {}

    private SeedFlight() {}
}
