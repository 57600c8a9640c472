//SOURCES SqlScript.java ReadOnlyTransaction.java Durations.java Amounts.java
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a statement locks, in the operator's words. {@link StatementRun} runs each migration on the
 * rehearsal's second copy statement by statement and reads, after each, the relation locks its
 * session holds (pg_locks) and which tables got a new file (a rewrite, pg_class): {@link #held} and
 * {@link #files}. A lock taken in a transaction is held until it commits, so a statement's lock lasts
 * to the end of its migration: {@link Lock#heldMs}. The rows a lock covers are those of the copy when
 * the table's rows were copied, else the TARGET's estimate (pg_class.reltuples and
 * pg_stat_all_tables.n_live_tup, the larger), read in one read-only query ({@link #targetRows}).
 */
final class LockReport {

    /** One statement of a migration: its first line and its text. */
    record Step(int line, String sql) {}

    /**
     * A relation lock a statement takes.
     *
     * @param relation  schema-qualified, as SQL ("public"."User")
     * @param kind      table, index, sequence, view, ...
     * @param mode      pg_locks' name for it (AccessExclusiveLock)
     * @param table     the table whose rows the lock covers (an index's table), as SQL
     * @param rows      rows of that table on the copy when copied, else the target's estimate; null when the run creates the relation
     * @param onCopy    whether rows were counted on the copy (the table's rows were copied)
     * @param rewritten the statement gave the relation a new file: every row is copied under this lock
     * @param heldSince a stronger (or the same) lock the migration already holds on it, as "AccessExclusiveLock since line 2", or null
     * @param heldMs    how long the copy held it: from its statement to the end of its migration's transaction
     */
    record Lock(String relation, String kind, String mode, String table, Long rows, boolean onCopy, boolean rewritten, String heldSince, long heldMs) {
        String sentence() {
            if (rows == null) return mode + " on " + kind + " " + relation + " (new in this run): nothing uses it yet";
            String what = heldSince != null ? "held already: " + heldSince : blocks(mode);
            String over = onCopy ? " for " + Durations.format(java.time.Duration.ofMillis(heldMs)) + " over " + Amounts.count(rows, "row") + " on the copy"
                    : " (about " + Amounts.count(rows, "row") + " on the target, not copied, so not timed)";
            return (heldSince != null ? mode + " on " + kind + " " + relation + " (" + Amounts.count(rows, "row") + (onCopy ? " on the copy" : " on the target") + ")"
                    : "holds " + mode + " on " + kind + " " + relation + over) + (rewritten ? ", rewritten" : "") + ": " + what;
        }

        Lock with(Long rows, boolean onCopy, long heldMs) {
            return new Lock(relation, kind, mode, table, rows, onCopy, rewritten, heldSince, heldMs);
        }
    }

    /** A relation lock this session holds: the relation's oid, name, kind, the oid and name of the table it covers, and the mode. */
    record Held(long oid, String relation, String kind, long table, String tableName, String mode) {}

    /** The strongest first; what each blocks, in the operator's words. */
    static final List<String> MODES = List.of("AccessExclusiveLock", "ExclusiveLock", "ShareRowExclusiveLock", "ShareLock",
            "ShareUpdateExclusiveLock", "RowExclusiveLock", "RowShareLock", "AccessShareLock");

    static String blocks(String mode) {
        return switch (mode) {
            case "AccessExclusiveLock" -> "blocks every read and write until the migration commits";
            case "ExclusiveLock" -> "blocks writes (reads go on) until the migration commits";
            case "ShareRowExclusiveLock", "ShareLock" -> "blocks writes until the migration commits";
            case "ShareUpdateExclusiveLock" -> "blocks other schema changes and vacuum, not reads or writes";
            case "RowExclusiveLock" -> "what ordinary writes take; blocks only schema changes";
            default -> "blocks only schema changes";
        };
    }

    private static final String HELD = """
            select c.oid::bigint, n.nspname, c.relname, c.relkind::text, l.mode, t.oid::bigint, tn.nspname, t.relname
            from pg_locks l join pg_class c on c.oid = l.relation join pg_namespace n on n.oid = c.relnamespace left join pg_index i on i.indexrelid = c.oid
            join pg_class t on t.oid = coalesce(i.indrelid, c.oid) join pg_namespace tn on tn.oid = t.relnamespace
            where l.pid = pg_backend_pid() and l.locktype = 'relation' and l.granted
              and n.nspname not in ('pg_catalog', 'information_schema', 'rc_dbkit') and n.nspname not like 'pg\\_toast%' and n.nspname not like 'pg\\_temp%'""";

    private static final String FILES = """
            select c.oid::bigint, c.relfilenode::bigint from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where c.relkind in ('r', 'm', 'i', 't') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_toast%'""";

    /** The relation locks this session holds now, by relation. */
    static Map<Long, List<Held>> held(Statement st) throws SQLException {
        Map<Long, List<Held>> now = new LinkedHashMap<>();
        try (ResultSet rs = st.executeQuery(HELD)) {
            while (rs.next()) {
                now.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(new Held(rs.getLong(1),
                        SqlScript.identifier(rs.getString(2)) + "." + SqlScript.identifier(rs.getString(3)), kind(rs.getString(4)), rs.getLong(6),
                        SqlScript.identifier(rs.getString(7)) + "." + SqlScript.identifier(rs.getString(8)), rs.getString(5)));
            }
        }
        return now;
    }

    /**
     * The target's estimate of the rows of each table named (one read-only query for all); a
     * table the target does not have is left out.
     */
    static Map<String, Long> targetRows(Connection target, Duration timeout, java.util.Collection<String> relations) throws SQLException {
        Map<String, Long> rows = new HashMap<>();
        if (relations.isEmpty()) return rows;
        ReadOnlyTransaction.query(target, timeout, """
                select r.name, greatest(c.reltuples, 0)::bigint, coalesce(s.n_live_tup, 0)
                from unnest(array[%s]::text[]) r(name)
                join pg_class c on c.oid = to_regclass(r.name)
                left join pg_stat_all_tables s on s.relid = c.oid""".formatted(String.join(", ", relations.stream().map(SqlScript::literal).toList())), rs -> {
            while (rs.next()) rows.put(rs.getString(1), Math.max(rs.getLong(2), rs.getLong(3)));
            return null;
        });
        return rows;
    }

    /** The strongest of these modes, or null when there are none. */
    static String strongest(List<String> modes) {
        String best = null;
        for (String m : modes) if (best == null || MODES.indexOf(m) < MODES.indexOf(best)) best = m;
        return best;
    }

    static Map<Long, Long> files(Statement st) throws SQLException {
        Map<Long, Long> files = new HashMap<>();
        try (ResultSet rs = st.executeQuery(FILES)) {
            while (rs.next()) files.put(rs.getLong(1), rs.getLong(2));
        }
        return files;
    }

    private static String kind(String relkind) {
        return switch (relkind) {
            case "r" -> "table";
            case "p" -> "partitioned table";
            case "i", "I" -> "index";
            case "S" -> "sequence";
            case "v" -> "view";
            case "m" -> "materialized view";
            case "t" -> "toast table";
            case "f" -> "foreign table";
            default -> "relation";
        };
    }

    private LockReport() {}
}
