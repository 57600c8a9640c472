//SOURCES SqlLexer.java SqlCursor.java
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The kit's one reading of a SQL script: statements split where PostgreSQL would end them, on the
 * tokens of {@link SqlLexer} (so past quotes, dollar quotes and comments), and past SQL-standard
 * function bodies (BEGIN ATOMIC ... END, with CASE ... END inside), each statement with the line
 * and offset it starts at and its tokens. Nothing here is executed: the split serves the lint, the
 * data checks, the error line and the scripts that manage their own transaction.
 * (No library on Maven Central splits PostgreSQL this way through a public API: pgjdbc's parser is
 * internal and does not know BEGIN ATOMIC; Flyway's is internal too.)
 */
final class SqlScript {

    /** One statement: the line and offset of its first token in the script, its text as written (without the closing semicolon), its tokens. */
    record Statement(int line, int offset, String sql, List<SqlLexer.Token> tokens) {
        /** A normal form: lower case outside quotes, comments gone, whitespace folded. */
        String normalized() {
            StringBuilder sb = new StringBuilder();
            for (SqlLexer.Token t : tokens) {
                if (t.spaceBefore() && sb.length() > 0) sb.append(' ');
                boolean quoted = t.kind() == SqlLexer.Token.Kind.QUOTED || t.kind() == SqlLexer.Token.Kind.STRING;
                sb.append(quoted ? t.text().substring(0, 1).toLowerCase(Locale.ROOT) + t.text().substring(1) : t.text().toLowerCase(Locale.ROOT));
            }
            return sb.toString().strip();
        }

        /** The statement as messages show it: one short line without comments. */
        String shown() {
            return shorten(SqlLexer.render(tokens));
        }

        /** Whether the statement starts with these words. */
        boolean startsWith(String... words) {
            return new SqlCursor(tokens).keywords(words);
        }
    }

    static List<Statement> split(String text) {
        List<SqlLexer.Token> tokens = SqlLexer.scan(text);
        List<int[]> ranges = new ArrayList<>(); // a statement's first token, the token past its last, where its text ends
        int first = -1;
        int atomicDepth = 0; // inside BEGIN ATOMIC ... END (and CASE ... END within it)
        SqlLexer.Token previous = null;
        for (int k = 0; k < tokens.size(); k++) {
            SqlLexer.Token t = tokens.get(k);
            if (t.is(";") && atomicDepth == 0) {
                if (first >= 0) ranges.add(new int[] {first, k, t.offset()});
                first = -1;
                previous = null;
                continue;
            }
            if (first < 0) first = k;
            if (t.keyword("atomic") && previous != null && previous.keyword("begin")) atomicDepth++;
            else if (atomicDepth > 0 && t.keyword("case")) atomicDepth++;
            else if (atomicDepth > 0 && t.keyword("end")) atomicDepth--;
            previous = t;
        }
        if (first >= 0) ranges.add(new int[] {first, tokens.size(), text.length()});
        List<Statement> statements = new ArrayList<>();
        int line = 1, counted = 0;
        for (int[] r : ranges) {
            int at = tokens.get(r[0]).offset();
            for (; counted < at; counted++) if (text.charAt(counted) == '\n') line++;
            statements.add(new Statement(line, at, text.substring(at, r[2]).strip(), List.copyOf(tokens.subList(r[0], r[1]))));
        }
        return statements;
    }

    /** The line (from 1) that a character offset of the text is on. */
    static int lineAt(String text, int offset) {
        int line = 1;
        for (int k = 0; k < Math.min(offset, text.length()); k++) if (text.charAt(k) == '\n') line++;
        return line;
    }

    /**
     * Where a server error position falls in the script: `position` counts characters from 1 in
     * the query sent, which started at `queryStart` of the text; -1 when the position is unknown.
     */
    static int offsetOf(String text, int queryStart, int position) {
        if (position <= 0 || queryStart < 0) return -1;
        try {
            return text.offsetByCodePoints(queryStart, position - 1);
        } catch (IndexOutOfBoundsException e) {
            return -1;
        }
    }

    /** A statement given as text, as messages show it: one short line without comments. */
    static String show(String sql) {
        return shorten(SqlLexer.render(SqlLexer.scan(sql)));
    }

    /** A statement as one short line for messages. */
    static String shorten(String sql) {
        String one = sql.strip().replaceAll("\\s+", " ");
        return one.length() > 80 ? one.substring(0, 77) + "..." : one;
    }

    /** An identifier quoted for SQL, as quote_ident would (always quoted). */
    static String identifier(String name) {
        if (name.indexOf('\0') >= 0) throw new IllegalArgumentException("an identifier cannot hold a NUL character");
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** A string literal for SQL, as quote_literal writes it (E'' when it holds a backslash). */
    static String literal(String value) {
        if (value.indexOf('\0') >= 0) throw new IllegalArgumentException("a literal cannot hold a NUL character");
        String quoted = "'" + value.replace("'", "''") + "'";
        return value.indexOf('\\') < 0 ? quoted : "E" + quoted.replace("\\", "\\\\");
    }

    private SqlScript() {}
}
