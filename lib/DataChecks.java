import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Asks the target's data, read-only, whether a pending statement will fail because of rows that
 * are already there: SET NOT NULL over nulls, a unique key or primary key over duplicates, a
 * foreign key over orphans, a CHECK that rows violate, a column TYPE change that some value cannot
 * take, a NOT NULL column added without a default to a table that holds rows.
 *
 * <p>Feed it every pending statement in the order the run would apply them ({@link #check}); it
 * remembers what earlier statements do (tables they create, rows they change), so a table the run
 * creates counts as empty and a check on rows an earlier statement rewrites says it cannot tell.
 * Each check is one query, capped ({@code limit}), in its own read-only transaction with a local
 * {@code statement_timeout} and {@code lock_timeout}, rolled back at once: it cannot write, and it
 * waits for nobody for long.
 *
 * <p>Statements are read with a small recognizer for exactly these forms (JSqlParser 5.3 rejects
 * PostgreSQL's {@code NOT VALID}, {@code SET DATA TYPE}, {@code ADD CHECK} and {@code NULLS NOT
 * DISTINCT}); identifiers in the check queries are always quoted; expressions (a CHECK, a USING, an
 * index's WHERE) are the migration's own tokens, balanced and without comments, run read-only.
 */
final class DataChecks {

    enum Verdict { FAILS, PASSES, CANNOT_TELL }

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
            };
        }
    }

    /** The most rows a check counts; a count of CAP means "at least CAP". */
    static final int CAP = 1000;

    private final Connection target;
    private final Duration timeout;
    /** Tables created by earlier statements of this run (by name), empty until something writes to them. */
    private final Set<String> created = new HashSet<>();
    /** Tables whose rows an earlier statement of this run changes, with where. */
    private final Map<String, String> changed = new HashMap<>();
    /** Enum types created by earlier statements of this run, with their labels. */
    private final Map<String, List<String>> enums = new HashMap<>();
    /** What the statement being checked changes, for the statements after it (not for its own checks). */
    private final Map<String, String> changing = new HashMap<>();
    /** Columns ("table\0column") added by earlier statements of this run without a default: null in every row. */
    private final Set<String> addedNull = new HashSet<>();
    /** A statement whose writes cannot be told (DO, CALL, SELECT, WITH), by where. */
    private String changesAnything;

    /**
     * @param target  the target database; used only in read-only transactions; must not be inside one
     * @param timeout statement_timeout and lock_timeout of each check (say 5s)
     * @param createdByRun tables (by name, unquoted as in the catalog) that the pending migrations create, if the caller knows them already
     */
    DataChecks(Connection target, Duration timeout, Set<String> createdByRun) {
        this.target = target;
        this.timeout = timeout;
        this.created.addAll(createdByRun);
    }

    /**
     * The data's answer for one pending statement; empty when its success does not depend on rows.
     * Call for every pending statement in order, including those that need no check.
     */
    List<Prediction> check(String file, int line, String sql) throws SQLException {
        List<Token> tokens = Token.scan(sql);
        String shown = show(tokens);
        List<Planned> planned = new ArrayList<>();
        Cursor c = new Cursor(tokens);
        if (c.keywords("alter", "table")) {
            alterTable(c, planned);
        } else if (c.keywords("create", "unique", "index")) {
            createUniqueIndex(c, planned);
        } else {
            remember(c, file, line);
        }
        List<Prediction> out = new ArrayList<>();
        for (Planned p : planned) out.add(decide(file, line, shown, p));
        changed.putAll(changing);
        changing.clear();
        return out;
    }

    // ------------------------------------------------------------------ what each form asks

    /** A check to run: on which table, asking what, with which query (null: decided without a query). */
    private record Planned(Name table, List<Name> alsoReads, String check, String query, Kind kind, Verdict fixed, String fixedDetail, String advice) {
        Planned(Name table, List<Name> alsoReads, String check, String query, Kind kind, Verdict fixed, String fixedDetail) {
            this(table, alsoReads, check, query, kind, fixed, fixedDetail, null);
        }
    }

    /** How to read the query's answer. */
    private enum Kind { ROWS, DUPLICATES, PRIMARY_KEY, CAST, ANY_ROW }

    private void alterTable(Cursor c, List<Planned> planned) {
        c.keywords("if", "exists");
        c.keywords("only");
        Name table = c.name();
        if (table == null) return;
        c.accept("*");
        for (int[] action : c.splitTopLevel(c.i, c.end, ",")) {
            Cursor a = new Cursor(c.t, action[0], action[1]);
            if (a.keywords("rename", "to")) {
                Name to = a.name();
                if (to != null) changing.put(to.name(), "it is " + table.sql() + " renamed");
            } else if (a.keywords("alter")) {
                a.keywords("column");
                String column = a.identifier();
                if (column == null) continue;
                if (addedNull.contains(table.name() + "\0" + column) && a.keywords("set", "not", "null")) {
                    planned.add(anyRow(table, "rows (" + quote(column) + " is added by this run without a default, so it is null in every row)",
                            "and " + quote(column) + ", added by this run without a default, is null in each; add it with a DEFAULT, or backfill it before SET NOT NULL"));
                } else if (a.keywords("set", "not", "null")) {
                    planned.add(rows(table, "nulls in " + quote(column), "row", "with a null in " + quote(column),
                            "fill them first (or drop the SET NOT NULL)", quote(column) + " is null"));
                } else if (a.keywords("set", "data", "type") || a.keywords("type")) {
                    planned.add(typeChange(table, column, a));
                    changing.put(table.name(), "an earlier ALTER COLUMN " + quote(column) + " TYPE rewrites its values");
                }
            } else if (a.keywords("add")) {
                String constraint = a.keywords("constraint") ? a.identifier() : null;
                if (a.keywords("check")) {
                    int[] expr = a.parens();
                    if (expr == null) continue;
                    if (a.has("not", "valid")) continue;
                    String e = Token.render(c.t, expr[0], expr[1]);
                    planned.add(rows(table, "rows violating CHECK (" + e + ")", "row", "violating CHECK (" + e + ")",
                            "fix those rows first, or add the constraint NOT VALID and VALIDATE it once they are fixed", "not (" + e + ")"));
                } else if (a.keywords("foreign", "key")) {
                    foreignKey(table, a, planned);
                } else if (a.keywords("primary", "key")) {
                    List<String> columns = a.columnList();
                    if (columns == null) {
                        planned.add(cannotTell(table, "a primary key using an existing index", "the index's columns are not read from the target"));
                    } else {
                        planned.add(newColumn(table, columns) != null
                                ? anyRow(table, "rows (" + quote(newColumn(table, columns)) + " is added by this run without a default, so it is null in every row)",
                                        "and " + quote(newColumn(table, columns)) + ", added by this run without a default, is null in each, which a primary key refuses")
                                : primaryKey(table, columns));
                    }
                } else if (a.keywords("unique")) {
                    boolean nullsNotDistinct = a.keywords("nulls", "not", "distinct");
                    a.keywords("nulls", "distinct");
                    List<String> columns = a.columnList();
                    if (columns == null) {
                        planned.add(cannotTell(table, "a unique constraint using an existing index", "the index's columns are not read from the target"));
                    } else {
                        List<String> keys = columns.stream().map(DataChecks::quote).toList();
                        planned.add(!nullsNotDistinct && newColumn(table, columns) != null
                                ? nullKey(table, "duplicates of (" + String.join(", ", keys) + ")", newColumn(table, columns))
                                : duplicates(table, keys, nullsNotDistinct, null));
                    }
                } else if (a.keywords("exclude")) {
                    planned.add(cannotTell(table, "an exclusion constraint", "exclusion constraints are not checked"));
                } else if (constraint == null) {
                    addColumn(table, a, planned);
                }
            } else if (a.keywords("validate", "constraint")) {
                planned.add(cannotTell(table, "VALIDATE CONSTRAINT", "the constraint's definition is not read from the target"));
            }
        }
    }

    /** ADD [COLUMN] [IF NOT EXISTS] name type ... NOT NULL (or PRIMARY KEY) without a default: fails on any row. */
    private void addColumn(Name table, Cursor a, List<Planned> planned) {
        a.keywords("column");
        a.keywords("if", "not", "exists");
        String column = a.identifier();
        if (column == null) return;
        boolean required = a.has("not", "null") || a.has("primary", "key");
        boolean filled = a.has("default") || a.has("generated") || a.hasAny("serial", "bigserial", "smallserial", "serial2", "serial4", "serial8");
        if (required && !filled) {
            planned.add(anyRow(table, "rows (a NOT NULL column " + quote(column) + " without a default)",
                    "and the new NOT NULL column " + quote(column) + " has no default to fill them; add a DEFAULT, or add it nullable, backfill, then SET NOT NULL"));
        }
        if (!filled) addedNull.add(table.name() + "\0" + column);
    }

    private static Planned anyRow(Name table, String check, String why) {
        return new Planned(table, List.of(), check, "select count(*) from (select from " + table.sql() + " limit " + CAP + ") s", Kind.ANY_ROW, null, why);
    }

    /** A key with a column this run adds without a default: null in every row, so no row can break a unique key or a simple foreign key. */
    private static Planned nullKey(Name table, String check, String column) {
        return new Planned(table, List.of(), check, null, null, Verdict.PASSES, quote(column) + " is added by this run without a default, so it is null in every row");
    }

    /** The first of these columns that this run adds without a default, or null. */
    private String newColumn(Name table, List<String> columns) {
        for (String c : columns) if (addedNull.contains(table.name() + "\0" + c)) return c;
        return null;
    }

    private void foreignKey(Name table, Cursor a, List<Planned> planned) {
        List<String> columns = a.columnList();
        if (columns == null || !a.keywords("references")) return;
        Name parent = a.name();
        if (parent == null) return;
        List<String> parentColumns = a.peek("(") ? a.columnList() : null;
        boolean full = a.keywords("match", "full");
        if (a.has("not", "valid")) return;
        if (!full && newColumn(table, columns) != null) {
            planned.add(nullKey(table, "orphans of (" + String.join(", ", columns.stream().map(DataChecks::quote).toList()) + ")", newColumn(table, columns)));
            return;
        }
        String shown = "whose (" + String.join(", ", columns.stream().map(DataChecks::quote).toList()) + ") has no row in " + parent.sql();
        StringJoiner allSet = new StringJoiner(" and "), anyNull = new StringJoiner(" or "), match = new StringJoiner(" and ");
        for (int k = 0; k < columns.size(); k++) {
            allSet.add("c." + quote(columns.get(k)) + " is not null");
            anyNull.add("c." + quote(columns.get(k)) + " is null");
            if (parentColumns != null && k < parentColumns.size()) match.add("p." + quote(parentColumns.get(k)) + " = c." + quote(columns.get(k)));
        }
        String orphan;
        if (created.contains(parent.name()) && !changed.containsKey(parent.name())) {
            orphan = "(" + allSet + ")";
        } else if (parentColumns == null || parentColumns.size() != columns.size()) {
            planned.add(cannotTell(table, "rows " + shown, "the referenced columns are not named, and the parent's primary key is not read from the target"));
            return;
        } else {
            orphan = "(" + allSet + ") and not exists (select from " + parent.sql() + " p where " + match + ")";
        }
        String where = full ? orphan + " or ((" + anyNull + ") and not (" + allSet.toString().replace("is not null", "is null") + "))" : orphan;
        planned.add(new Planned(table, List.of(parent), "rows " + shown,
                "select count(*) from (select from " + table.sql() + " c where " + where + " limit " + CAP + ") s", Kind.ROWS, null, "row " + shown,
                "delete or fix those rows first, or add the constraint NOT VALID and VALIDATE it once they are fixed"));
    }

    private Planned primaryKey(Name table, List<String> columns) {
        StringJoiner anyNull = new StringJoiner(" or "), keys = new StringJoiner(", ");
        for (String col : columns) {
            anyNull.add(quote(col) + " is null");
            keys.add(quote(col));
        }
        String query = "select (select count(*) from (select from " + table.sql() + " where " + anyNull + " limit " + CAP + ") n),"
                + " (select count(*) from (select from " + table.sql() + " group by " + keys + " having count(*) > 1 limit " + CAP + ") d)";
        return new Planned(table, List.of(), "nulls or duplicates of (" + keys + ")", query, Kind.PRIMARY_KEY, null, "(" + keys + ")", "remove the duplicates and fill the nulls first");
    }

    /** Key values that appear more than once; a null in a key column makes a row distinct unless NULLS NOT DISTINCT. */
    private Planned duplicates(Name table, List<String> keys, boolean nullsNotDistinct, String predicate) {
        StringJoiner where = new StringJoiner(" and ");
        if (predicate != null) where.add("(" + predicate + ")");
        if (!nullsNotDistinct) for (String k : keys) where.add("(" + k + ") is not null");
        String key = String.join(", ", keys);
        String query = "select count(*) from (select from " + table.sql() + (where.length() > 0 ? " where " + where : "")
                + " group by " + key + " having count(*) > 1 limit " + CAP + ") d";
        return new Planned(table, List.of(), "duplicates of (" + key + ")" + (predicate != null ? " where " + predicate : ""), query, Kind.DUPLICATES, null, "(" + key + ")", "remove the duplicates first");
    }

    /** Rows meeting a condition; the failure reads "N nouns what; advice". */
    private Planned rows(Name table, String check, String noun, String what, String advice, String condition) {
        return new Planned(table, List.of(), check, "select count(*) from (select from " + table.sql() + " where " + condition + " limit " + CAP + ") s", Kind.ROWS, null, noun + " " + what, advice);
    }

    private static Planned cannotTell(Name table, String check, String why) {
        return new Planned(table, List.of(), check, null, null, Verdict.CANNOT_TELL, why);
    }

    /**
     * ALTER COLUMN c [SET DATA] TYPE t [COLLATE x] [USING e]. The conversion is evaluated over every
     * row, read-only: a data error there is the error the migration would meet. Lengths of varchar(n)
     * and char(n) are counted instead, since an explicit cast truncates where the migration's
     * assignment refuses. A cast to an enum the run creates compares with its labels.
     */
    private Planned typeChange(Name table, String column, Cursor a) {
        int typeStart = a.i;
        int typeEnd = a.findTopLevel("collate", "using");
        String type = Token.render(a.t, typeStart, typeEnd);
        a.i = typeEnd;
        int usingAt = a.findTopLevel("using");
        String value = usingAt < a.end ? Token.render(a.t, usingAt + 1, a.end) : quote(column);
        String check = "value of " + quote(column) + " that " + type + " rejects";
        Cursor ty = new Cursor(a.t, typeStart, typeEnd);
        Name typeName = ty.name();
        if (typeName != null && enums.containsKey(typeName.name()) && ty.i == typeEnd) {
            // the value before its final cast to the new enum, as text, against the new labels
            List<Token> v = usingAt < a.end ? Token.unwrap(a.t.subList(usingAt + 1, a.end)) : List.of();
            int cast = v.size() - 1;
            while (cast > 0 && !v.get(cast).is("::")) cast--;
            if (cast <= 0 || !typeName.equals(new Cursor(v, cast + 1, v.size()).name())) {
                return cannotTell(table, check, "the USING expression is not a cast to " + typeName.sql());
            }
            String text = "(" + Token.render(v, 0, cast) + ")::text";
            StringJoiner labels = new StringJoiner(", ");
            for (String l : enums.get(typeName.name())) labels.add(literal(l));
            return rows(table, check, "value", "of " + quote(column) + " that " + (enums.get(typeName.name()).size() == 1 ? "is not the label" : "are not labels") + " of " + typeName.sql(),
                    "change those rows to a label " + typeName.sql() + " keeps first, or map them in the USING expression", text + " is not null and " + text + " not in (" + labels + ")");
        }
        ty.i = typeStart;
        String first = ty.identifier();
        String lengthOf = null;
        if ("varchar".equals(first) || "character".equals(first) && ty.keywords("varying")) lengthOf = "char_length((" + value + ")::text)";
        else if ("char".equals(first) || "character".equals(first) || "bpchar".equals(first)) lengthOf = "char_length(rtrim((" + value + ")::text, ' '))";
        if (lengthOf != null) {
            int[] n = ty.parens();
            if (n != null && n[1] == n[0] + 1 && ty.i == typeEnd && a.t.get(n[0]).kind() == Token.Kind.NUMBER) {
                String length = a.t.get(n[0]).text();
                return rows(table, check, "value", "of " + quote(column) + " longer than " + length + " characters",
                        "shorten them first, or choose a longer type", lengthOf + " > " + length);
            }
        }
        if (typeStart == typeEnd) return cannotTell(table, check, "the type is not read");
        return new Planned(table, List.of(), check, "select count((" + value + ")::" + type + ") from " + table.sql(), Kind.CAST, null, check, "fix those values first, or convert them in a USING expression");
    }

    private void createUniqueIndex(Cursor c, List<Planned> planned) {
        c.keywords("concurrently");
        c.keywords("if", "not", "exists");
        if (!c.peekKeyword("on")) c.name();
        if (!c.keywords("on")) return;
        c.keywords("only");
        Name table = c.name();
        if (table == null) return;
        if (c.keywords("using")) c.identifier();
        int[] elements = c.parens();
        if (elements == null) return;
        List<String> keys = new ArrayList<>();
        for (int[] e : c.splitTopLevel(elements[0], elements[1], ",")) {
            String key = indexKey(new Cursor(c.t, e[0], e[1]));
            if (key == null) {
                planned.add(cannotTell(table, "duplicates", "an index element is not read"));
                return;
            }
            keys.add(key);
        }
        if (c.keywords("include")) c.parens();
        boolean nullsNotDistinct = c.keywords("nulls", "not", "distinct");
        c.keywords("nulls", "distinct");
        int where = c.findTopLevel("where");
        String predicate = where < c.end ? Token.render(c.t, where + 1, c.end) : null;
        List<String> plain = new ArrayList<>();
        for (String k : keys) if (k.startsWith("\"") && k.endsWith("\"") && !k.contains(" collate ")) plain.add(k.substring(1, k.length() - 1).replace("\"\"", "\""));
        String added = newColumn(table, plain);
        planned.add(!nullsNotDistinct && added != null ? nullKey(table, "duplicates of (" + String.join(", ", keys) + ")", added) : duplicates(table, keys, nullsNotDistinct, predicate));
    }

    /** An index element as an expression: a column, a function call, a parenthesized expression; with its COLLATE. */
    private static String indexKey(Cursor e) {
        String key;
        if (e.peek("(")) {
            int[] p = e.parens();
            key = "(" + Token.render(e.t, p[0], p[1]) + ")";
        } else {
            int start = e.i;
            Name name = e.name();
            if (name == null) return null;
            if (e.peek("(")) {
                e.parens();
                key = Token.render(e.t, start, e.i);
            } else if (name.schema() == null) {
                key = quote(name.name());
            } else {
                return null;
            }
        }
        if (e.keywords("collate")) {
            Name collation = e.name();
            if (collation == null) return null;
            key = key + " collate " + collation.sql();
        }
        return key;
    }

    /** What a statement that needs no check does to rows and tables, for the checks after it. */
    private void remember(Cursor c, String file, int line) {
        String where = "the statement at " + file + " line " + line + " changes its rows first";
        int start = c.i;
        if (c.keywords("create")) {
            c.keywords("or", "replace");
            boolean temp = c.keywords("temporary") || c.keywords("temp") || c.keywords("unlogged");
            if (c.keywords("table")) {
                boolean maybe = c.keywords("if", "not", "exists");
                Name name = c.name();
                if (name != null && !temp) {
                    if (c.findTopLevel("as") < c.end) changed.put(name.name(), "it is created from a query");
                    else if (!maybe) { created.add(name.name()); changed.remove(name.name()); }
                }
            } else if (c.keywords("type")) {
                Name name = c.name();
                if (name != null && c.keywords("as", "enum")) {
                    int[] labels = c.parens();
                    List<String> values = new ArrayList<>();
                    if (labels != null) for (int[] l : c.splitTopLevel(labels[0], labels[1], ",")) {
                        Token t = c.t.get(l[0]);
                        if (t.kind == Token.Kind.STRING && l[1] == l[0] + 1) values.add(t.value);
                    }
                    enums.put(name.name(), values);
                }
            }
            return;
        }
        c.i = start;
        Name table = null;
        if (c.keywords("insert", "into") || c.keywords("merge", "into")) table = c.name();
        else if (c.keywords("update") || c.keywords("delete", "from") || c.keywords("copy")) { c.keywords("only"); table = c.name(); }
        else if (c.keywords("truncate")) { c.keywords("table"); c.keywords("only"); table = c.name(); }
        else if (c.keywords("do") || c.keywords("call") || c.keywords("select") || c.keywords("with") || c.keywords("execute")) {
            changesAnything = "the statement at " + file + " line " + line + " may change any table's rows first";
            return;
        }
        if (table != null) changed.put(table.name(), where);
    }

    // ------------------------------------------------------------------ asking the target

    private Prediction decide(String file, int line, String shown, Planned p) throws SQLException {
        String table = p.table().sql();
        if (p.fixed() == Verdict.CANNOT_TELL) return new Prediction(file, line, shown, table, p.check(), p.fixed(), -1, p.fixedDetail());
        for (Name n : concat(p.table(), p.alsoReads())) {
            if (changed.containsKey(n.name())) return new Prediction(file, line, shown, table, p.check(), Verdict.CANNOT_TELL, -1, n.sql() + ": " + changed.get(n.name()));
        }
        if (changesAnything != null) return new Prediction(file, line, shown, table, p.check(), Verdict.CANNOT_TELL, -1, changesAnything);
        if (p.fixed() != null) return new Prediction(file, line, shown, table, p.check(), p.fixed(), 0, p.fixedDetail());
        if (created.contains(p.table().name())) return new Prediction(file, line, shown, table, p.check(), Verdict.PASSES, 0, "created by this run, so it holds no rows");
        long[] answer;
        try {
            answer = readOnly(target, timeout, p.query());
        } catch (SQLException e) {
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            if (state.startsWith("08")) throw e;
            String message = Database.firstLine(String.valueOf(e.getMessage())).replaceFirst("^ERROR: ", "");
            if (p.kind() == Kind.CAST && state.startsWith("22")) {
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

    private static Prediction pass(String file, int line, String shown, Planned p) {
        return new Prediction(file, line, shown, p.table().sql(), p.check(), Verdict.PASSES, 0, null);
    }

    private static Prediction fail(String file, int line, String shown, Planned p, long count, String detail) {
        return new Prediction(file, line, shown, p.table().sql(), p.check(), Verdict.FAILS, Math.min(count, CAP), detail);
    }

    private static List<Name> concat(Name first, List<Name> rest) {
        List<Name> all = new ArrayList<>(List.of(first));
        all.addAll(rest);
        return all;
    }

    private static String plural(long n, String word) {
        return n == 1 ? word : word + "s";
    }

    /**
     * Runs one query in a read-only transaction with a local statement_timeout and lock_timeout,
     * then rolls back; returns the first row's numbers. Two round trips: the settings and the query
     * go together, then the rollback. The connection's auto-commit is put back as it was.
     */
    static long[] readOnly(Connection c, Duration timeout, String query) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            long ms = Math.max(1, timeout.toMillis());
            st.execute("set transaction read only; set local statement_timeout = " + ms + "; set local lock_timeout = " + ms + "; " + query);
            while (st.getResultSet() == null) {
                if (!st.getMoreResults() && st.getUpdateCount() == -1) throw new SQLException("the check returned no rows");
            }
            try (ResultSet rs = st.getResultSet()) {
                if (!rs.next()) throw new SQLException("the check returned no rows");
                int n = rs.getMetaData().getColumnCount();
                long[] row = new long[n];
                for (int i = 0; i < n; i++) row[i] = rs.getLong(i + 1);
                return row;
            }
        } finally {
            Database.rollbackQuietly(c);
            c.setAutoCommit(auto);
        }
    }

    // ------------------------------------------------------------------ reading statements

    /** An identifier as SQL, always quoted (so case, keywords and any character are safe). */
    static String quote(String identifier) {
        if (identifier.indexOf('\0') >= 0) throw new IllegalArgumentException("an identifier cannot hold a NUL character");
        return SqlScript.identifier(identifier);
    }

    static String literal(String text) {
        if (text.indexOf('\0') >= 0) throw new IllegalArgumentException("a literal cannot hold a NUL character");
        return "'" + text.replace("'", "''") + "'";
    }

    /** A statement as reports show it: without comments, on one line, at most 100 characters. */
    static String show(String sql) {
        return show(Token.scan(sql));
    }

    private static String show(List<Token> tokens) {
        return shorten(Token.render(tokens, 0, tokens.size()));
    }

    static String shorten(String sql) {
        String one = sql.strip().replaceAll("\\s+", " ");
        return one.length() > 100 ? one.substring(0, 97) + "..." : one;
    }

    /** A relation's name as written: schema (or null) and name, both as the catalog spells them. */
    record Name(String schema, String name) {
        String sql() {
            return schema == null ? quote(name) : quote(schema) + "." + quote(name);
        }
    }

    /** One lexical token of PostgreSQL SQL, with its source text and (for identifiers and strings) its value. */
    record Token(Kind kind, String text, String value, boolean spaceBefore) {
        enum Kind { WORD, QUOTED, STRING, NUMBER, OPERATOR, PUNCT, PARAM }

        boolean is(String s) {
            return (kind == Kind.OPERATOR || kind == Kind.PUNCT) && text.equals(s);
        }

        boolean keyword(String k) {
            return kind == Kind.WORD && value.equals(k);
        }

        /** Tokens of a statement; comments are dropped, whitespace only remembered. */
        static List<Token> scan(String sql) {
            List<Token> out = new ArrayList<>();
            int i = 0, n = sql.length();
            boolean space = false;
            while (i < n) {
                char ch = sql.charAt(i);
                if (Character.isWhitespace(ch)) { space = true; i++; continue; }
                if (sql.startsWith("--", i)) { int e = sql.indexOf('\n', i); i = e < 0 ? n : e; space = true; continue; }
                if (sql.startsWith("/*", i)) {
                    int depth = 0, j = i;
                    do {
                        if (sql.startsWith("/*", j)) { depth++; j += 2; } else if (sql.startsWith("*/", j)) { depth--; j += 2; } else j++;
                    } while (depth > 0 && j < n);
                    i = j; space = true; continue;
                }
                int start = i;
                Kind kind;
                String value = null;
                if (ch == '"') {
                    StringBuilder v = new StringBuilder();
                    int j = i + 1;
                    while (j < n) {
                        if (sql.charAt(j) == '"') { if (j + 1 < n && sql.charAt(j + 1) == '"') { v.append('"'); j += 2; continue; } break; }
                        v.append(sql.charAt(j++));
                    }
                    i = Math.min(j + 1, n);
                    kind = Kind.QUOTED;
                    value = v.toString();
                } else if (ch == '\'' || (i + 1 < n && sql.charAt(i + 1) == '\'' && "eEbBxXnN".indexOf(ch) >= 0)) {
                    boolean escapes = ch == 'e' || ch == 'E';
                    int j = ch == '\'' ? i + 1 : i + 2;
                    StringBuilder v = new StringBuilder();
                    while (j < n) {
                        char d = sql.charAt(j);
                        if (escapes && d == '\\' && j + 1 < n) { v.append(sql.charAt(j + 1)); j += 2; continue; }
                        if (d == '\'') { if (j + 1 < n && sql.charAt(j + 1) == '\'') { v.append('\''); j += 2; continue; } break; }
                        v.append(d);
                        j++;
                    }
                    i = Math.min(j + 1, n);
                    kind = Kind.STRING;
                    value = v.toString();
                } else if (ch == '$' && i + 1 < n && Character.isDigit(sql.charAt(i + 1))) {
                    i++;
                    while (i < n && Character.isDigit(sql.charAt(i))) i++;
                    kind = Kind.PARAM;
                } else if (ch == '$') {
                    java.util.regex.Matcher tag = java.util.regex.Pattern.compile("\\$[A-Za-z_][A-Za-z_0-9]*\\$|\\$\\$").matcher(sql).region(i, n);
                    if (tag.lookingAt()) {
                        int e = sql.indexOf(tag.group(), i + tag.group().length());
                        value = e < 0 ? sql.substring(i + tag.group().length()) : sql.substring(i + tag.group().length(), e);
                        i = e < 0 ? n : e + tag.group().length();
                        kind = Kind.STRING;
                    } else { i++; kind = Kind.OPERATOR; }
                } else if (Character.isDigit(ch) || (ch == '.' && i + 1 < n && Character.isDigit(sql.charAt(i + 1)))) {
                    while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '.' || sql.charAt(i) == '_'
                            || ((sql.charAt(i) == '+' || sql.charAt(i) == '-') && (sql.charAt(i - 1) == 'e' || sql.charAt(i - 1) == 'E')))) {
                        if (sql.charAt(i) == '.' && i + 1 < n && sql.charAt(i + 1) == '.') break;
                        i++;
                    }
                    kind = Kind.NUMBER;
                } else if (Character.isLetter(ch) || ch == '_' || ch > 127) {
                    while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_' || sql.charAt(i) == '$' || sql.charAt(i) > 127)) i++;
                    kind = Kind.WORD;
                    value = sql.substring(start, i).toLowerCase(java.util.Locale.ROOT);
                } else if ("(),;[].".indexOf(ch) >= 0) {
                    i++;
                    kind = Kind.PUNCT;
                } else {
                    while (i < n && "+-*/<>=~!@#%^&|`?:".indexOf(sql.charAt(i)) >= 0 && !sql.startsWith("--", i) && !sql.startsWith("/*", i)) i++;
                    if (i == start) i++;
                    kind = Kind.OPERATOR;
                }
                if (kind == Kind.PUNCT && ch == ';') { space = true; continue; }
                out.add(new Token(kind, sql.substring(start, i), value, space && !out.isEmpty()));
                space = false;
            }
            return out;
        }

        /** The tokens [from, to) as SQL text, lexically the same as the source without its comments. */
        static String render(List<Token> tokens, int from, int to) {
            StringBuilder sb = new StringBuilder();
            for (int i = from; i < to; i++) {
                if (i > from && tokens.get(i).spaceBefore) sb.append(' ');
                sb.append(tokens.get(i).text);
            }
            return sb.toString();
        }

        /** Tokens without parentheses that wrap all of them. */
        static List<Token> unwrap(List<Token> tokens) {
            List<Token> t = tokens;
            while (t.size() >= 2 && t.get(0).is("(") && new Cursor(t).closing(0) == t.size() - 1) t = t.subList(1, t.size() - 1);
            return t;
        }
    }

    /** A position in a statement's tokens, with the few moves the recognizer needs. */
    static final class Cursor {
        final List<Token> t;
        int i;
        final int end;

        Cursor(List<Token> t) { this(t, 0, t.size()); }

        Cursor(List<Token> t, int from, int to) {
            this.t = t;
            this.i = from;
            this.end = to;
        }

        /** Consumes the keywords if they all come next (unquoted words only). */
        boolean keywords(String... words) {
            for (int k = 0; k < words.length; k++) {
                if (i + k >= end || !t.get(i + k).keyword(words[k])) return false;
            }
            i += words.length;
            return true;
        }

        boolean peekKeyword(String word) {
            return i < end && t.get(i).keyword(word);
        }

        boolean peek(String punct) {
            return i < end && t.get(i).is(punct);
        }

        boolean accept(String punct) {
            if (!peek(punct)) return false;
            i++;
            return true;
        }

        /** Whether the words come in this order anywhere ahead, outside parentheses. */
        boolean has(String... words) {
            int depth = 0;
            for (int k = i; k < end; k++) {
                if (t.get(k).is("(")) depth++;
                else if (t.get(k).is(")")) depth--;
                else if (depth == 0 && new Cursor(t, k, end).keywords(words)) return true;
            }
            return false;
        }

        boolean hasAny(String... words) {
            for (String w : words) if (has(w)) return true;
            return false;
        }

        /** An identifier (a plain word, folded to lower case, or a quoted one, as is). */
        String identifier() {
            if (i >= end) return null;
            Token tok = t.get(i);
            if (tok.kind == Token.Kind.WORD || tok.kind == Token.Kind.QUOTED) {
                i++;
                return tok.value;
            }
            return null;
        }

        /** A relation name: name or schema.name (a database-qualified one is not read). */
        Name name() {
            String first = identifier();
            if (first == null) return null;
            if (peek(".")) {
                i++;
                String second = identifier();
                if (second == null || peek(".")) return null;
                return new Name(first, second);
            }
            return new Name(null, first);
        }

        /** Index of the parenthesis that closes the one at open. */
        int closing(int open) {
            int depth = 0;
            for (int k = open; k < end; k++) {
                if (t.get(k).is("(")) depth++;
                else if (t.get(k).is(")") && --depth == 0) return k;
            }
            return -1;
        }

        /** A parenthesized group next: returns the range inside it and moves past it; null if none. */
        int[] parens() {
            if (!peek("(")) return null;
            int close = closing(i);
            if (close < 0) return null;
            int[] inside = {i + 1, close};
            i = close + 1;
            return inside;
        }

        /** ( col, "Col", ... ): the names, or null when the next thing is not such a list. */
        List<String> columnList() {
            int save = i;
            int[] p = parens();
            if (p == null) return null;
            List<String> names = new ArrayList<>();
            for (int[] part : splitTopLevel(p[0], p[1], ",")) {
                Cursor c = new Cursor(t, part[0], part[1]);
                String name = c.identifier();
                if (name == null || c.i != c.end) { i = save; return null; }
                names.add(name);
            }
            return names;
        }

        /** The first top-level keyword of these ahead (outside parentheses), or end. */
        int findTopLevel(String... words) {
            int depth = 0;
            for (int k = i; k < end; k++) {
                if (t.get(k).is("(") || t.get(k).is("[")) depth++;
                else if (t.get(k).is(")") || t.get(k).is("]")) depth--;
                else if (depth == 0) for (String w : words) if (t.get(k).keyword(w)) return k;
            }
            return end;
        }

        /** Ranges of [from, to) between top-level separators. */
        List<int[]> splitTopLevel(int from, int to, String separator) {
            List<int[]> parts = new ArrayList<>();
            int depth = 0, start = from;
            for (int k = from; k < to; k++) {
                Token tok = t.get(k);
                if (tok.is("(") || tok.is("[")) depth++;
                else if (tok.is(")") || tok.is("]")) depth--;
                else if (depth == 0 && tok.is(separator)) { parts.add(new int[] {start, k}); start = k + 1; }
            }
            if (start < to) parts.add(new int[] {start, to});
            return parts;
        }
    }
}
