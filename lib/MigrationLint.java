import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads pending migrations before they run and flags what hurts a live database, in the spirit of
 * the squawk linter: statements that lose data stop the run (unless --allow-destructive), those
 * that hold heavy locks or break the running app are warnings. Each finding names the file, the
 * line, the statement and the safer way. A finding is raised only where data or a live app can be
 * hurt: a relation that exists before the run and holds rows. One created by a migration of the
 * same run (under whatever name a later rename gives it), or one that is empty, has nothing to
 * lose and no app using it yet; an empty one gets a note. So a run that resumes an interrupted
 * deploy judges the same statements as the run that started it.
 */
final class MigrationLint {

    record Finding(String file, int line, String statement, String problem, String saferWay, boolean losesData) {
        String sentence() {
            return file + " line " + line + ": " + statement + " " + problem + "; " + saferWay + ".";
        }
    }

    /** Where the relations the migrations touch stand before the run (names as they are then). */
    record Before(Set<String> existing, Set<String> holdingRows) {}

    /** The findings, and notes about statements that would be findings on a table with rows. */
    record Result(List<Finding> findings, List<String> notes) {}

    private static final Pattern CREATE_TABLE = Pattern.compile("^create (?:unlogged |temporary |temp )?table (?:if not exists )?(" + Identifier.P + ")");
    private static final Pattern DROP_TABLE = Pattern.compile("^drop table (?:if exists )?(" + Identifier.P + ")");
    private static final Pattern ALTER_TABLE = Pattern.compile("^alter table (?:if exists )?(?:only )?(" + Identifier.P + ")(.*)$");
    private static final Pattern RENAME_TABLE = Pattern.compile("^ rename to (" + Identifier.P + ")$");
    private static final Pattern CREATE_INDEX = Pattern.compile("^create (?:unique )?index (concurrently )?(?:if not exists )?(?:" + Identifier.P + " )?on (?:only )?(" + Identifier.P + ")");
    private static final Pattern DELETE = Pattern.compile("^delete from (?:only )?(" + Identifier.P + ")");
    private static final Pattern UPDATE = Pattern.compile("^update (?:only )?(" + Identifier.P + ")");
    private static final Pattern ADD_COLUMN = Pattern.compile("\\badd (?:column )?(?:if not exists )?(?!(?:constraint|primary|foreign|unique|check|exclude)\\b)(" + Identifier.ONE + ")");
    private static final Pattern DROP_COLUMN = Pattern.compile("\\bdrop column (?:if exists )?(" + Identifier.ONE + ")");
    private static final Pattern RENAME_COLUMN = Pattern.compile("^ rename (?:column )?(" + Identifier.ONE + ") to (" + Identifier.ONE + ")$");
    private static final Pattern TRUNCATE = Pattern.compile("^truncate (?:table )?(?:only )?(" + Identifier.P + ")");

    /** An identifier as migrations write it: "Quoted", plain, optionally schema-qualified. */
    static final class Identifier {
        static final String ONE = "(?:\"(?:[^\"]|\"\")+\"|[a-z_][a-z0-9_$]*)";
        static final String P = ONE + "(?:\\." + ONE + ")?";

        /**
         * Whether a data-losing statement names more than one relation (`rest` is what follows the
         * first name) or one schema-qualified with a schema other than public: the lint follows
         * single names of the current schema only, so such a statement always raises its finding.
         */
        static boolean unsure(String qualified, String rest) {
            if (rest.stripLeading().startsWith(",")) return true;
            String bare = qualified.contains("\".\"") || (!qualified.startsWith("\"") && qualified.contains("."))
                    ? qualified.substring(0, qualified.lastIndexOf('.')) : null;
            if (bare == null) return false;
            String schema = bare.startsWith("\"") ? bare.substring(1, bare.length() - 1).replace("\"\"", "\"") : bare;
            return !schema.equals("public");
        }

