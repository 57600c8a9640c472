//SOURCES LockReport.java Destroyed.java SqlLexer.java SqlStatement.java SqlScript.java Database.java
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Each pending migration run statement by statement on the rehearsal's second copy, which holds the
 * rows copied from the target, in one transaction as the engines run it (or statement by statement,
 * for a migration that runs outside one). Per statement: its time on this machine, the locks it takes
 * ({@link LockReport}), the tables whose rows it read or wrote (PostgreSQL's own counters for the
 * transaction, pg_stat_xact_user_tables: scans, inserts, updates, deletes, those of a cascade or a
 * trigger included), the rows it deleted or updated, and what it drops ({@link Destroyed}). Each
 * statement runs under a savepoint, so a failing one still tells what it read. The copy keeps the
 * changes (it commits), so the next migration starts where this one ends.
 */
final class StatementRun {

    /**
     * One statement, measured.
     *
     * @param reads       the copy's oids of the tables whose rows it read or wrote
     * @param destroys    what it drops, empties, deletes or updates, in words ("" when nothing)
     * @param notMeasured why nothing is known of it (PostgreSQL cannot run it in a transaction), or null
     */
    record Measured(String file, int line, String statement, long ms, List<LockReport.Lock> locks, Set<Long> reads, String destroys, String notMeasured) {}

    /** A statement that failed on the copy, with the tables it read before it failed. */
    static final class Failed extends Exception {
        final String file;
        final int line;
        final Set<Long> reads;
        final List<Measured> before;

        Failed(String file, int line, SQLException cause, Set<Long> reads, List<Measured> before) {
            super(cause.getMessage(), cause);
            this.file = file;
            this.line = line;
            this.reads = reads;
            this.before = before;
        }
    }

    private static final String STATS = "select relid::bigint, seq_scan + coalesce(idx_scan, 0), n_tup_ins, n_tup_upd, n_tup_del, schemaname, relname from pg_stat_xact_user_tables";
    private static final int SCANS = 1, INSERTED = 2, UPDATED = 3, DELETED = 4;

    private final Connection c;
    /** Rows on the copy of each table whose rows are the target's (copied, 0 for an empty one), by oid. */
    private final Map<Long, Long> copied;
    /** Relations of the copy before the pending migrations: any other is the run's own. */
    private final Set<Long> before = new HashSet<>();
    private final Destroyed destroyed;
    private final String currentSchema;

    /** Installs the drop trigger on the copy (`c`, a superuser session, not in a transaction) and notes what exists before the run. */
    StatementRun(Connection c, Map<Long, Long> copied, String currentSchema, boolean recordDrops) throws SQLException {
        this.c = c;
        this.copied = copied;
        this.currentSchema = currentSchema;
        this.destroyed = new Destroyed(currentSchema);
        try (Statement st = c.createStatement()) {
            if (recordDrops) st.execute(Destroyed.INSTALL); // an event trigger: a superuser's
            before.addAll(LockReport.files(st).keySet());
        }
    }

    /** Whether the rows a table holds on the copy are the target's (copied) or the run's own (a table it created). */
    boolean hasTargetRows(long table) {
        return copied.containsKey(table) || !before.contains(table);
    }

