//SOURCES Console.java SqlScript.java Amounts.java
import com.fasterxml.jackson.databind.JsonNode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * What a statement destroys on the rehearsal's copy, exactly: an event trigger on sql_drop there
 * reports every object a statement drops, with what went with it through CASCADE
 * (pg_event_trigger_dropped_objects(), said to the session as an INFO message, which PostgreSQL
 * always sends, whatever client_min_messages is), and the rows and non-null values of each dropped
 * table and column are counted as they were just before the statement (its savepoint rolled back,
 * counted, the statement run again). Counts only, never a value.
 */
final class Destroyed {
    private static final String SAID = "rc-dbkit dropped ";

    /** Made once on the copy (in a schema of the kit's own there), before the pending migrations run. */
    static final String INSTALL = """
            create schema rc_dbkit;
            create function rc_dbkit.dropped() returns event_trigger language plpgsql as $$
            begin
              raise info '%', '@said@' || coalesce((select json_agg(json_build_object('type', object_type, 'schema', schema_name, 'name', object_name,
                  'identity', object_identity, 'names', address_names, 'oid', objid, 'original', original, 'normal', normal)) from pg_event_trigger_dropped_objects())::text, '[]');
            end $$;
            create event trigger rc_dbkit_dropped on sql_drop execute function rc_dbkit.dropped()""".replace("@said@", SAID);

    /** A table a TRUNCATE empties: as the report names it, as SQL, its oid on the copy. */
    record Emptied(String shown, String sql, long oid) {}

    /** A dropped object the operator cares about: a table, a column, a type, a view, ...; `table` is the oid of the table whose rows it held. */
    record Dropped(String kind, String shown, long table, boolean original, String countSql) {}

    private static final List<String> KINDS = List.of("table", "table column", "view", "materialized view", "type", "domain", "function", "procedure",
            "schema", "sequence", "foreign table");

    private final String currentSchema;

    Destroyed(String currentSchema) {
        this.currentSchema = currentSchema;
    }

    /** What the statement's INFO messages say it dropped: the objects named and those CASCADE took (not the parts that go with any table). */
    List<Dropped> read(SQLWarning warnings) {
        List<Dropped> out = new ArrayList<>();
        for (SQLWarning w = warnings; w != null; w = w.getNextWarning()) {
            String m = String.valueOf(w.getMessage());
            if (!m.startsWith(SAID)) continue;
            try {
                for (JsonNode o : Console.JSON.readTree(m.substring(SAID.length()))) {
                    String kind = o.path("type").asText();
                    boolean original = o.path("original").asBoolean(), normal = o.path("normal").asBoolean();
                    if (!KINDS.contains(kind) || !original && !normal) continue;
                    out.add(dropped(kind, o, original));
                }
            } catch (java.io.IOException unreadable) {
                // the trigger writes this JSON itself
                throw new IllegalStateException("the rehearsal's drop trigger said something unreadable", unreadable);
            }
        }
        return out;
    }

    private Dropped dropped(String kind, JsonNode o, boolean original) {
        JsonNode names = o.path("names");
        long oid = o.path("oid").asLong();
        if (kind.equals("table column")) {
            String table = shown(names.get(0).asText(), names.get(1).asText());
            String column = SqlScript.identifier(names.get(2).asText());
            String sql = SqlScript.identifier(names.get(0).asText()) + "." + SqlScript.identifier(names.get(1).asText());
            return new Dropped("column", table + "." + column, oid, original, "select count(" + column + ") from " + sql);
        }
        String name = o.path("name").isNull() ? o.path("identity").asText() : shown(o.path("schema").asText(null), o.path("name").asText());
        boolean rows = kind.equals("table") || kind.equals("materialized view");
        String sql = rows ? "select count(*) from " + SqlScript.identifier(o.path("schema").asText()) + "." + SqlScript.identifier(o.path("name").asText()) : null;
        return new Dropped(kind, name, rows ? oid : 0, original, sql);
    }

    private String shown(String schema, String name) {
        return schema == null || schema.equals(currentSchema) ? SqlScript.identifier(name) : SqlScript.identifier(schema) + "." + SqlScript.identifier(name);
    }

    /** Whether the statement's drops hold values to count (a table, a column, a materialized view). */
    static boolean holdValues(List<Dropped> dropped) {
        return dropped.stream().anyMatch(d -> d.countSql() != null);
    }

    /** Counts, in one query, what each dropped object (and each emptied table) held; run with the statement rolled back. */
    static long[] count(Statement st, List<Dropped> dropped, List<Emptied> emptied) throws SQLException {
        List<String> parts = new ArrayList<>();
        for (Dropped d : dropped) if (d.countSql() != null) parts.add("(" + d.countSql() + ")");
        for (Emptied t : emptied) parts.add("(select count(*) from " + t.sql() + ")");
        long[] out = new long[parts.size()];
        if (parts.isEmpty()) return out;
        try (ResultSet rs = st.executeQuery("select " + String.join(", ", parts))) {
            rs.next();
            for (int i = 0; i < out.length; i++) out[i] = rs.getLong(i + 1);
        }
        return out;
    }

    /**
     * The statement's phrase: "drops type "AdminRole" with column "Admin"."role" (1 non-null value)",
     * "empties "Log" (1,200 rows)"; counts of a table whose rows were not copied are not given.
     *
     * @param counts   from {@link #count}, in its order
     * @param hasRows  whether a table's rows on the copy are the target's (copied, or made by the run)
     */
    static String phrase(List<Dropped> dropped, List<Emptied> emptied, long[] counts, java.util.function.LongPredicate hasRows) {
        List<String> named = new ArrayList<>(), with = new ArrayList<>();
        int i = 0;
        for (Dropped d : dropped) {
            String what = d.kind() + " " + d.shown();
            if (d.countSql() != null) {
                long n = counts[i++];
                what += !hasRows.test(d.table()) ? " (its rows were not copied)" : d.kind().equals("column") ? " (" + Amounts.count(n, "non-null value") + ")" : " (" + Amounts.count(n, "row") + ")";
            }
            (d.original() ? named : with).add(what);
        }
        List<String> parts = new ArrayList<>();
        if (!named.isEmpty() || !with.isEmpty()) {
            parts.add("drops " + (named.isEmpty() ? "" : String.join(" and ", named)) + (with.isEmpty() ? "" : (named.isEmpty() ? "" : " with ") + String.join(" and ", with)));
        }
        for (Emptied t : emptied) {
            long n = counts[i++];
            parts.add("empties " + t.shown() + (hasRows.test(t.oid()) ? " (" + Amounts.count(n, "row") + ")" : " (its rows were not copied)"));
        }
        return String.join("; ", parts);
    }

}