        static String name(String qualified) {
            String last = qualified.contains("\".\"") || (!qualified.startsWith("\"") && qualified.contains("."))
                    ? qualified.substring(qualified.lastIndexOf('.') + 1) : qualified;
            return last.startsWith("\"") ? last.substring(1, last.length() - 1).replace("\"\"", "\"") : last;
        }
    }

    /** The relations (by their names before the run) whose state the lint needs: look them up with {@link Relations}, read-only. */
    static Set<String> touched(List<MigrationFile> pending) {
        Set<String> names = new HashSet<>();
        walk(pending, null, names, new ArrayList<>(), new ArrayList<>());
        return names;
    }

    static Result check(List<MigrationFile> pending, Before before) {
        List<Finding> findings = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        walk(pending, before, new HashSet<>(), findings, notes);
        return new Result(findings, notes);
    }

    /**
     * One pass over the statements, following each relation by name through CREATE TABLE and
     * ALTER TABLE ... RENAME TO. Without `before`, only collects the names to look up.
     */
    private static void walk(List<MigrationFile> pending, Before before, Set<String> ask, List<Finding> findings, List<String> notes) {
        // a relation's name now -> its name before the run; null: created by this run
        Map<String, String> renamed = new HashMap<>();
        // columns this run adds to relations that existed before it, by the relation's name now
        Map<String, Set<String>> added = new HashMap<>();
        for (MigrationFile file : pending) {
            for (SqlScript.Statement st : file.statements()) {
                String sql = st.normalized();
                Matcher m;
                String relation = null;
                List<String[]> problems = new ArrayList<>(); // problem, safer way, "loses" or ""
                boolean unsure = false; // a statement the lint cannot follow to one table of the current schema
                if ((m = CREATE_TABLE.matcher(sql)).find()) {
                    renamed.put(Identifier.name(m.group(1)), null);
                    continue;
                } else if ((m = DROP_TABLE.matcher(sql)).find()) {
                    relation = Identifier.name(m.group(1));
                    unsure = Identifier.unsure(m.group(1), sql.substring(m.end()));
                    problems.add(new String[] {"drops a table and every row in it", "make sure nothing reads it any more and that it is backed up, then run with --allow-destructive", "loses"});
                } else if (sql.startsWith("drop schema")) {
                    if (before != null) findings.add(new Finding(file.name, st.line(), st.shown(), "drops a schema and everything in it", "make sure it is backed up, then run with --allow-destructive", true));
                    continue;
                } else if ((m = TRUNCATE.matcher(sql)).find()) {
                    relation = Identifier.name(m.group(1));
                    unsure = Identifier.unsure(m.group(1), sql.substring(m.end()));
                    problems.add(new String[] {"deletes every row of the table", "delete only the rows you mean with a WHERE clause, or run with --allow-destructive", "loses"});
                } else if ((m = DELETE.matcher(sql)).find() && !sql.contains(" where ")) {
                    relation = Identifier.name(m.group(1));
                    unsure = Identifier.unsure(m.group(1), "");
                    problems.add(new String[] {"has no WHERE clause, so it deletes every row", "add a WHERE clause, or run with --allow-destructive if every row must go", "loses"});
                } else if ((m = UPDATE.matcher(sql)).find() && !sql.contains(" where ")) {
                    relation = Identifier.name(m.group(1));
                    unsure = Identifier.unsure(m.group(1), "");
                    problems.add(new String[] {"has no WHERE clause, so it overwrites every row", "add a WHERE clause, or run with --allow-destructive if every row must change", "loses"});
                } else if ((m = ALTER_TABLE.matcher(sql)).find()) {
                    relation = Identifier.name(m.group(1));
                    String rest = m.group(2);
                    Matcher to = RENAME_TABLE.matcher(rest);
                    if (to.find()) {
                        String was = renamed.containsKey(relation) ? renamed.remove(relation) : relation;
                        renamed.put(Identifier.name(to.group(1)), was);
                        Set<String> columns = added.remove(relation);
                        if (columns != null) added.put(Identifier.name(to.group(1)), columns);
                        if (was != null) ask.add(was);
                        problems.add(new String[] {"renames while the running app still uses the old name, so its queries fail until it is redeployed", "add the new name, move the app over, and drop the old one in a later release", ""});
                        report(file, st, was, problems, before, findings, notes);
                        continue;
                    }
                    Set<String> mine = added.computeIfAbsent(relation, k -> new HashSet<>());
                    Matcher col = ADD_COLUMN.matcher(rest);
                    while (col.find()) mine.add(Identifier.name(col.group(1)));
                    Matcher renamedColumn = RENAME_COLUMN.matcher(rest);
                    if (renamedColumn.find() && mine.remove(Identifier.name(renamedColumn.group(1)))) mine.add(Identifier.name(renamedColumn.group(2)));
                    boolean dropsOldColumn = false;
                    Matcher dropped = DROP_COLUMN.matcher(rest);
                    while (dropped.find()) dropsOldColumn |= !mine.contains(Identifier.name(dropped.group(1)));
                    if (dropsOldColumn) {
                        problems.add(new String[] {"drops a column and its data", "stop the app using the column first, back it up, then run with --allow-destructive", "loses"});
                    }
                    if (rest.matches(".*\\balter column \\S+ (set data )?type\\b.*")) {
                        problems.add(new String[] {"rewrites the table under an exclusive lock that blocks reads and writes", "add a new column, backfill it in batches, then switch the app over", ""});
                    }
                    if (rest.matches(".*\\badd (column )?(if not exists )?(?!constraint\\b)\\S+ [^,]*\\bnot null\\b.*") && !rest.matches(".*\\bdefault\\b.*")) {
                        problems.add(new String[] {"adds a NOT NULL column without a default, which fails on a table that has rows", "add it with a DEFAULT, or nullable, backfill, then SET NOT NULL", ""});
                    }
                    if (rest.matches(".*\\brename (column )?(\\S+ )?to\\b.*")) {
                        problems.add(new String[] {"renames while the running app still uses the old name, so its queries fail until it is redeployed", "add the new name, move the app over, and drop the old one in a later release", ""});
                    }
                } else if ((m = CREATE_INDEX.matcher(sql)).find() && m.group(1) == null) {
                    relation = Identifier.name(m.group(2));
                    problems.add(new String[] {"blocks writes to \"" + relation + "\" while the index builds", "use CREATE INDEX CONCURRENTLY, alone in a migration of its own", ""});
                }
                if (relation == null || problems.isEmpty()) continue;
                if (unsure) {
                    // several tables, or one in another schema: the rows cannot be looked up here, so it is judged as if they held rows
                    if (before != null) for (String[] p : problems) findings.add(new Finding(file.name, st.line(), st.shown(), p[0], p[1], p[2].equals("loses")));
                    continue;
                }
                String was = renamed.containsKey(relation) ? renamed.get(relation) : relation;
                if (was != null) ask.add(was);
                if (sql.startsWith("drop table")) renamed.remove(relation);
                report(file, st, was, problems, before, findings, notes);
            }
        }
    }

    /** Findings for a relation that held rows before the run; a note for one that was empty; nothing for one this run made. */
    private static void report(MigrationFile file, SqlScript.Statement st, String was, List<String[]> problems, Before before, List<Finding> findings, List<String> notes) {
        if (before == null || was == null || !before.existing().contains(was)) return;
        if (!before.holdingRows().contains(was)) {
            notes.add(file.name + " line " + st.line() + ": " + st.shown() + " " + problems.get(0)[0] + ", but \"" + was + "\" has no rows, so nothing is lost and no finding is raised.");
            return;
        }
        for (String[] p : problems) findings.add(new Finding(file.name, st.line(), st.shown(), p[0], p[1], p[2].equals("loses")));
    }
}
