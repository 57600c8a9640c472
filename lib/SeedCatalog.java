//SOURCES SeedTable.java SeedFile.java Flight.java KitException.java
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What the catalog says about the tables the seed files name, in the search path's first schema:
 * each table's columns (with their enum labels) and its unique indexes. Two queries that ride in a
 * flight, so any number of files costs one round trip, shared with whatever else the caller asks.
 */
record SeedCatalog(Map<String, SeedTable> tables) {

    /** A seed file and the table it fits: checked against the catalog, ready to be compared or written. */
    record Checked(SeedFile file, SeedTable table) {}

    private static final String COLUMNS = """
            select c.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod), t.typcategory::text, a.attnotnull,
                   (a.atthasdef or a.attidentity <> '' or a.attgenerated <> ''), coalesce(et.typtype, t.typtype) = 'e', t.typcategory = 'A',
                   case when coalesce(et.typtype, t.typtype) = 'e'
                        then array(select e.enumlabel::text from pg_enum e where e.enumtypid = coalesce(et.oid, t.oid) order by e.enumsortorder) end,
                   current_schema()::text
            from pg_attribute a
            join pg_class c on c.oid = a.attrelid
            join pg_namespace n on n.oid = c.relnamespace
            join pg_type t on t.oid = a.atttypid
            left join pg_type et on et.oid = t.typelem and t.typcategory = 'A'
            where n.nspname = current_schema() and c.relname = any(?) and c.relkind in ('r', 'p')
              and a.attnum > 0 and not a.attisdropped
            order by 1, a.attnum""";

    private static final String UNIQUE_KEYS = """
            select c.relname::text, array_agg(a.attname::text)
            from pg_index i
            join pg_class c on c.oid = i.indrelid
            join pg_namespace n on n.oid = c.relnamespace
            join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
            where n.nspname = current_schema() and c.relname = any(?) and i.indisunique and i.indpred is null and i.indexprs is null
            group by c.relname, i.indexrelid
            order by 1""";

    /** The catalog of these tables, asked in a flight the caller sends; there once it has been sent. */
    static Supplier<SeedCatalog> ask(Flight flight, Connection c, Collection<String> tables) throws SQLException {
        var names = c.createArrayOf("text", tables.toArray());
        Supplier<Map<String, SeedTable>> columns = flight.ask(COLUMNS, rs -> {
            Map<String, SeedTable> found = new LinkedHashMap<>();
            while (rs.next()) {
                String table = rs.getString(1), name = rs.getString(2), schema = rs.getString(10);
                boolean isEnum = rs.getBoolean(7), isArray = rs.getBoolean(8);
                List<String> labels = isEnum ? List.of((String[]) rs.getArray(9).getArray()) : List.of();
                char category = isEnum && !isArray ? 'E' : rs.getString(4).charAt(0);
                found.computeIfAbsent(table, k -> new SeedTable(schema, k, new LinkedHashMap<>(), new ArrayList<>()))
                        .columns().put(name, new SeedTable.Column(name, rs.getString(3), category, rs.getBoolean(5), rs.getBoolean(6), isArray, labels));
            }
            return found;
        }, names);
        Supplier<Map<String, List<Set<String>>>> unique = flight.ask(UNIQUE_KEYS, rs -> {
            Map<String, List<Set<String>>> found = new LinkedHashMap<>();
            while (rs.next()) found.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new HashSet<>(List.of((String[]) rs.getArray(2).getArray())));
            return found;
        }, names);
        return () -> {
            Map<String, SeedTable> result = new LinkedHashMap<>();
            for (SeedTable t : columns.get().values()) {
                result.put(t.name(), new SeedTable(t.schema(), t.name(), t.columns(), unique.get().getOrDefault(t.name(), List.of())));
            }
            return new SeedCatalog(result);
        };
    }

    /** The catalog of these tables, in a round trip of its own. */
    static SeedCatalog read(Connection c, Collection<String> tables) throws SQLException {
        Flight flight = new Flight();
        Supplier<SeedCatalog> catalog = ask(flight, c, tables);
        flight.send(c);
        return catalog.get();
    }

    /** One file against this catalog; a missing table or a file that does not fit is a KitException (see SeedTable.check). */
    Checked check(SeedFile file) {
        SeedTable table = tables.get(file.table());
        if (table == null) {
            throw KitException.drift(file.name() + " seeds table \"" + file.table() + "\", which does not exist in this database: run migrate first, or fix the table name.");
        }
        table.check(file);
        return new Checked(file, table);
    }
}
