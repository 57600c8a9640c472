//SOURCES RowCopyPlan.java Amounts.java Durations.java Database.java SqlScript.java SchemaSnapshot.java
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyOut;

/**
 * The target's rows into the rehearsal's copy, from one snapshot: one REPEATABLE READ, READ ONLY
 * transaction on the target (it cannot write, and every table is read as of the same moment; a table
 * the live app holds an ACCESS EXCLUSIVE lock on is left out by {@link RowCopyPlan} before anything
 * waits on it, and a lock taken later stops the copy after lock_timeout), each table chosen streamed with
 * pgjdbc's CopyManager: COPY ... TO STDOUT on the target, COPY ... FROM STDIN on the copy, chunk by
 * chunk, so memory stays small whatever the size; about one round trip per table. The copy's
 * session has session_replication_role = replica while loading: no trigger fires and no foreign key
 * is checked (the rows are the target's, which satisfy them). What the applied migrations inserted
 * on the copy gives way first: every table there holds the target's rows, or none. Then the sequences are set to the
 * target's values and the copied tables analysed. No value is ever printed: tables, counts, bytes.
 */
final class RowCopy {

    /** What was copied: rows by table (the copy's oids), the bytes streamed, how long it took. */
    record Result(RowCopyPlan plan, Map<Long, Long> rows, long bytes, Duration took) {
        boolean copied(long oid) {
            return rows.containsKey(oid);
        }

        long totalRows() {
            return rows.values().stream().mapToLong(Long::longValue).sum();
        }

        /** The lines the report shows: what was copied, then what was not and why, grouped by why. */
        List<String> lines() {
            String noRows = plan.withoutRows;
            List<String> out = new ArrayList<>();
            int holding = (int) rows.values().stream().filter(n -> n > 0).count();
            if (noRows != null) {
                out.add("no rows copied (" + noRows + "): " + Amounts.count(rows.size(), "table") + " of the target " + (rows.size() == 1 ? "holds" : "hold")
                        + " none; the others are checked against the target, read-only");
            } else if (holding == 0 && plan.notCopied.isEmpty()) {
                out.add("the target's " + Amounts.count(plan.tables.size(), "table") + (plan.tables.size() == 1 ? " holds" : " hold") + " no rows: nothing to copy");
            } else {
                out.add("copied " + Amounts.count(rows.size(), "table") + ", " + Amounts.count(totalRows(), "row") + ", " + Amounts.bytes(bytes)
                        + " from one snapshot of the target in " + Durations.format(took));
            }
            Map<String, List<String>> why = new LinkedHashMap<>();
            for (RowCopyPlan.Table t : plan.tables) {
                String reason = plan.notCopied.get(t.oid());
                if (reason == null || reason.equals(noRows)) continue;
                why.computeIfAbsent(reason, k -> new ArrayList<>()).add(t.shown(plan.currentSchema) + " (" + Amounts.bytes(plan.target.get(t.oid()).bytes()) + ")");
            }
            why.forEach((reason, tables) -> out.add("not copied, " + reason + ": " + String.join(", ", tables) + "; checked without " + (tables.size() == 1 ? "its" : "their") + " rows"));
            return out;
        }
    }

