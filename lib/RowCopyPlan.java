//SOURCES SchemaSnapshot.java HistoryTable.java SqlScript.java SqlLexer.java SqlStatement.java SqlCursor.java RunTables.java MigrationFile.java Amounts.java
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Which of the target's tables the rehearsal's copy gets the rows of. Every table of the copy's
 * schemas is a candidate (the history tables aside: the copy's engine writes its own), read from the
 * copy's catalog, with its size and readability read from the target in the copy's snapshot. They
 * are taken in order, those the pending migrations name first, then smallest first, while their
 * total size on the target (their rows and TOAST, pg_relation_size, no indexes) stays within the budget. A table with rows comes only
 * with every table it references through a foreign key, so the copy never holds a row whose parent
 * it lacks; a table that holds no row costs nothing and needs no parent. A table row-level security
 * filters for this role, or one it may not read whole, is never copied: its rows there would not be
 * the target's.
 */
final class RowCopyPlan {
    /** A table of the copy: its oid there, its name, the columns COPY moves, the tables it references. */
    record Table(long oid, String schema, String name, List<String> columns, Set<Long> references) {
        String sql() {
            return SqlScript.identifier(schema) + "." + SqlScript.identifier(name);
        }

        /** As the report names it: "Member", or "audit"."Member" outside the target's current schema. */
        String shown(String currentSchema) {
            return schema.equals(currentSchema) ? SqlScript.identifier(name) : sql();
        }
    }

    /** What the target says of a table, in the copy's snapshot: its size, rows by its statistics, and whether this role reads all of it. */
    record OnTarget(long bytes, long estimatedRows, boolean empty, String unreadable) {}

    final List<Table> tables = new ArrayList<>();
    final Map<Long, OnTarget> target = new LinkedHashMap<>();
    /** The tables taken, unit by unit (a table with the parents it needs, parents first): copied in this order. */
    final List<List<Table>> units = new ArrayList<>();
    /** Why a table is not copied, by oid. */
    final Map<Long, String> notCopied = new LinkedHashMap<>();
    final long budget;
    String currentSchema;

    private static final String TABLES = """
            select c.oid::bigint, n.nspname, c.relname,
                   array(select quote_ident(a.attname) from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = '' order by a.attnum),
                   array(select distinct f.confrelid::bigint from pg_constraint f where f.conrelid = c.oid and f.contype = 'f' and f.confrelid <> c.oid)
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where c.relkind = 'r' and n.nspname not in (%s) and n.nspname not like 'pg\\_%%' and n.nspname not like 'supabase\\_%%'
              and c.relname <> all(%s)
            order by 1""".formatted(SchemaSnapshot.MANAGED, HistoryTable.BOTH);

    /** Why no row was copied ("--no-rows", say), or null when rows were. */
    String withoutRows;

    private RowCopyPlan(long budget) {
        this.budget = budget;
    }

    /**
     * Reads the candidates from the copy and their facts from the target (in the transaction the
     * caller opened there), then chooses.
     *
     * @param named the tables the pending migrations name, by their names before the run (in the current schema)
     * @param withoutRows null to copy rows; else why no row may leave the target ("--no-rows", say): only the tables that hold none are "copied"
     */
    static RowCopyPlan choose(Connection copy, Connection target, Set<String> named, long budget, String withoutRows) throws SQLException {
        RowCopyPlan plan = new RowCopyPlan(budget);
        plan.withoutRows = withoutRows;
        try (var st = copy.createStatement(); ResultSet rs = st.executeQuery(TABLES)) {
            while (rs.next()) {
                Set<Long> refs = new HashSet<>(List.of((Long[]) rs.getArray(5).getArray()));
                plan.tables.add(new Table(rs.getLong(1), rs.getString(2), rs.getString(3), List.of((String[]) rs.getArray(4).getArray()), refs));
            }
        }
        plan.readTarget(target, withoutRows != null);
        plan.take(named, withoutRows);
        return plan;
    }

    /** The tables the pending statements name, by their names before the run (renames followed), in the current schema. */
    static Set<String> named(List<MigrationFile> pending) {
        Set<String> out = new HashSet<>();
        RunTables run = new RunTables(Set.of());
        for (MigrationFile m : pending) {
            for (SqlScript.Statement s : m.statements()) {
                SqlStatement st = SqlStatement.read(SqlLexer.scan(s.sql()));
                List<SqlCursor.Name> names = st instanceof SqlStatement.AlterTable a ? List.of(a.table())
                        : st instanceof SqlStatement.CreateIndex i ? List.of(i.table())
                        : st instanceof SqlStatement.Write w ? List.of(w.table())
                        : st instanceof SqlStatement.Fill f ? List.of(f.table())
                        : st instanceof SqlStatement.Truncate t ? t.tables()
                        : st instanceof SqlStatement.Drop d && d.kind().equals("table") ? d.names() : List.of();
                for (SqlCursor.Name n : names) if (run.before(n.name()) != null) out.add(run.before(n.name()));
                run.follow(st);
            }
        }
        return out;
    }

    /** One query for every table's facts on the target; with --no-rows a second asks which readable ones hold no row. */
    private void readTarget(Connection c, boolean noRows) throws SQLException {
        if (tables.isEmpty()) {
            try (var st = c.createStatement(); ResultSet rs = st.executeQuery("select current_schema()")) {
                rs.next();
                currentSchema = rs.getString(1);
            }
            return;
        }
        List<String> names = tables.stream().map(t -> SqlScript.literal(t.sql())).toList();
        String sql = """
                select r.i, case when l.locked then 0 else coalesce(pg_relation_size(c.oid) + coalesce(pg_relation_size(nullif(c.reltoastrelid, 0)), 0), 0) end, greatest(coalesce(c.reltuples, 0), coalesce(s.n_live_tup, 0))::bigint,
                       c.oid is null, row_security_active(c.oid),
                       exists (select from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and not has_column_privilege(c.oid, a.attnum, 'SELECT')),
                       current_schema(), current_user, l.locked
                from unnest(array[%s]::text[]) with ordinality r(name, i)
                left join pg_class c on c.oid = to_regclass(r.name) left join pg_stat_all_tables s on s.relid = c.oid
                cross join lateral (select exists (select from pg_locks l where l.relation = c.oid and l.mode = 'AccessExclusiveLock' and l.pid <> pg_backend_pid()) locked) l
                order by r.i""".formatted(String.join(", ", names));
        try (var st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                Table t = tables.get(rs.getInt(1) - 1);
                currentSchema = rs.getString(7);
                String unreadable = rs.getBoolean(4) ? "the target has no such table"
                        : rs.getBoolean(9) ? "another session holds an ACCESS EXCLUSIVE lock on it"
                        : rs.getBoolean(5) ? "row-level security filters its rows for " + rs.getString(8)
                        : rs.getBoolean(6) ? rs.getString(8) + " may not read all its columns" : null;
                target.put(t.oid(), new OnTarget(rs.getLong(2), rs.getLong(3), false, unreadable));
            }
        }
        if (!noRows) return;
        StringBuilder probe = new StringBuilder();
        for (Table t : tables) {
            if (target.get(t.oid()).unreadable() != null) continue;
            if (probe.length() > 0) probe.append(" union all ");
            probe.append("select ").append(t.oid()).append(" where not exists (select from ").append(t.sql()).append(")");
        }
        if (probe.length() == 0) return;
        try (var st = c.createStatement(); ResultSet rs = st.executeQuery(probe.toString())) {
            while (rs.next()) {
                OnTarget o = target.get(rs.getLong(1));
                target.put(rs.getLong(1), new OnTarget(o.bytes(), 0, true, null));
            }
        }
    }

    /** Greedy: the named tables first, then the rest, smallest first; each with the parents it needs, if they fit. */
    private void take(Set<String> named, String withoutRows) {
        Map<Long, Table> byOid = new LinkedHashMap<>();
        for (Table t : tables) byOid.put(t.oid(), t);
        List<Table> order = new ArrayList<>(tables);
        order.sort(Comparator.comparing((Table t) -> !(t.schema().equals(currentSchema) && named.contains(t.name()))).thenComparingLong(t -> target.get(t.oid()).bytes()));
        Set<Long> done = new HashSet<>();
        long used = 0;
        for (Table t : order) {
            if (done.contains(t.oid()) || notCopied.containsKey(t.oid())) continue;
            Set<Long> unit = new LinkedHashSet<>();
            String blocked = unit(t, byOid, done, unit, new HashSet<>());
            if (blocked != null) {
                notCopied.put(t.oid(), blocked);
                continue;
            }
            long cost = unit.stream().mapToLong(o -> cost(o)).sum();
            if (used + cost > budget) {
                String why = withoutRows != null ? withoutRows : "over the --copy-budget of " + Amounts.bytes(budget) + (unit.size() > 1 ? " with the tables it references" : "");
                notCopied.put(t.oid(), why);
                continue;
            }
            used += cost;
            done.addAll(unit);
            units.add(unit.stream().map(byOid::get).toList());
        }
    }

    /** Whether the target holds no row of it (known with --no-rows only). */
    boolean empty(Table t) {
        return target.get(t.oid()).empty();
    }

    /** What a table costs the budget: nothing when it holds no row. */
    private long cost(long oid) {
        OnTarget o = target.get(oid);
        return o.empty() ? 0 : o.bytes();
    }

    /**
     * The tables to take with t, parents first (t's parents, theirs, ...), leaving out those taken
     * already; a table with no row needs none. Returns why t cannot be taken, or null.
     */
    private String unit(Table t, Map<Long, Table> byOid, Set<Long> done, Set<Long> unit, Set<Long> visiting) {
        if (done.contains(t.oid()) || unit.contains(t.oid()) || !visiting.add(t.oid())) return null;
        OnTarget o = target.get(t.oid());
        if (o.unreadable() != null) return o.unreadable();
        if (!o.empty()) {
            for (Long parent : t.references()) {
                Table p = byOid.get(parent);
                if (p == null) return "it references a table of the platform's, which is not copied";
                String why = unit(p, byOid, done, unit, visiting);
                if (why != null || notCopied.containsKey(parent)) return "it references " + p.shown(currentSchema) + ", which is not copied";
            }
        }
        unit.add(t.oid());
        return null;
    }
}
