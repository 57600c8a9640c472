//SOURCES SqlLexer.java SqlCursor.java SqlScript.java SqlStatement.java AlterAction.java RunTables.java DataCheckQueries.java ReadOnlyTransaction.java Database.java Durations.java
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Asks the target's data, read-only, whether a pending statement will fail because of rows that
 * are already there: SET NOT NULL over nulls, a unique key or primary key over duplicates, a
 * foreign key over orphans, a CHECK that rows violate, a column TYPE change that some value cannot
 * take, a NOT NULL column added without a default to a table that holds rows.
 *
 * <p>Feed it every pending statement in the order the run would apply them ({@link #check}); it
 * remembers what earlier statements do (tables they create, with {@link RunTables}; rows they
 * change), so a table the run creates counts as empty and a check on rows an earlier statement
 * rewrites says it cannot tell. Statements are read by their kind ({@link SqlStatement}); each
 * form's query is {@link DataCheckQueries}'s. Each check is one query, capped ({@code limit}), in
 * a {@link ReadOnlyTransaction}: it cannot write, and it waits for nobody for long.
 */
final class DataChecks {

    /** COPY: not asked of the target, since the rehearsal's copy holds the rows of every table the check reads, and running the statement there decides. */
    enum Verdict { FAILS, PASSES, CANNOT_TELL, COPY }

    /**
     * What the data says about one requirement of one statement.
     *
     * @param table   the table whose rows decide, as SQL ("public"."User")
     * @param check   what was asked, in words ("nulls in "email"")
     * @param count   rows (or key values) that break it, at most {@link #CAP}; -1 when unknown
     * @param detail  for FAILS and CANNOT_TELL: why, in words (a server message when there is one)
     */
    record Prediction(String file, int line, String statement, String table, String check, Verdict verdict, long count, String detail) {
        boolean fails() { return verdict == Verdict.FAILS; }

        /** One sentence for the operator. */
        String sentence() {
            String where = file + " line " + line + ": " + statement;
            return switch (verdict) {
                case FAILS -> where + " would fail: " + table + " has " + detail + ".";
                case PASSES -> where + ": ok, " + table + " has no " + check + ".";
                case CANNOT_TELL -> where + ": cannot tell from the data whether it succeeds (" + check + " in " + table + "): " + detail + ".";
                case COPY -> where + ": decided on the copy, which holds the rows of " + table + ".";
            };
        }

        /** Whether the check was asked of the target's rows and answered (a timed-out or undecidable check was not). */
        boolean completed() {
            return verdict == Verdict.FAILS || verdict == Verdict.PASSES;
        }
    }

    /** Whether the rehearsal's copy holds the target's rows of a table: its schema as written (null: the current one) and its name before the run (null: the run creates it). */
    interface OnCopy {
        boolean holds(String schema, String nameBeforeRun);

        OnCopy NOTHING = (schema, name) -> false;
    }

    /** The most rows a check counts; a count of CAP means "at least CAP". */
    static final int CAP = 1000;

    private final Connection target;
    private final Duration timeout;
    /** What the run does to tables: those it creates (empty until something writes to them), renames, the columns it adds. */
    private final RunTables run;
    /** Tables whose rows an earlier statement of this run changes, with where. */
    private final Map<String, String> changed = new HashMap<>();
    /** Enum types created by earlier statements of this run, with their labels. */
    private final Map<String, List<String>> enums = new HashMap<>();
    private final DataCheckQueries queries;
    private final OnCopy onCopy;
    /** A statement whose writes cannot be told (DO, CALL, SELECT, WITH), by where. */
    private String changesAnything;

    /**
     * @param target  the target database; used only in read-only transactions; must not be inside one
     * @param timeout statement_timeout and lock_timeout of each check (say 5s)
     * @param createdByRun tables (by name, unquoted as in the catalog) that the pending migrations create, if the caller knows them already
     */
    DataChecks(Connection target, Duration timeout, Set<String> createdByRun) {
        this(target, timeout, createdByRun, OnCopy.NOTHING);
    }

    /** @param onCopy the tables whose rows the rehearsal's copy holds: their checks are left to the copy */
    DataChecks(Connection target, Duration timeout, Set<String> createdByRun, OnCopy onCopy) {
        this.onCopy = onCopy;
        this.target = target;
        this.timeout = timeout;
        this.run = new RunTables(createdByRun);
        this.queries = new DataCheckQueries(run, changed, enums);
    }

    /**
     * The data's answer for one pending statement; empty when its success does not depend on rows.
     * Call for every pending statement in order, including those that need no check.
     */
    List<Prediction> check(String file, int line, String sql) throws SQLException {
        List<SqlLexer.Token> tokens = SqlLexer.scan(sql);
        String shown = SqlScript.shorten(SqlLexer.render(tokens));
        SqlStatement statement = SqlStatement.read(tokens);
        List<DataCheckQueries.Planned> planned = new ArrayList<>();
        // what the statement changes, for the statements after it (not for its own checks)
        Map<String, String> changing = new HashMap<>();
        if (statement instanceof SqlStatement.AlterTable alter) {
            for (AlterAction action : alter.actions()) {
                queries.plan(alter.table(), action, planned);
                if (action instanceof AlterAction.RenameTo r) changing.put(r.to().name(), "it is " + alter.table().sql() + " renamed");
                if (action instanceof AlterAction.ChangeType c) changing.put(alter.table().name(), "an earlier ALTER COLUMN " + SqlScript.identifier(c.column()) + " TYPE rewrites its values");
                run.follow(alter.table(), action);
            }
        } else if (statement instanceof SqlStatement.CreateIndex index && index.unique()) {
            queries.uniqueIndex(index, planned);
        } else {
            remember(statement, file, line);
        }
        List<Prediction> out = new ArrayList<>();
        for (DataCheckQueries.Planned p : planned) out.add(decide(file, line, shown, p));
        changed.putAll(changing);
        return out;
    }

    /** What a statement that needs no check does to rows and tables, for the checks after it. */
    private void remember(SqlStatement s, String file, int line) {
        String where = "the statement at " + file + " line " + line + " changes its rows first";
        if (s instanceof SqlStatement.CreateTable t && t.fromQuery()) {
            changed.put(t.table().name(), "it is created from a query");
        } else if (s instanceof SqlStatement.CreateTable t && !t.ifNotExists()) {
            changed.remove(t.table().name());
        } else if (s instanceof SqlStatement.CreateObject o && o.enumLabels() != null) {
            enums.put(o.name().name(), o.enumLabels());
        } else if (s instanceof SqlStatement.Write w) {
            changed.put(w.table().name(), where);
        } else if (s instanceof SqlStatement.Fill f) {
            changed.put(f.table().name(), where);
        } else if (s instanceof SqlStatement.Truncate t) {
            for (SqlCursor.Name n : t.tables()) changed.put(n.name(), where);
        } else if (s instanceof SqlStatement.With || s instanceof SqlStatement.Other o && List.of("do", "call", "select", "with", "execute").contains(o.first())) {
            changesAnything = "the statement at " + file + " line " + line + " may change any table's rows first";
        }
        run.follow(s);
    }

    // ------------------------------------------------------------------ asking the target

    private Prediction decide(String file, int line, String shown, DataCheckQueries.Planned p) throws SQLException {
        String table = p.table().sql();
        if (concat(p.table(), p.alsoReads()).stream().allMatch(n -> onCopy.holds(n.schema(), run.before(n.name())))) {
            return new Prediction(file, line, shown, table, p.check(), Verdict.COPY, -1, null);
        }
        if (p.fixed() == Verdict.CANNOT_TELL) return new Prediction(file, line, shown, table, p.check(), p.fixed(), -1, p.fixedDetail());
        for (SqlCursor.Name n : concat(p.table(), p.alsoReads())) {
            if (changed.containsKey(n.name())) return new Prediction(file, line, shown, table, p.check(), Verdict.CANNOT_TELL, -1, n.sql() + ": " + changed.get(n.name()));
        }
        if (changesAnything != null) return new Prediction(file, line, shown, table, p.check(), Verdict.CANNOT_TELL, -1, changesAnything);
        if (p.fixed() != null) return new Prediction(file, line, shown, table, p.check(), p.fixed(), 0, p.fixedDetail());
        if (run.createdByRun(p.table().name())) return new Prediction(file, line, shown, table, p.check(), Verdict.PASSES, 0, "created by this run, so it holds no rows");
        long[] answer;
        try {
            answer = readOnly(target, timeout, p.query());
        } catch (SQLException e) {
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            if (state.startsWith("08")) throw e;
            String message = withoutValue(Database.firstLine(String.valueOf(e.getMessage())).replaceFirst("^ERROR: ", ""));
            if (p.kind() == DataCheckQueries.Kind.CAST && state.startsWith("22")) {
                return new Prediction(file, line, shown, table, p.check(), Verdict.FAILS, 1, "at least one " + p.fixedDetail() + " (" + message + "); " + p.advice());
            }
            if (state.equals("57014")) message = "the check took longer than " + Durations.format(timeout) + " (a long scan, or a lock held by the live app)";
            else if (state.equals("55P03")) message = "the check waited longer than " + Durations.format(timeout) + " for a lock";
            else if (state.equals("42P01") || state.equals("42703") || state.equals("42704")) message = message + " on the target (the run creates it first)";
            return new Prediction(file, line, shown, table, p.check(), Verdict.CANNOT_TELL, -1, message);
        }
        long count = answer[0];
        String at = count >= CAP ? "at least " + CAP : String.valueOf(count);
        return switch (p.kind()) {
            case ROWS -> {
                String[] nounWhat = p.fixedDetail().split(" ", 2);
                yield count == 0 ? pass(file, line, shown, p) : fail(file, line, shown, p, count, at + " " + plural(count, nounWhat[0]) + " " + nounWhat[1] + "; " + p.advice());
            }
            case ANY_ROW -> count == 0 ? pass(file, line, shown, p) : fail(file, line, shown, p, count, at + " " + plural(count, "row") + ", " + p.fixedDetail());
            case DUPLICATES -> count == 0 ? pass(file, line, shown, p) : fail(file, line, shown, p, count, at + " " + plural(count, "value") + " of " + p.fixedDetail() + " held by more than one row; " + p.advice());
            case PRIMARY_KEY -> {
                long dups = answer[1];
                if (count == 0 && dups == 0) yield pass(file, line, shown, p);
                List<String> parts = new ArrayList<>();
                if (count > 0) parts.add(at + " " + plural(count, "row") + " with a null in " + p.fixedDetail());
                if (dups > 0) parts.add((dups >= CAP ? "at least " + CAP : String.valueOf(dups)) + " " + plural(dups, "value") + " of " + p.fixedDetail() + " held by more than one row");
                yield fail(file, line, shown, p, Math.max(count, dups), String.join(" and ", parts) + "; " + p.advice());
            }
            case CAST -> pass(file, line, shown, p);
        };
    }

    private static Prediction pass(String file, int line, String shown, DataCheckQueries.Planned p) {
        return new Prediction(file, line, shown, p.table().sql(), p.check(), Verdict.PASSES, 0, null);
    }

    private static Prediction fail(String file, int line, String shown, DataCheckQueries.Planned p, long count, String detail) {
        return new Prediction(file, line, shown, p.table().sql(), p.check(), Verdict.FAILS, Math.min(count, CAP), detail);
    }

    private static List<SqlCursor.Name> concat(SqlCursor.Name first, List<SqlCursor.Name> rest) {
        List<SqlCursor.Name> all = new ArrayList<>(List.of(first));
        all.addAll(rest);
        return all;
    }

    private static String plural(long n, String word) {
        return n == 1 ? word : word + "s";
    }

    /**
     * A server's message without the value it quotes at its end (`invalid input syntax for type
     * integer: "two"` becomes `invalid input syntax for type integer`): a row's value is never printed.
     */
    static String withoutValue(String message) {
        return message.replaceFirst(":\\s*\"(?:[^\"]|\"\")*\"\\s*$", "");
    }

    /** Runs one check's query read-only ({@link ReadOnlyTransaction}); returns the first row's numbers. */
    static long[] readOnly(Connection c, Duration timeout, String query) throws SQLException {
        return ReadOnlyTransaction.query(c, timeout, query, rs -> {
            if (!rs.next()) throw new SQLException("the check returned no rows");
            long[] row = new long[rs.getMetaData().getColumnCount()];
            for (int i = 0; i < row.length; i++) row[i] = rs.getLong(i + 1);
            return row;
        });
    }
}