    /** Runs one migration's statements; a failure leaves the copy as it was before the migration. */
    List<Measured> migration(String file, List<LockReport.Step> steps, boolean inTransaction) throws SQLException, Failed {
        List<Measured> out = new ArrayList<>();
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            Map<Long, Long> files = LockReport.files(st);
            Map<Long, List<String>> held = new HashMap<>();
            Map<Long, Integer> firstLine = new HashMap<>();
            for (LockReport.Step step : steps) {
                String shown = SqlScript.show(step.sql());
                Map<Long, long[]> stats = stats(st);
                st.execute("savepoint rc_dbkit_step");
                st.clearWarnings();
                long t = System.nanoTime();
                try {
                    st.execute(step.sql());
                } catch (SQLException e) {
                    if (!inTransaction && "25001".equals(e.getSQLState())) {
                        out.add(outsideATransaction(st, file, step, shown));
                        files = LockReport.files(st);
                        continue;
                    }
                    st.execute("rollback to savepoint rc_dbkit_step");
                    throw new Failed(file, step.line(), e, changed(stats, stats(st), SCANS, INSERTED, UPDATED, DELETED), out);
                }
                long ms = (System.nanoTime() - t) / 1_000_000;
                List<Destroyed.Dropped> dropped = destroyed.read(st.getWarnings());
                List<Destroyed.Emptied> emptied = emptied(st, step, files);
                long[] counts = new long[0];
                if (Destroyed.holdValues(dropped) || !emptied.isEmpty()) {
                    // counted as they were before the statement, which then runs again
                    st.execute("rollback to savepoint rc_dbkit_step");
                    counts = Destroyed.count(st, dropped, emptied);
                    stats = stats(st);
                    t = System.nanoTime();
                    st.execute(step.sql());
                    ms = (System.nanoTime() - t) / 1_000_000;
                }
                Map<Long, long[]> after = stats(st);
                st.execute("release savepoint rc_dbkit_step");
                String destroys = Destroyed.phrase(dropped, emptied, counts, this::hasTargetRows);
                String written = written(stats, after);
                if (!written.isEmpty()) destroys = destroys.isEmpty() ? written : destroys + "; " + written;
                Map<Long, Long> nowFiles = LockReport.files(st);
                out.add(new Measured(file, step.line(), shown, ms, locks(st, step.line(), files, nowFiles, held, firstLine), changed(stats, after, SCANS, INSERTED, UPDATED, DELETED), destroys, null));
                files = nowFiles;
                if (!inTransaction) {
                    c.commit();
                    held.clear();
                    firstLine.clear();
                }
            }
            c.commit();
        } catch (SQLException | Failed e) {
            Database.rollbackQuietly(c);
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
        return holdTimes(out, inTransaction);
    }

    /** A statement PostgreSQL cannot run in a transaction (CREATE INDEX CONCURRENTLY): run on its own, not measured. */
    private Measured outsideATransaction(Statement st, String file, LockReport.Step step, String shown) throws SQLException {
        c.rollback();
        c.setAutoCommit(true);
        try {
            st.execute(step.sql());
        } finally {
            c.setAutoCommit(false);
        }
        boolean concurrently = SqlLexer.scan(step.sql()).stream().anyMatch(t -> t.keyword("concurrently"));
        return new Measured(file, step.line(), shown, -1, List.of(), null, "", "PostgreSQL cannot run it in a transaction"
                + (concurrently ? "; CONCURRENTLY takes ShareUpdateExclusiveLock, which lets reads and writes go on" : ""));
    }

    /** The locks a statement took (those its migration held already say since when), with their rows. */
    private List<LockReport.Lock> locks(Statement st, int line, Map<Long, Long> files, Map<Long, Long> after, Map<Long, List<String>> held, Map<Long, Integer> firstLine) throws SQLException {
        Map<Long, List<LockReport.Held>> now = LockReport.held(st);
        List<LockReport.Lock> locks = new ArrayList<>();
        for (var e : now.entrySet()) {
            long oid = e.getKey();
            LockReport.Held h = e.getValue().get(0);
            List<String> modes = e.getValue().stream().map(LockReport.Held::mode).toList();
            List<String> had = held.getOrDefault(oid, List.of());
            String taken = LockReport.strongest(modes.stream().filter(m -> !had.contains(m)).toList());
            boolean rewritten = files.containsKey(oid) && after.containsKey(oid) && !files.get(oid).equals(after.get(oid));
            String already = LockReport.strongest(had);
            if (taken == null && rewritten) taken = already;
            if (taken != null) {
                boolean covered = already != null && LockReport.MODES.indexOf(already) <= LockReport.MODES.indexOf(taken);
                // rows of a table not copied: the target's estimate, filled in by the caller (LockReport.targetRows)
                Long rows = !before.contains(oid) ? null : copied.getOrDefault(h.table(), 0L);
                locks.add(new LockReport.Lock(h.relation(), h.kind(), taken, h.tableName(), rows, copied.containsKey(h.table()), rewritten,
                        covered ? already + " since line " + firstLine.get(oid) : null, 0));
            }
            if (!had.isEmpty() && (taken == null || LockReport.MODES.indexOf(already) <= LockReport.MODES.indexOf(taken))) continue;
            firstLine.put(oid, line);
        }
        for (var e : now.entrySet()) held.put(e.getKey(), new ArrayList<>(e.getValue().stream().map(LockReport.Held::mode).toList()));
        locks.sort((x, y) -> LockReport.MODES.indexOf(x.mode()) - LockReport.MODES.indexOf(y.mode()));
        return locks;
    }

