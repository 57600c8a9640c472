import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The kit's one lexer of PostgreSQL SQL: the splitter, the lint and the data checks all read its
 * tokens. It knows what ends a token as the server does: quotes ('', E'' with backslash escapes,
 * B'' X'' N'', "" identifiers, each with doubled quotes inside), dollar quotes ($$, $tag$),
 * comments (--, nested block comments). Comments are dropped and whitespace only remembered, so
 * the tokens rendered again are the text without its comments.
 */
final class SqlLexer {

    /**
     * One token: its kind, its text as written, its value (a word folded to lower case, a quoted
     * identifier or a string without its quotes; null otherwise), whether whitespace or a comment
     * comes before it, and where it starts in the text scanned.
     */
    record Token(Kind kind, String text, String value, boolean spaceBefore, int offset) {
        enum Kind { WORD, QUOTED, STRING, NUMBER, OPERATOR, PUNCT, PARAM }

        boolean is(String s) {
            return (kind == Kind.OPERATOR || kind == Kind.PUNCT) && text.equals(s);
        }

        boolean keyword(String k) {
            return kind == Kind.WORD && value.equals(k);
        }

        /** A name as the server resolves it: an unquoted word folded to lower case, a quoted one as is; null for anything else. */
        String identifier() {
            return kind == Kind.WORD || kind == Kind.QUOTED ? value : null;
        }
    }

    static List<Token> scan(String text) {
        List<Token> out = new ArrayList<>();
        int n = text.length();
        int i = 0;
        boolean space = false;
        while (i < n) {
            char c = text.charAt(i);
            if (c == '-' && i + 1 < n && text.charAt(i + 1) == '-') {
                int end = text.indexOf('\n', i);
                i = end < 0 ? n : end;
                space = true;
                continue;
            }
            if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
                int depth = 0, j = i;
                do {
                    if (text.startsWith("/*", j)) { depth++; j += 2; }
                    else if (text.startsWith("*/", j)) { depth--; j += 2; }
                    else j++;
                } while (depth > 0 && j < n);
                i = j;
                space = true;
                continue;
            }
            if (Character.isWhitespace(c)) {
                space = true;
                i++;
                continue;
            }
            int start = i, end;
            Token.Kind kind;
            String value = null;
            if (c == '\'') {
                end = closingQuote(text, i, '\'', false);
                kind = Token.Kind.STRING;
                value = unquote(text, i + 1, end, '\'', false);
            } else if (c == '"') {
                end = closingQuote(text, i, '"', false);
                kind = Token.Kind.QUOTED;
                value = unquote(text, i + 1, end, '"', false);
            } else if (c == '$' && !wordCharBefore(text, i) && (end = dollarQuoteEnd(text, i)) > 0) {
                int open = text.indexOf('$', i + 1) + 1; // past the opening tag
                int tag = open - i;
                boolean closed = end - tag >= open && text.startsWith(text.substring(i, open), end - tag);
                kind = Token.Kind.STRING;
                value = text.substring(open, closed ? end - tag : end);
            } else if (isWordChar(c)) {
                end = i;
                while (end < n && isWordChar(text.charAt(end))) end++;
                if (end == i + 1 && "eEbBxXnN".indexOf(c) >= 0 && end < n && text.charAt(end) == '\'' && !wordCharBefore(text, i)) {
                    // a prefixed string: E'...' reads backslash escapes, B'', X'' and N'' do not
                    boolean escapes = c == 'e' || c == 'E';
                    int quote = end;
                    end = closingQuote(text, quote, '\'', escapes);
                    value = unquote(text, quote + 1, end, '\'', escapes);
                    kind = Token.Kind.STRING;
                } else if (Character.isDigit(c)) {
                    kind = Token.Kind.NUMBER;
                } else if (c == '$') {
                    kind = text.substring(i + 1, end).matches("[0-9]+") ? Token.Kind.PARAM : Token.Kind.WORD;
                    value = text.substring(i, end).toLowerCase(Locale.ROOT);
                } else {
                    kind = Token.Kind.WORD;
                    value = text.substring(i, end).toLowerCase(Locale.ROOT);
                }
            } else if ("(),;[].".indexOf(c) >= 0) {
                end = i + 1;
                kind = Token.Kind.PUNCT;
            } else {
                end = i;
                while (end < n && "+-*/<>=~!@#%^&|`?:".indexOf(text.charAt(end)) >= 0 && !text.startsWith("--", end) && !text.startsWith("/*", end)) end++;
                if (end == i) end++;
                kind = Token.Kind.OPERATOR;
            }
            out.add(new Token(kind, text.substring(start, end), value, space && !out.isEmpty(), start));
            space = false;
            i = end;
        }
        return out;
    }

    /** The tokens [from, to) as SQL text: lexically the source without its comments, whitespace folded to one space. */
    static String render(List<Token> tokens, int from, int to) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < to; i++) {
            if (i > from && tokens.get(i).spaceBefore()) sb.append(' ');
            sb.append(tokens.get(i).text());
        }
        return sb.toString();
    }

    static String render(List<Token> tokens) {
        return render(tokens, 0, tokens.size());
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    private static boolean wordCharBefore(String text, int i) {
        return i > 0 && isWordChar(text.charAt(i - 1));
    }

    /** The index just past the quote that closes the one at `from`; doubled quotes stay inside; the text's end when none does. */
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

    /** What a quoted token holds, from `from` to its closing quote: doubled quotes as one, backslash escapes (E'') as the character. */
    private static String unquote(String text, int from, int end, char quote, boolean backslashes) {
        int to = end > from && text.charAt(end - 1) == quote ? end - 1 : end; // an unclosed quote runs to the end
        StringBuilder v = new StringBuilder();
        for (int j = from; j < to; j++) {
            char ch = text.charAt(j);
            if (backslashes && ch == '\\' && j + 1 < to) {
                v.append(text.charAt(++j));
            } else {
                v.append(ch);
                if (ch == quote && j + 1 < to && text.charAt(j + 1) == quote) j++;
            }
        }
        return v.toString();
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

    private SqlLexer() {}
}