    /**
     * Copies what the plan takes, and the sequences.
     *
     * @param target the target's session (read-only, not inside a transaction); left as it was
     * @param copy   a superuser session on the copy, not inside a transaction
     */
    static Result copy(Connection target, Connection copy, Set<String> named, long budget, String withoutRows, Duration lockTimeout) throws SQLException {
        boolean noRows = withoutRows != null;
        long started = System.nanoTime();
        boolean auto = target.getAutoCommit();
        target.setAutoCommit(false);
        Map<Long, Long> rows = new LinkedHashMap<>();
        long[] bytes = {0};
        try (Statement st = target.createStatement(); Statement here = copy.createStatement()) {
            st.execute("set transaction isolation level repeatable read, read only; set local lock_timeout = " + Math.max(1, lockTimeout.toMillis()));
            RowCopyPlan plan = RowCopyPlan.choose(copy, target, named, budget, withoutRows);
            if (!noRows) here.execute("set session_replication_role = replica"); // loading: no triggers, no foreign-key checks (a superuser's setting)
            // rows the applied migrations inserted on the copy (a service user, say) give way to the target's: a table not copied is empty there
            List<String> all = plan.tables.stream().map(RowCopyPlan.Table::sql).toList();
            if (!all.isEmpty()) here.execute("truncate " + String.join(", ", all) + " cascade");
            CopyStream stream = new CopyStream(target, copy);
            List<List<RowCopyPlan.Table>> units = new ArrayList<>(plan.units);
            for (int u = 0; u < units.size(); u++) {
                List<RowCopyPlan.Table> unit = units.get(u);
                Map<Long, Long> loaded = new HashMap<>();
                String refused = null;
                SQLException stopped = null;
                for (RowCopyPlan.Table t : unit) {
                    try {
                        loaded.put(t.oid(), plan.empty(t) ? 0L : stream.table(t, bytes));
                    } catch (CopyStream.Refused e) {
                        refused = "the copy refused its rows (SQLSTATE " + e.state + ")";
                        break;
                    } catch (SQLException e) {
                        if (String.valueOf(e.getSQLState()).startsWith("08")) throw e;
                        stopped = e;
                        break;
                    }
                }
                if (refused == null && stopped == null) {
                    rows.putAll(loaded);
                    continue;
                }
                truncate(here, unit);
                String why = stopped == null ? refused : "reading it from the target stopped (" + Database.firstLine(stopped.getMessage()) + ")";
                for (RowCopyPlan.Table t : stopped == null ? unit : units.subList(u, units.size()).stream().flatMap(List::stream).toList()) plan.notCopied.put(t.oid(), why);
                if (stopped == null) continue;
                // that snapshot's transaction is over: the sequences are read in a new one
                Database.rollbackQuietly(target);
                break;
            }
            plan.units.removeIf(unit -> !rows.containsKey(unit.get(0).oid()));
            sequences(st, here);
            if (!noRows) here.execute("reset session_replication_role");
            List<String> analyse = new ArrayList<>();
            for (List<RowCopyPlan.Table> unit : plan.units) for (RowCopyPlan.Table t : unit) if (rows.get(t.oid()) > 0) analyse.add(t.sql());
            if (!analyse.isEmpty()) here.execute("analyze " + String.join(", ", analyse));
            return new Result(plan, rows, bytes[0], Duration.ofNanos(System.nanoTime() - started));
        } finally {
            Database.rollbackQuietly(target);
            target.setAutoCommit(auto);
        }
    }

    /** Empties what a unit loaded (CASCADE reaches only tables loaded after it, which are none yet). */
    private static void truncate(Statement here, List<RowCopyPlan.Table> unit) throws SQLException {
        here.execute("truncate " + String.join(", ", unit.stream().map(RowCopyPlan.Table::sql).toList()) + " cascade");
    }

    /** Every sequence of the target's own schemas set on the copy to the target's value (one query on each side); unread ones are left as built. */
    private static void sequences(Statement target, Statement copy) throws SQLException {
        List<String> values = new ArrayList<>();
        try (ResultSet rs = target.executeQuery("select format('%I.%I', schemaname, sequencename), last_value from pg_sequences where last_value is not null and schemaname not in ("
                + SchemaSnapshot.MANAGED + ")")) {
            while (rs.next()) values.add("(" + SqlScript.literal(rs.getString(1)) + ", " + rs.getLong(2) + ")");
        }
        if (!values.isEmpty()) {
            copy.execute("select setval(to_regclass(s), v) from (values " + String.join(", ", values) + ") x(s, v) where to_regclass(s) is not null");
        }
    }

    /** One table from the target's COPY TO into the copy's COPY FROM, chunk by chunk. */
    private static final class CopyStream {
        /** The copy would not take a row (a constraint the target holds NOT VALID, say); the target's COPY was read to its end, so its transaction goes on. */
        static final class Refused extends Exception {
            final String state;

            Refused(String state) {
                this.state = state;
            }
        }

        private final org.postgresql.copy.CopyManager from, to;

        CopyStream(Connection target, Connection copy) throws SQLException {
            this.from = target.unwrap(PGConnection.class).getCopyAPI();
            this.to = copy.unwrap(PGConnection.class).getCopyAPI();
        }

        /** Returns the rows copied; adds the bytes read to bytes[0]. */
        long table(RowCopyPlan.Table t, long[] bytes) throws SQLException, Refused {
            String columns = " (" + String.join(", ", t.columns()) + ")";
            CopyOut out = from.copyOut("copy " + t.sql() + columns + " to stdout");
            CopyIn in;
            try {
                in = to.copyIn("copy " + t.sql() + columns + " from stdin");
            } catch (SQLException e) {
                drain(out);
                throw new Refused(String.valueOf(e.getSQLState()));
            }
            String refused = null;
            byte[] chunk;
            while ((chunk = out.readFromCopy()) != null) {
                bytes[0] += chunk.length;
                if (refused != null) continue;
                try {
                    in.writeToCopy(chunk, 0, chunk.length);
                } catch (SQLException e) {
                    refused = String.valueOf(e.getSQLState());
                }
            }
            if (refused == null) {
                try {
                    return in.endCopy();
                } catch (SQLException e) {
                    refused = String.valueOf(e.getSQLState());
                }
            }
            if (in.isActive()) in.cancelCopy();
            throw new Refused(refused.toUpperCase(Locale.ROOT));
        }

        private static void drain(CopyOut out) throws SQLException {
            while (out.readFromCopy() != null) {
                // read to its end, so the target's transaction stays usable
            }
        }
    }

    private RowCopy() {}
}
