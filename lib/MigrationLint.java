import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

    record Statement(int line, String sql) {}

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
    static List<Finding> check(List<Path> pending, Predicate<String> existingTable) {
        List<Finding> findings = new ArrayList<>();
        Set<String> createdHere = new java.util.HashSet<>();
        for (Path file : pending) {
            String name = file.getFileName().toString().equals("migration.sql") && file.getParent() != null
                    ? file.getParent().getFileName() + "/migration.sql" : file.getFileName().toString();
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw KitException.usage(name + " cannot be read; check its permissions.");
            }
            for (Statement st : split(text)) {
                String shown = shorten(st.sql());
                String sql = normalize(st.sql());
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

    /** Whether a migration holds statements PostgreSQL cannot run in a transaction. */
    static boolean needsNoTransaction(Path file) {
        try {
            return needsNoTransaction(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return false;
        }
    }

    static boolean needsNoTransaction(String script) {
        for (Statement st : split(script)) {
            String sql = normalize(st.sql());
            if (sql.matches("^(create (unique )?|drop )index concurrently\\b.*") || sql.matches("^reindex .*\\bconcurrently\\b.*") || sql.startsWith("vacuum")) {
                return true;
            }
        }
        return false;
    }

    /** Lower case, comments gone, whitespace folded, quoted text kept as it is. */
    static String normalize(String sql) {
        StringBuilder sb = new StringBuilder();
        boolean space = false;
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (c == '"' || c == '\'') {
                int end = sql.indexOf(c, i + 1);
                while (end > 0 && end + 1 < sql.length() && sql.charAt(end + 1) == c) end = sql.indexOf(c, end + 2);
                if (end < 0) end = sql.length() - 1;
                if (space && sb.length() > 0) sb.append(' ');
                sb.append(sql, i, end + 1);
                i = end;
                space = false;
            } else if (Character.isWhitespace(c)) {
                space = true;
            } else {
                if (space && sb.length() > 0) sb.append(' ');
                space = false;
                sb.append(Character.toLowerCase(c));
            }
        }
        return sb.toString();
    }

    static String shorten(String sql) {
        String one = sql.strip().replaceAll("\\s+", " ");
        return one.length() > 80 ? one.substring(0, 77) + "..." : one;
    }

    /** Statements with their first line, respecting quotes, comments and dollar-quoted bodies. */
    static List<Statement> split(String text) {
        List<Statement> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int line = 1;
        int startLine = -1;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '-' && i + 1 < text.length() && text.charAt(i + 1) == '-') {
                int end = text.indexOf('\n', i);
                i = end < 0 ? text.length() : end;
                continue;
            }
            if (c == '/' && i + 1 < text.length() && text.charAt(i + 1) == '*') {
                int depth = 0;
                int j = i;
                do {
                    if (text.startsWith("/*", j)) { depth++; j += 2; }
                    else if (text.startsWith("*/", j)) { depth--; j += 2; }
                    else { if (text.charAt(j) == '\n') line++; j++; }
                } while (depth > 0 && j < text.length());
                i = j;
                continue;
            }
            if (c == '\n') line++;
            if (!Character.isWhitespace(c) && startLine < 0 && c != ';') startLine = line;
            if (c == '\'' || c == '"') {
                int j = i + 1;
                while (j < text.length()) {
                    if (text.charAt(j) == c) {
                        if (j + 1 < text.length() && text.charAt(j + 1) == c) { j += 2; continue; }
                        break;
                    }
                    if (text.charAt(j) == '\n') line++;
                    j++;
                }
                current.append(text, i, Math.min(j + 1, text.length()));
                i = j + 1;
                continue;
            }
            if (c == '$') {
                Matcher tag = Pattern.compile("\\$[A-Za-z_]*\\$").matcher(text).region(i, text.length());
                if (tag.lookingAt()) {
                    String t = tag.group();
                    int end = text.indexOf(t, i + t.length());
                    int stop = end < 0 ? text.length() : end + t.length();
                    for (int k = i; k < stop; k++) if (text.charAt(k) == '\n') line++;
                    current.append(text, i, stop);
                    i = stop;
                    continue;
                }
            }
            if (c == ';') {
                if (!current.toString().isBlank()) statements.add(new Statement(startLine, current.toString().strip()));
                current.setLength(0);
                startLine = -1;
                i++;
                continue;
            }
            current.append(c);
            i++;
        }
        if (!current.toString().isBlank()) statements.add(new Statement(startLine, current.toString().strip()));
        return statements;
    }
}
