//SOURCES SqlLexer.java SqlScript.java ReadOnlyTransaction.java Database.java
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
 * What each statement of a migration locks, and on how many rows. The migration runs on a shadow
 * database (never the target), statement by statement, in one transaction as the engines run it;
 * after each statement, pg_locks shows the relation locks this session holds, and pg_class shows
 * which tables got a new file (a rewrite). A lock taken in a transaction is held until it commits,
 * so a statement's lock lasts to the end of its migration. The number of rows comes from the
 * TARGET's statistics (pg_class.reltuples and pg_stat_all_tables.n_live_tup, the larger), read in
 * one read-only query for the whole report.
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
     * @param rows      the target's estimate; null when the target has no such relation (the run creates it)
     * @param rewritten the statement gave the relation a new file: every row is copied under this lock
     * @param heldSince a stronger (or the same) lock the migration already holds on it, as "AccessExclusiveLock since line 2", or null
     */
    record Lock(String relation, String kind, String mode, Long rows, boolean rewritten, String heldSince) {
        String sentence() {
            String size = rows == null ? "new in this run" : rows == 1 ? "1 row" : rows + " rows";
            String what = rows == null ? "nothing uses it yet" : heldSince != null ? "held already: " + heldSince : blocks(mode);
            return mode + " on " + kind + " " + relation + " (" + size + ")" + (rewritten ? ", rewritten" : "") + ": " + what;
        }
    }

    /**
     * @param notMeasured why no locks are known (a statement PostgreSQL cannot run in a transaction), or null
     */
    record StatementLocks(String file, int line, String statement, List<Lock> locks, String notMeasured) {}

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
            select c.oid::bigint, n.nspname, c.relname, c.relkind::text, l.mode, c.relfilenode::bigint
            from pg_locks l join pg_class c on c.oid = l.relation join pg_namespace n on n.oid = c.relnamespace
            where l.pid = pg_backend_pid() and l.locktype = 'relation' and l.granted
              and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_toast%' and n.nspname not like 'pg\\_temp%'""";

    private static final String FILES = """
            select c.oid::bigint, c.relfilenode::bigint from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where c.relkind in ('r', 'm', 'i', 't') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_toast%'""";

    /**
     * Runs one migration's statements on the shadow and reports each one's locks; the shadow keeps
     * the changes (it commits), so the next migration starts where this one ends.
     *
     * @param shadow        a connection to the shadow database (not in a transaction)
     * @param inTransaction whether the engine runs this migration in one transaction; when not, each
     *                      statement commits on its own, and one PostgreSQL cannot run in a
     *                      transaction (CREATE INDEX CONCURRENTLY) runs in auto-commit, not measured
     * @throws SQLException a statement failed on the shadow; the migration is rolled back there
     */
    static List<StatementLocks> measure(Connection shadow, String file, List<Step> statements, boolean inTransaction) throws SQLException {
        List<StatementLocks> out = new ArrayList<>();
        boolean auto = shadow.getAutoCommit();
        shadow.setAutoCommit(false);
        try (Statement st = shadow.createStatement()) {
            Map<Long, Long> files = files(st);
            Map<Long, List<String>> held = new HashMap<>();
            Map<Long, Integer> firstLine = new HashMap<>();
            for (Step step : statements) {
                String shown = SqlScript.show(step.sql());
                try {
                    st.execute(step.sql());
                } catch (SQLException e) {
                    if (!inTransaction && "25001".equals(e.getSQLState())) {
                        shadow.rollback();
                        shadow.setAutoCommit(true);
                        try {
                            st.execute(step.sql());
                        } finally {
                            shadow.setAutoCommit(false);
                        }
                        out.add(new StatementLocks(file, step.line(), shown, List.of(), "PostgreSQL cannot run it in a transaction"
                                + (SqlLexer.scan(step.sql()).stream().anyMatch(t -> t.keyword("concurrently")) ? "; CONCURRENTLY takes ShareUpdateExclusiveLock, which lets reads and writes go on" : "")));
                        files = files(st);
                        continue;
                    }
                    throw e;
                }
                Map<Long, Long> after = files(st);
                Map<Long, List<String>> now = new LinkedHashMap<>();
                Map<Long, String> names = new HashMap<>(), kinds = new HashMap<>();
                try (ResultSet rs = st.executeQuery(HELD)) {
                    while (rs.next()) {
                        long oid = rs.getLong(1);
                        now.computeIfAbsent(oid, k -> new ArrayList<>()).add(rs.getString(5));
                        names.put(oid, SqlScript.identifier(rs.getString(2)) + "." + SqlScript.identifier(rs.getString(3)));
                        kinds.put(oid, kind(rs.getString(4)));
                    }
                }
                List<Lock> locks = new ArrayList<>();
                for (var e : now.entrySet()) {
                    long oid = e.getKey();
                    List<String> before = held.getOrDefault(oid, List.of());
                    String taken = strongest(e.getValue().stream().filter(m -> !before.contains(m)).toList());
                    boolean rewritten = files.containsKey(oid) && after.containsKey(oid) && !files.get(oid).equals(after.get(oid));
                    String already = strongest(before);
                    if (taken == null && rewritten) taken = already;
                    if (taken != null) {
                        boolean covered = already != null && MODES.indexOf(already) <= MODES.indexOf(taken);
                        locks.add(new Lock(names.get(oid), kinds.get(oid), taken, null, rewritten, covered ? already + " since line " + firstLine.get(oid) : null));
                    }
                    if (!before.isEmpty() && (taken == null || MODES.indexOf(already) <= MODES.indexOf(taken))) continue;
                    firstLine.put(oid, step.line());
                }
                for (var e : now.entrySet()) held.put(e.getKey(), new ArrayList<>(e.getValue()));
                locks.sort((x, y) -> MODES.indexOf(x.mode()) - MODES.indexOf(y.mode()));
                out.add(new StatementLocks(file, step.line(), shown, locks, null));
                files = after;
                if (!inTransaction) {
                    shadow.commit();
                    held.clear();
                    firstLine.clear();
                }
            }
            shadow.commit();
        } catch (SQLException e) {
            Database.rollbackQuietly(shadow);
            throw e;
        } finally {
            shadow.setAutoCommit(auto);
        }
        return out;
    }

    /**
     * The report with each lock's row estimate from the target: one read-only query for all the
     * relations named. A relation the target does not have yet keeps rows null.
     */
    static List<StatementLocks> withTargetRows(Connection target, Duration timeout, List<StatementLocks> report) throws SQLException {
        List<String> names = new ArrayList<>();
        for (StatementLocks s : report) for (Lock l : s.locks()) if (!names.contains(l.relation())) names.add(l.relation());
        Map<String, Long> rows = new HashMap<>();
        if (!names.isEmpty()) {
            ReadOnlyTransaction.query(target, timeout, """
                    select r.name, greatest(c.reltuples, 0)::bigint, coalesce(s.n_live_tup, 0)
                    from unnest(array[%s]::text[]) r(name)
                    join pg_class c on c.oid = to_regclass(r.name)
                    left join pg_stat_all_tables s on s.relid = c.oid""".formatted(String.join(", ", names.stream().map(SqlScript::literal).toList())), rs -> {
                while (rs.next()) rows.put(rs.getString(1), Math.max(rs.getLong(2), rs.getLong(3)));
                return null;
            });
        }
        List<StatementLocks> out = new ArrayList<>();
        for (StatementLocks s : report) {
            List<Lock> locks = new ArrayList<>();
            for (Lock l : s.locks()) locks.add(new Lock(l.relation(), l.kind(), l.mode(), rows.get(l.relation()), l.rewritten(), l.heldSince()));
            out.add(new StatementLocks(s.file(), s.line(), s.statement(), locks, s.notMeasured()));
        }
        return out;
    }

    /** The strongest of these modes, or null when there are none. */
    private static String strongest(List<String> modes) {
        String best = null;
        for (String m : modes) if (best == null || MODES.indexOf(m) < MODES.indexOf(best)) best = m;
        return best;
    }

    private static Map<Long, Long> files(Statement st) throws SQLException {
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
