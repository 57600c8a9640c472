import java.util.ArrayList;
import java.util.List;

/**
 * The kit's one reading of a SQL script: statements split where PostgreSQL would end them, past
 * quotes ('', E'' with backslash escapes, ""), dollar quotes ($$, $tag$), comments (--, nested
 * block comments) and SQL-standard function bodies (BEGIN ATOMIC ... END, with CASE ... END
 * inside), each statement with the line and offset it starts at. Nothing here is executed: the
 * split serves the lint, the error line and the scripts that manage their own transaction.
 * (No library on Maven Central splits PostgreSQL this way through a public API: pgjdbc's parser is
 * internal and does not know BEGIN ATOMIC; Flyway's is internal too.)
 */
final class SqlScript {

    /**
     * One statement: the line and offset of its first word in the script, its text as written
     * (without the closing semicolon), and a normal form for matching (lower case outside quotes,
     * comments gone, whitespace folded).
     */
    record Statement(int line, int offset, String sql, String normalized, String shown) {}

    static List<Statement> split(String text) {
        List<Statement> statements = new ArrayList<>();
        StringBuilder normal = new StringBuilder();
        StringBuilder shown = new StringBuilder();
        int start = -1, startLine = 0, line = 1;
        int atomicDepth = 0; // inside BEGIN ATOMIC ... END (and CASE ... END within it)
        String lastWord = "";
        int n = text.length();
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            if (c == '-' && i + 1 < n && text.charAt(i + 1) == '-') {
                int end = text.indexOf('\n', i);
                i = end < 0 ? n : end;
                space(normal, shown);
                continue;
            }
            if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
                int depth = 0, j = i;
                do {
                    if (text.startsWith("/*", j)) { depth++; j += 2; }
                    else if (text.startsWith("*/", j)) { depth--; j += 2; }
                    else { if (text.charAt(j) == '\n') line++; j++; }
                } while (depth > 0 && j < n);
                i = j;
                space(normal, shown);
                continue;
            }
            if (Character.isWhitespace(c)) {
                if (c == '\n') line++;
                space(normal, shown);
                i++;
                continue;
            }
            if (c == ';' && atomicDepth == 0) {
                if (start >= 0) statements.add(new Statement(startLine, start, text.substring(start, i).strip(), normal.toString().strip(), shorten(shown.toString())));
                start = -1;
                normal.setLength(0);
                shown.setLength(0);
                lastWord = "";
                i++;
                continue;
            }
            if (start < 0) {
                start = i;
                startLine = line;
            }
            int end;
            if (c == '\'' || c == '"') {
                boolean backslashes = c == '\'' && i > 0 && (text.charAt(i - 1) == 'E' || text.charAt(i - 1) == 'e')
                        && (i < 2 || !isWordChar(text.charAt(i - 2)));
                end = closingQuote(text, i, c, backslashes);
            } else if (c == '$' && (i == 0 || !isWordChar(text.charAt(i - 1))) && (end = dollarQuoteEnd(text, i)) > 0) {
                // end set by the condition
            } else if (isWordChar(c)) {
                end = i;
                while (end < n && isWordChar(text.charAt(end))) end++;
                String word = text.substring(i, end).toLowerCase(java.util.Locale.ROOT);
                if (word.equals("atomic") && lastWord.equals("begin")) atomicDepth++;
                else if (atomicDepth > 0 && word.equals("case")) atomicDepth++;
                else if (atomicDepth > 0 && word.equals("end")) atomicDepth--;
                lastWord = word;
                normal.append(word);
                shown.append(text, i, end);
                i = end;
                continue;
            } else {
                end = i + 1;
            }
            lastWord = "";
            for (int k = i; k < end; k++) if (text.charAt(k) == '\n') line++;
            String piece = text.substring(i, end);
            normal.append(c == '\'' || c == '"' || c == '$' ? piece : piece.toLowerCase(java.util.Locale.ROOT));
            shown.append(piece);
            i = end;
        }
        if (start >= 0) statements.add(new Statement(startLine, start, text.substring(start).strip(), normal.toString().strip(), shorten(shown.toString())));
        return statements;
    }

    private static void space(StringBuilder normal, StringBuilder shown) {
        if (normal.length() > 0 && normal.charAt(normal.length() - 1) != ' ') normal.append(' ');
        if (shown.length() > 0 && shown.charAt(shown.length() - 1) != ' ') shown.append(' ');
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    /** The index just past the quote that closes the one at `from`; doubled quotes stay inside. */
    private static int closingQuote(String text, int from, char quote, boolean backslashes) {
        int j = from + 1;
        while (j < text.length()) {
            char ch = text.charAt(j);
            if (backslashes && ch == '\\') {
                j += 2;
                continue;
            }
            if (ch == quote) {
                if (j + 1 < text.length() && text.charAt(j + 1) == quote) {
                    j += 2;
                    continue;
                }
                return j + 1;
            }
            j++;
        }
        return text.length();
    }

    /** Past the end of a dollar-quoted string opened at `from` ($$ or $tag$), or -1 when none opens there. */
    private static int dollarQuoteEnd(String text, int from) {
        int j = from + 1;
        while (j < text.length() && (Character.isLetterOrDigit(text.charAt(j)) || text.charAt(j) == '_')) {
            if (j == from + 1 && Character.isDigit(text.charAt(j))) return -1; // $1 is a parameter
            j++;
        }
        if (j >= text.length() || text.charAt(j) != '$') return -1;
        String tag = text.substring(from, j + 1);
        int close = text.indexOf(tag, j + 1);
        return close < 0 ? text.length() : close + tag.length();
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

    /** A statement as one short line for messages. */
    static String shorten(String sql) {
        String one = sql.strip().replaceAll("\\s+", " ");
        return one.length() > 80 ? one.substring(0, 77) + "..." : one;
    }

    /** An identifier quoted for SQL, as quote_ident would (always quoted). */
    static String identifier(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** A string literal for SQL, as quote_literal writes it (E'' when it holds a backslash). */
    static String literal(String value) {
        String quoted = "'" + value.replace("'", "''") + "'";
        return value.indexOf('\\') < 0 ? quoted : "E" + quoted.replace("\\", "\\\\");
    }

    private SqlScript() {}
}
