//SOURCES SqlLexer.java SqlCursor.java SqlScript.java SqlStatement.java AlterAction.java RunTables.java DataChecks.java
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * What each statement form asks of the target's rows, as one bounded query ({@link Planned}): SET
 * NOT NULL (nulls?), a primary key, unique constraint or unique index (duplicates?), a foreign key
 * (orphans?), a CHECK (violating rows?), a type change (a value it rejects?), a NOT NULL column
 * without a default (any row?). Identifiers in the queries are always quoted; expressions (a
 * CHECK, a USING, an index's WHERE) are the migration's own tokens, without comments, run
 * read-only by {@link DataChecks}.
 */
final class DataCheckQueries {

    /** A check to run: on which table, asking what, with which query (null: decided without a query). */
    record Planned(SqlCursor.Name table, List<SqlCursor.Name> alsoReads, String check, String query, Kind kind, DataChecks.Verdict fixed, String fixedDetail, String advice) {
        Planned(SqlCursor.Name table, List<SqlCursor.Name> alsoReads, String check, String query, Kind kind, DataChecks.Verdict fixed, String fixedDetail) {
            this(table, alsoReads, check, query, kind, fixed, fixedDetail, null);
        }
    }

    /** How to read the query's answer. */
    enum Kind { ROWS, DUPLICATES, PRIMARY_KEY, CAST, ANY_ROW }

    private static final int CAP = DataChecks.CAP;
    private final RunTables run;
    /** Tables whose rows an earlier statement of this run changes, with where. */
    private final Map<String, String> changed;
    /** Enum types created by earlier statements of this run, with their labels. */
    private final Map<String, List<String>> enums;

    DataCheckQueries(RunTables run, Map<String, String> changed, Map<String, List<String>> enums) {
        this.run = run;
        this.changed = changed;
        this.enums = enums;
    }

    /** The checks of one ALTER TABLE action, read with what the run did before it. */
    void plan(SqlCursor.Name table, AlterAction action, List<Planned> planned) {
        if (action instanceof AlterAction.SetNotNull s && run.nullInEveryRow(table.name(), s.column())) {
            planned.add(anyRow(table, "rows (" + quote(s.column()) + " is added by this run without a default, so it is null in every row)",
                    "and " + quote(s.column()) + ", added by this run without a default, is null in each; add it with a DEFAULT, or backfill it before SET NOT NULL"));
        } else if (action instanceof AlterAction.SetNotNull s) {
            planned.add(rows(table, "nulls in " + quote(s.column()), "row", "with a null in " + quote(s.column()),
                    "fill them first (or drop the SET NOT NULL)", quote(s.column()) + " is null"));
        } else if (action instanceof AlterAction.ChangeType c) {
            planned.add(typeChange(table, c));
        } else if (action instanceof AlterAction.AddCheck k && !k.notValid()) {
            String e = SqlLexer.render(k.condition());
            planned.add(rows(table, "rows violating CHECK (" + e + ")", "row", "violating CHECK (" + e + ")",
                    "fix those rows first, or add the constraint NOT VALID and VALIDATE it once they are fixed", "not (" + e + ")"));
        } else if (action instanceof AlterAction.AddForeignKey f && !f.notValid()) {
            foreignKey(table, f, planned);
        } else if (action instanceof AlterAction.AddPrimaryKey p) {
            String added = p.columns() == null ? null : newColumn(table, p.columns());
            planned.add(p.columns() == null ? cannotTell(table, "a primary key using an existing index", "the index's columns are not read from the target")
                    : added != null ? anyRow(table, "rows (" + quote(added) + " is added by this run without a default, so it is null in every row)",
                            "and " + quote(added) + ", added by this run without a default, is null in each, which a primary key refuses")
                    : primaryKey(table, p.columns()));
        } else if (action instanceof AlterAction.AddUnique u) {
            if (u.columns() == null) {
                planned.add(cannotTell(table, "a unique constraint using an existing index", "the index's columns are not read from the target"));
                return;
            }
            List<String> keys = u.columns().stream().map(DataCheckQueries::quote).toList();
            planned.add(!u.nullsNotDistinct() && newColumn(table, u.columns()) != null
                    ? nullKey(table, "duplicates of (" + String.join(", ", keys) + ")", newColumn(table, u.columns()))
                    : duplicates(table, keys, u.nullsNotDistinct(), null));
        } else if (action instanceof AlterAction.AddExclude) {
            planned.add(cannotTell(table, "an exclusion constraint", "exclusion constraints are not checked"));
        } else if (action instanceof AlterAction.AddColumn c && c.required() && !c.filled()) {
            planned.add(anyRow(table, "rows (a NOT NULL column " + quote(c.column()) + " without a default)",
                    "and the new NOT NULL column " + quote(c.column()) + " has no default to fill them; add a DEFAULT, or add it nullable, backfill, then SET NOT NULL"));
        } else if (action instanceof AlterAction.ValidateConstraint) {
            planned.add(cannotTell(table, "VALIDATE CONSTRAINT", "the constraint's definition is not read from the target"));
        }
    }

    /** CREATE UNIQUE INDEX: key values that more rows than one hold, among the rows its WHERE picks. */
    void uniqueIndex(SqlStatement.CreateIndex index, List<Planned> planned) {
        if (index.elements() == null) return;
        SqlCursor.Name table = index.table();
        List<String> keys = new ArrayList<>();
        for (List<SqlLexer.Token> element : index.elements()) {
            String key = indexKey(new SqlCursor(element));
            if (key == null) {
                planned.add(cannotTell(table, "duplicates", "an index element is not read"));
                return;
            }
            keys.add(key);
        }
        String predicate = index.predicate() == null ? null : SqlLexer.render(index.predicate());
        List<String> plain = new ArrayList<>();
        for (String k : keys) if (k.startsWith("\"") && k.endsWith("\"") && !k.contains(" collate ")) plain.add(k.substring(1, k.length() - 1).replace("\"\"", "\""));
        String added = newColumn(table, plain);
        planned.add(!index.nullsNotDistinct() && added != null ? nullKey(table, "duplicates of (" + String.join(", ", keys) + ")", added)
                : duplicates(table, keys, index.nullsNotDistinct(), predicate));
    }

    private static Planned anyRow(SqlCursor.Name table, String check, String why) {
        return new Planned(table, List.of(), check, "select count(*) from (select from " + table.sql() + " limit " + CAP + ") s", Kind.ANY_ROW, null, why);
    }

    /** A key with a column this run adds without a default: null in every row, so no row can break a unique key or a simple foreign key. */
    private static Planned nullKey(SqlCursor.Name table, String check, String column) {
        return new Planned(table, List.of(), check, null, null, DataChecks.Verdict.PASSES, quote(column) + " is added by this run without a default, so it is null in every row");
    }

    /** The first of these columns that this run adds without a default, or null. */
    private String newColumn(SqlCursor.Name table, List<String> columns) {
        for (String c : columns) if (run.nullInEveryRow(table.name(), c)) return c;
        return null;
    }

    private void foreignKey(SqlCursor.Name table, AlterAction.AddForeignKey f, List<Planned> planned) {
        List<String> columns = f.columns(), parentColumns = f.parentColumns();
        SqlCursor.Name parent = f.parent();
        String keys = String.join(", ", columns.stream().map(DataCheckQueries::quote).toList());
        if (!f.matchFull() && newColumn(table, columns) != null) {
            planned.add(nullKey(table, "orphans of (" + keys + ")", newColumn(table, columns)));
            return;
        }
        String shown = "whose (" + keys + ") has no row in " + parent.sql();
        StringJoiner allSet = new StringJoiner(" and "), anyNull = new StringJoiner(" or "), match = new StringJoiner(" and ");
        for (int k = 0; k < columns.size(); k++) {
            allSet.add("c." + quote(columns.get(k)) + " is not null");
            anyNull.add("c." + quote(columns.get(k)) + " is null");
            if (parentColumns != null && k < parentColumns.size()) match.add("p." + quote(parentColumns.get(k)) + " = c." + quote(columns.get(k)));
        }
        String orphan;
        if (run.createdByRun(parent.name()) && !changed.containsKey(parent.name())) {
            orphan = "(" + allSet + ")";
        } else if (parentColumns == null || parentColumns.size() != columns.size()) {
            planned.add(cannotTell(table, "rows " + shown, "the referenced columns are not named, and the parent's primary key is not read from the target"));
            return;
        } else {
            orphan = "(" + allSet + ") and not exists (select from " + parent.sql() + " p where " + match + ")";
        }
        String where = f.matchFull() ? orphan + " or ((" + anyNull + ") and not (" + allSet.toString().replace("is not null", "is null") + "))" : orphan;
        planned.add(new Planned(table, List.of(parent), "rows " + shown,
                "select count(*) from (select from " + table.sql() + " c where " + where + " limit " + CAP + ") s", Kind.ROWS, null, "row " + shown,
                "delete or fix those rows first, or add the constraint NOT VALID and VALIDATE it once they are fixed"));
    }

    private static Planned primaryKey(SqlCursor.Name table, List<String> columns) {
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
    private static Planned duplicates(SqlCursor.Name table, List<String> keys, boolean nullsNotDistinct, String predicate) {
        StringJoiner where = new StringJoiner(" and ");
        if (predicate != null) where.add("(" + predicate + ")");
        if (!nullsNotDistinct) for (String k : keys) where.add("(" + k + ") is not null");
        String key = String.join(", ", keys);
        String query = "select count(*) from (select from " + table.sql() + (where.length() > 0 ? " where " + where : "")
                + " group by " + key + " having count(*) > 1 limit " + CAP + ") d";
        return new Planned(table, List.of(), "duplicates of (" + key + ")" + (predicate != null ? " where " + predicate : ""), query, Kind.DUPLICATES, null, "(" + key + ")", "remove the duplicates first");
    }

    /** Rows meeting a condition; the failure reads "N nouns what; advice". */
    private static Planned rows(SqlCursor.Name table, String check, String noun, String what, String advice, String condition) {
        return new Planned(table, List.of(), check, "select count(*) from (select from " + table.sql() + " where " + condition + " limit " + CAP + ") s", Kind.ROWS, null, noun + " " + what, advice);
    }

    private static Planned cannotTell(SqlCursor.Name table, String check, String why) {
        return new Planned(table, List.of(), check, null, null, DataChecks.Verdict.CANNOT_TELL, why);
    }

    /**
     * ALTER COLUMN c [SET DATA] TYPE t [COLLATE x] [USING e]. The conversion is evaluated over every
     * row, read-only: a data error there is the error the migration would meet. Lengths of varchar(n)
     * and char(n) are counted instead, since an explicit cast truncates where the migration's
     * assignment refuses. A cast to an enum the run creates compares with its labels.
     */
    private Planned typeChange(SqlCursor.Name table, AlterAction.ChangeType change) {
        String column = change.column();
        List<SqlLexer.Token> t = change.type();
        String type = SqlLexer.render(t);
        String value = change.using() != null ? SqlLexer.render(change.using()) : quote(column);
        String check = "value of " + quote(column) + " that " + type + " rejects";
        SqlCursor ty = new SqlCursor(t);
        SqlCursor.Name typeName = ty.name();
        if (typeName != null && enums.containsKey(typeName.name()) && ty.atEnd()) {
            // the value before its final cast to the new enum, as text, against the new labels
            List<SqlLexer.Token> v = change.using() != null ? SqlCursor.unwrap(change.using()) : List.of();
            int cast = v.size() - 1;
            while (cast > 0 && !v.get(cast).is("::")) cast--;
            if (cast <= 0 || !typeName.equals(new SqlCursor(v, cast + 1, v.size()).name())) {
                return cannotTell(table, check, "the USING expression is not a cast to " + typeName.sql());
            }
            String text = "(" + SqlLexer.render(v, 0, cast) + ")::text";
            StringJoiner labels = new StringJoiner(", ");
            for (String l : enums.get(typeName.name())) labels.add(SqlScript.literal(l));
            return rows(table, check, "value", "of " + quote(column) + " that " + (enums.get(typeName.name()).size() == 1 ? "is not the label" : "are not labels") + " of " + typeName.sql(),
                    "change those rows to a label " + typeName.sql() + " keeps first, or map them in the USING expression", text + " is not null and " + text + " not in (" + labels + ")");
        }
        ty = new SqlCursor(t);
        String first = ty.identifier();
        String lengthOf = null;
        if ("varchar".equals(first) || "character".equals(first) && ty.keywords("varying")) lengthOf = "char_length((" + value + ")::text)";
        else if ("char".equals(first) || "character".equals(first) || "bpchar".equals(first)) lengthOf = "char_length(rtrim((" + value + ")::text, ' '))";
        if (lengthOf != null) {
            int[] n = ty.parens();
            if (n != null && n[1] == n[0] + 1 && ty.atEnd() && t.get(n[0]).kind() == SqlLexer.Token.Kind.NUMBER) {
                String length = t.get(n[0]).text();
                return rows(table, check, "value", "of " + quote(column) + " longer than " + length + " characters",
                        "shorten them first, or choose a longer type", lengthOf + " > " + length);
            }
        }
        if (t.isEmpty()) return cannotTell(table, check, "the type is not read");
        return new Planned(table, List.of(), check, "select count((" + value + ")::" + type + ") from " + table.sql(), Kind.CAST, null, check, "fix those values first, or convert them in a USING expression");
    }

    /** An index element as an expression: a column, a function call, a parenthesized expression; with its COLLATE. */
    private static String indexKey(SqlCursor e) {
        String key;
        if (e.peek("(")) {
            int[] p = e.parens();
            if (p == null) return null;
            key = "(" + SqlLexer.render(e.t, p[0], p[1]) + ")";
        } else {
            int start = e.i;
            SqlCursor.Name name = e.name();
            if (name == null) return null;
            if (e.peek("(")) {
                e.parens();
                key = SqlLexer.render(e.t, start, e.i);
            } else if (name.schema() == null) {
                key = quote(name.name());
            } else {
                return null;
            }
        }
        if (e.keywords("collate")) {
            SqlCursor.Name collation = e.name();
            if (collation == null) return null;
            key = key + " collate " + collation.sql();
        }
        return key;
    }

    private static String quote(String identifier) {
        return SqlScript.identifier(identifier);
    }
}
