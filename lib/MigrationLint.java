import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads pending migrations before they run and flags what hurts a live database, in the spirit of
 * the squawk linter: statements that lose data stop the run (unless --allow-destructive), those
 * that hold heavy locks or break the running app are warnings. Each finding names the file, the
 * line, the statement and the safer way.
 */
final class MigrationLint {

    record Finding(String file, int line, String statement, String problem, String saferWay, boolean losesData) {
        String sentence() {
            return file + " line " + line + ": " + statement + " " + problem + "; " + saferWay + ".";
        }
    }

    private static final Pattern CREATE_TABLE = Pattern.compile("^create (?:unlogged |temporary |temp )?table (?:if not exists )?(" + Identifier.P + ")");
    private static final Pattern DROP_TABLE = Pattern.compile("^drop table (?:if exists )?(" + Identifier.P + ")");
    private static final Pattern ALTER_TABLE = Pattern.compile("^alter table (?:if exists )?(?:only )?(" + Identifier.P + ")(.*)$");
    private static final Pattern CREATE_INDEX = Pattern.compile("^create (?:unique )?index (concurrently )?(?:if not exists )?(?:" + Identifier.P + " )?on (?:only )?(" + Identifier.P + ")");
    private static final Pattern DELETE = Pattern.compile("^delete from (?:only )?(" + Identifier.P + ")");
    private static final Pattern UPDATE = Pattern.compile("^update (?:only )?(" + Identifier.P + ")");

    /** An identifier as migrations write it: "Quoted", plain, optionally schema-qualified. */
    static final class Identifier {
        static final String ONE = "(?:\"(?:[^\"]|\"\")+\"|[a-z_][a-z0-9_$]*)";
        static final String P = ONE + "(?:\\." + ONE + ")?";

        static String name(String qualified) {
            String last = qualified.contains("\".\"") || (!qualified.startsWith("\"") && qualified.contains("."))
                    ? qualified.substring(qualified.lastIndexOf('.') + 1) : qualified;
            return last.startsWith("\"") ? last.substring(1, last.length() - 1).replace("\"\"", "\"") : last;
        }
    }

    /**
     * @param existingTable whether a table already exists in the database (so an index on it locks live rows)
     */
    static List<Finding> check(List<MigrationFile> pending, Predicate<String> existingTable) {
        List<Finding> findings = new ArrayList<>();
        Set<String> createdHere = new java.util.HashSet<>();
        for (MigrationFile file : pending) {
            String name = file.name;
            for (SqlScript.Statement st : file.statements()) {
                String shown = st.shown();
                String sql = st.normalized();
                Matcher m;
                if ((m = CREATE_TABLE.matcher(sql)).find()) {
                    createdHere.add(Identifier.name(m.group(1)));
                } else if ((m = DROP_TABLE.matcher(sql)).find() && !createdHere.contains(Identifier.name(m.group(1)))) {
                    findings.add(new Finding(name, st.line(), shown, "drops a table and every row in it", "make sure nothing reads it any more and that it is backed up, then run with --allow-destructive", true));
                } else if (sql.startsWith("drop schema")) {
                    findings.add(new Finding(name, st.line(), shown, "drops a schema and everything in it", "make sure it is backed up, then run with --allow-destructive", true));
                } else if (sql.startsWith("truncate") && !createdHere.contains(Identifier.name(sql.replaceFirst("^truncate (table )?(only )?", "").split("[ ,;(]")[0]))) {
                    findings.add(new Finding(name, st.line(), shown, "deletes every row of the table", "delete only the rows you mean with a WHERE clause, or run with --allow-destructive", true));
                } else if ((m = DELETE.matcher(sql)).find() && !sql.contains(" where ") && !createdHere.contains(Identifier.name(m.group(1)))) {
                    findings.add(new Finding(name, st.line(), shown, "has no WHERE clause, so it deletes every row", "add a WHERE clause, or run with --allow-destructive if every row must go", true));
                } else if ((m = UPDATE.matcher(sql)).find() && !sql.contains(" where ") && !createdHere.contains(Identifier.name(m.group(1)))) {
                    findings.add(new Finding(name, st.line(), shown, "has no WHERE clause, so it overwrites every row", "add a WHERE clause, or run with --allow-destructive if every row must change", true));
                } else if ((m = ALTER_TABLE.matcher(sql)).find()) {
                    String table = Identifier.name(m.group(1));
                    String rest = m.group(2);
                    boolean live = !createdHere.contains(table);
                    if (live && rest.matches(".*\\bdrop column\\b.*")) {
                        findings.add(new Finding(name, st.line(), shown, "drops a column and its data", "stop the app using the column first, back it up, then run with --allow-destructive", true));
                    }
                    if (live && rest.matches(".*\\balter column \\S+ (set data )?type\\b.*")) {
                        findings.add(new Finding(name, st.line(), shown, "rewrites the table under an exclusive lock that blocks reads and writes", "add a new column, backfill it in batches, then switch the app over", false));
                    }
                    if (live && rest.matches(".*\\badd (column )?(if not exists )?(?!constraint\\b)\\S+ [^,]*\\bnot null\\b.*") && !rest.matches(".*\\bdefault\\b.*")) {
                        findings.add(new Finding(name, st.line(), shown, "adds a NOT NULL column without a default, which fails on a table that has rows", "add it with a DEFAULT, or nullable, backfill, then SET NOT NULL", false));
                    }
                    if (live && rest.matches(".*\\brename (column )?(\\S+ )?to\\b.*")) {
                        findings.add(new Finding(name, st.line(), shown, "renames while the running app still uses the old name, so its queries fail until it is redeployed", "add the new name, move the app over, and drop the old one in a later release", false));
                    }
                } else if ((m = CREATE_INDEX.matcher(sql)).find() && m.group(1) == null) {
                    String table = Identifier.name(m.group(2));
                    if (!createdHere.contains(table) && existingTable.test(table)) {
                        findings.add(new Finding(name, st.line(), shown, "blocks writes to \"" + table + "\" while the index builds", "use CREATE INDEX CONCURRENTLY, alone in a migration of its own", false));
                    }
                }
            }
        }
        return findings;
    }

    /** The tables the lint may ask `existingTable` about (those an index is built on), to look them up in one query. */
    static Set<String> indexedTables(List<MigrationFile> pending) {
        Set<String> tables = new java.util.HashSet<>();
        for (MigrationFile file : pending) {
            for (SqlScript.Statement st : file.statements()) {
                Matcher m = CREATE_INDEX.matcher(st.normalized());
                if (m.find()) tables.add(Identifier.name(m.group(2)));
            }
        }
        return tables;
    }
}
