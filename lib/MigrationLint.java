//SOURCES SqlScript.java SqlCursor.java SqlStatement.java AlterAction.java RunTables.java MigrationFile.java Relations.java
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads pending migrations before they run and flags what hurts a live database, in the spirit of
 * the squawk linter: statements that lose data stop the run (unless --allow-destructive), those
 * that hold heavy locks or break the running app are warnings. Each finding names the file, the
 * line, the statement and the safer way. A finding is raised only where data or a live app can be
 * hurt: a relation that exists before the run and holds rows. One created by a migration of the
 * same run (under whatever name a later rename gives it, followed by {@link RunTables}), or one
 * that is empty, has nothing to lose and no app using it yet; an empty one gets a note. So a run
 * that resumes an interrupted deploy judges the same statements as the run that started it.
 * Statements are recognised by their kind ({@link SqlStatement}), whatever their spelling.
 */
final class MigrationLint {

    record Finding(String file, int line, String statement, String problem, String saferWay, boolean losesData) {
        String sentence() {
            return file + " line " + line + ": " + statement + " " + problem + "; " + saferWay + ".";
        }
    }

    /**
     * Where the relations the migrations touch stand before the run (names as they are then): which
     * exist, which hold rows, and of the columns they drop, those with a value in some row (null:
     * not asked, so every one counts as holding values).
     */
    record Before(Set<String> existing, Set<String> holdingRows, Set<Relations.Column> columnsWithValues) {
        Before(Set<String> existing, Set<String> holdingRows) {
            this(existing, holdingRows, null);
        }

        boolean hasValues(Relations.Column column) {
            return columnsWithValues == null || columnsWithValues.contains(column);
        }
    }

    /** What the lint asks of the database, read-only: the relations the migrations touch, and the columns they drop, by their names before the run. */
    record Touched(Set<String> relations, Set<Relations.Column> droppedColumns) {}

    /** The findings, and notes about statements that would be findings on a table with rows. */
    record Result(List<Finding> findings, List<String> notes) {}

    /** What a statement does that can hurt, in the operator's words; in the order a statement's findings are given. */
    enum Problem {
        DROPS_TABLE("drops a table and every row in it", "make sure nothing reads it any more and that it is backed up, then run with --allow-destructive", true),
        DROPS_SCHEMA("drops a schema and everything in it", "make sure it is backed up, then run with --allow-destructive", true),
        DROPS_DATABASE("drops a database and everything in it", "make sure it is backed up, then run with --allow-destructive", true),
        DROPS_OWNED("drops every object the role owns, tables and their rows included", "make sure nothing of it is needed and that it is backed up, then run with --allow-destructive", true),
        DROPS_DEPENDENT_COLUMNS("also drops, in any table, every column that depends on it, with their data",
                "drop or convert those columns first, in statements of their own, then drop it without CASCADE; or run with --allow-destructive", true),
        TRUNCATES("deletes every row of the table", "delete only the rows you mean with a WHERE clause, or run with --allow-destructive", true),
        TRUNCATES_REFERENCING("deletes every row of the table and, through CASCADE, of every table that references it",
                "truncate the tables you mean by name, without CASCADE, or run with --allow-destructive", true),
        DELETES_ALL("has no WHERE clause, so it deletes every row", "add a WHERE clause, or run with --allow-destructive if every row must go", true),
        DELETES_ALL_ALWAYS_TRUE("has a WHERE clause that is always true, so it deletes every row",
                "write the condition that picks the rows to delete, or run with --allow-destructive if every row must go", true),
        UPDATES_ALL("has no WHERE clause, so it overwrites every row", "add a WHERE clause, or run with --allow-destructive if every row must change", true),
        UPDATES_ALL_ALWAYS_TRUE("has a WHERE clause that is always true, so it overwrites every row",
                "write the condition that picks the rows to change, or run with --allow-destructive if every row must change", true),
        DROPS_COLUMN("drops a column and its data", "stop the app using the column first, back it up, then run with --allow-destructive", true),
        REPLACES_COLUMN("changes a column's type with a USING expression that does not read the column, so every value in it is replaced",
                "convert the column's own values in the USING expression, or run with --allow-destructive if they must go", true),
        REWRITES("rewrites the table under an exclusive lock that blocks reads and writes", "add a new column, backfill it in batches, then switch the app over", false),
        REQUIRED_COLUMN("adds a NOT NULL column without a default, which fails on a table that has rows", "add it with a DEFAULT, or nullable, backfill, then SET NOT NULL", false),
        RENAMES("renames while the running app still uses the old name, so its queries fail until it is redeployed",
                "add the new name, move the app over, and drop the old one in a later release", false),
        BLOCKS_WRITES("blocks writes to \"%s\" while the index builds", "use CREATE INDEX CONCURRENTLY, alone in a migration of its own", false);