    /** Each lock held from its statement to the migration's commit (in one transaction), or for its statement alone. */
    private static List<Measured> holdTimes(List<Measured> run, boolean inTransaction) {
        List<Measured> out = new ArrayList<>();
        for (int i = 0; i < run.size(); i++) {
            long held = 0;
            for (int j = i; j < (inTransaction ? run.size() : i + 1); j++) held += Math.max(0, run.get(j).ms());
            Measured m = run.get(i);
            List<LockReport.Lock> locks = new ArrayList<>();
            for (LockReport.Lock l : m.locks()) locks.add(l.with(l.rows(), l.onCopy(), held));
            out.add(new Measured(m.file(), m.line(), m.statement(), m.ms(), locks, m.reads(), m.destroys(), m.notMeasured()));
        }
        return out;
    }

    /** The tables a TRUNCATE empties: those of the copy that existed before it and got a new file. */
    private List<Destroyed.Emptied> emptied(Statement st, LockReport.Step step, Map<Long, Long> files) throws SQLException {
        if (!(SqlStatement.read(SqlLexer.scan(step.sql())) instanceof SqlStatement.Truncate)) return List.of();
        Map<Long, Long> now = LockReport.files(st);
        List<Destroyed.Emptied> out = new ArrayList<>();
        try (ResultSet rs = st.executeQuery("select c.oid::bigint, n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relkind = 'r'")) {
            while (rs.next()) {
                long oid = rs.getLong(1);
                if (!files.containsKey(oid) || files.get(oid).equals(now.get(oid))) continue;
                String shown = rs.getString(2).equals(currentSchema) ? SqlScript.identifier(rs.getString(3)) : SqlScript.identifier(rs.getString(2)) + "." + SqlScript.identifier(rs.getString(3));
                out.add(new Destroyed.Emptied(shown, SqlScript.identifier(rs.getString(2)) + "." + SqlScript.identifier(rs.getString(3)), oid));
            }
        }
        return out;
    }

    /** "deletes 3 rows of "Member"; updates 12 rows of "Team"": the rows of tables from before the run that the statement deleted or updated. */
    private String written(Map<Long, long[]> before, Map<Long, long[]> after) {
        List<String> parts = new ArrayList<>();
        for (int column : new int[] {DELETED, UPDATED}) {
            for (long oid : changed(before, after, column)) {
                if (!this.before.contains(oid)) continue;
                long n = after.get(oid)[column] - before.getOrDefault(oid, new long[5])[column];
                String table = names.get(oid);
                parts.add((column == DELETED ? "deletes " : "updates ") + (hasTargetRows(oid) ? Amounts.count(n, "row") + " of " + table : "rows of " + table + " (its rows were not copied)"));
            }
        }
        return String.join("; ", parts);
    }

    /** Names of tables as the report shows them, by oid, learnt from the counters. */
    private final Map<Long, String> names = new HashMap<>();

    /** A table's name as the report shows it ("Member", "audit"."Log"), as the counters named it. */
    String name(long table) {
        return names.getOrDefault(table, "the table of oid " + table);
    }

    /** The tables whose counters in these columns moved between the two readings, oldest first. */
    private static Set<Long> changed(Map<Long, long[]> before, Map<Long, long[]> after, int... columns) {
        Set<Long> out = new java.util.TreeSet<>();
        for (var e : after.entrySet()) {
            long[] b = before.getOrDefault(e.getKey(), new long[5]);
            for (int i : columns) if (e.getValue()[i] > b[i]) out.add(e.getKey());
        }
        return out;
    }

    /** PostgreSQL's counters of this transaction, per table: [oid, scans, inserted, updated, deleted]. */
    private Map<Long, long[]> stats(Statement st) throws SQLException {
        Map<Long, long[]> out = new LinkedHashMap<>();
        try (ResultSet rs = st.executeQuery(STATS)) {
            while (rs.next()) {
                long oid = rs.getLong(1);
                out.put(oid, new long[] {oid, rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)});
                names.putIfAbsent(oid, (rs.getString(6).equals(currentSchema) ? "" : SqlScript.identifier(rs.getString(6)) + ".") + SqlScript.identifier(rs.getString(7)));
            }
        }
        return out;
    }
}