        final String problem, saferWay;
        final boolean losesData;

        Problem(String problem, String saferWay, boolean losesData) {
            this.problem = problem;
            this.saferWay = saferWay;
            this.losesData = losesData;
        }
    }

    /** The relations and columns (by their names before the run) whose state the lint needs: look them up with {@link Relations}, read-only. */
    static Touched touched(List<MigrationFile> pending) {
        Walk walk = new Walk(null);
        walk.all(pending);
        return new Touched(walk.ask, walk.askColumns);
    }

    static Result check(List<MigrationFile> pending, Before before) {
        Walk walk = new Walk(before);
        walk.all(pending);
        return new Result(walk.findings, walk.notes);
    }

    /** One pass over the statements in the order a run applies them. Without `before`, only collects the names to look up. */
    private static final class Walk {
        final Before before;
        final Set<String> ask = new HashSet<>();
        final Set<Relations.Column> askColumns = new HashSet<>();
        /** Relations (by their names before the run) some of whose columns the run renamed: a column dropped there may be another than its name says. */
        final Set<String> columnsRenamed = new HashSet<>();
        final List<Finding> findings = new ArrayList<>();
        final List<String> notes = new ArrayList<>();
        final RunTables run = new RunTables(Set.of());
        MigrationFile file;
        SqlScript.Statement st;

        Walk(Before before) {
            this.before = before;
        }

        void all(List<MigrationFile> pending) {
            for (MigrationFile f : pending) {
                file = f;
                for (SqlScript.Statement s : f.statements()) {
                    st = s;
                    statement(SqlStatement.read(s.tokens()));
                }
            }
        }

        void statement(SqlStatement s) {
            if (s instanceof SqlStatement.With with) {
                for (SqlStatement part : with.parts()) statement(part);
                return;
            }
            if (s instanceof SqlStatement.AlterTable alter) {
                alterTable(alter); // follows the run action by action
                return;
            }
            if (s instanceof SqlStatement.Drop drop) {
                drop(drop);
            } else if (s instanceof SqlStatement.Truncate t) {
                relation(t.tables().get(0), t.tables().size() > 1 || t.cascade(), EnumSet.of(t.cascade() ? Problem.TRUNCATES_REFERENCING : Problem.TRUNCATES));
            } else if (s instanceof SqlStatement.Write w && w.where() != SqlStatement.Where.CONDITION) {
                boolean delete = w.verb().equals("delete"), none = w.where() == SqlStatement.Where.NONE;
                relation(w.table(), false, EnumSet.of(delete ? (none ? Problem.DELETES_ALL : Problem.DELETES_ALL_ALWAYS_TRUE)
                        : none ? Problem.UPDATES_ALL : Problem.UPDATES_ALL_ALWAYS_TRUE));
            } else if (s instanceof SqlStatement.CreateIndex index && !index.concurrently()) {
                relation(index.table(), false, EnumSet.of(Problem.BLOCKS_WRITES));
            }
            run.follow(s);
        }

        void drop(SqlStatement.Drop d) {
            switch (d.kind()) {
                case "table" -> {
                    if (!d.names().isEmpty()) relation(d.names().get(0), d.names().size() > 1, EnumSet.of(Problem.DROPS_TABLE));
                }
                case "schema" -> always(Problem.DROPS_SCHEMA);
                case "database" -> always(Problem.DROPS_DATABASE);
                case "owned" -> always(Problem.DROPS_OWNED);
                case "type", "domain", "extension", "collation" -> {
                    // which tables' columns depend on it is not read from the target: unless this run made all of it, judged as if they held rows
                    if (d.cascade() && d.names().stream().anyMatch(n -> n.elsewhere() || !run.ownsEverythingOf(d.kind(), n.name()))) always(Problem.DROPS_DEPENDENT_COLUMNS);
                }
                default -> {}
            }
        }

        void alterTable(SqlStatement.AlterTable a) {
            String name = a.table().name();
            String was = run.before(name);
            EnumSet<Problem> problems = EnumSet.noneOf(Problem.class);
            List<String> nullInEveryRow = new ArrayList<>();
            for (AlterAction action : a.actions()) {
                if (action instanceof AlterAction.RenameTo || action instanceof AlterAction.RenameColumn) {
                    problems.add(Problem.RENAMES);
                    if (action instanceof AlterAction.RenameColumn && was != null) columnsRenamed.add(was);
                } else if (action instanceof AlterAction.DropColumn d && !run.addedByRun(name, d.column())) {
                    if (emptyBefore(a.table(), was, d.column())) nullInEveryRow.add(d.column());
                    else problems.add(Problem.DROPS_COLUMN);
                } else if (action instanceof AlterAction.ChangeType c) {
                    problems.add(Problem.REWRITES);
                    if (!c.readsColumn() && !run.addedByRun(name, c.column())) problems.add(Problem.REPLACES_COLUMN);
                } else if (action instanceof AlterAction.AddColumn c && c.required() && !c.filled()) {
                    problems.add(Problem.REQUIRED_COLUMN);
                }
                run.follow(a.table(), action);
            }
            for (String column : nullInEveryRow) {
                notes.add(file.name + " line " + st.line() + ": " + st.shown() + " drops column \"" + column + "\" of \"" + was
                        + "\", which is NULL in every row, so nothing is lost and no finding is raised.");
            }
            judge(a.table(), was, false, problems);
        }

        /**
         * Whether the column to drop held no value before the run: it existed then, in a table of the
         * current schema that holds rows, no row has a value in it, and the run renamed none of that
         * table's columns before (then the name may be another column's). While collecting, the
         * column is asked for, and counts as holding values.
         */
        boolean emptyBefore(SqlCursor.Name table, String was, String column) {
            if (was == null || table.elsewhere() || columnsRenamed.contains(was)) return false;
            Relations.Column asked = new Relations.Column(was, column);
            if (before == null) {
                askColumns.add(asked);
                return false;
            }
            return before.existing().contains(was) && before.holdingRows().contains(was) && !before.hasValues(asked);
        }

        void relation(SqlCursor.Name table, boolean unsure, EnumSet<Problem> problems) {
            judge(table, run.before(table.name()), unsure, problems);
        }

        /**
         * Findings for a relation that held rows before the run (`was`: its name then); a note for one
         * that was empty; nothing for one this run made. One the lint cannot follow to a single table
         * of the current schema (several tables, another schema) is judged as if it held rows.
         */
        void judge(SqlCursor.Name table, String was, boolean unsure, EnumSet<Problem> problems) {
            if (problems.isEmpty()) return;
            if (unsure || table.elsewhere()) {
                if (before != null) for (Problem p : problems) finding(p, table);
                return;
            }
            if (was == null) return;
            ask.add(was);
            if (before == null || !before.existing().contains(was)) return;
            if (!before.holdingRows().contains(was)) {
                notes.add(file.name + " line " + st.line() + ": " + st.shown() + " " + problems.iterator().next().problem.formatted(table.name())
                        + ", but \"" + was + "\" has no rows, so nothing is lost and no finding is raised.");
                return;
            }
            for (Problem p : problems) finding(p, table);
        }

        /** A statement whose reach the lint cannot look up (a schema, a database, a type's columns): always a finding. */
        void always(Problem p) {
            if (before != null) finding(p, null);
        }

        void finding(Problem p, SqlCursor.Name table) {
            findings.add(new Finding(file.name, st.line(), st.shown(), p.problem.formatted(table == null ? "" : table.name()), p.saferWay, p.losesData));
        }
    }
}
