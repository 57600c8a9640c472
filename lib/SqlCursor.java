//SOURCES SqlLexer.java SqlScript.java
import java.util.ArrayList;
import java.util.List;

/** A position in a statement's tokens (from {@link SqlLexer}), with the few moves that reading a statement by its kind needs. */
final class SqlCursor {
    final List<SqlLexer.Token> t;
    int i;
    final int end;

    /** A relation's (or type's) name as written: schema (or null) and name, both as the catalog spells them. */
    record Name(String schema, String name) {
        String sql() {
            return schema == null ? SqlScript.identifier(name) : SqlScript.identifier(schema) + "." + SqlScript.identifier(name);
        }

        /** Qualified with a schema other than public: the lint, which follows names of the current schema, cannot look it up. */
        boolean elsewhere() {
            return schema != null && !schema.equals("public");
        }
    }

    SqlCursor(List<SqlLexer.Token> t) {
        this(t, 0, t.size());
    }

    SqlCursor(List<SqlLexer.Token> t, int from, int to) {
        this.t = t;
        this.i = from;
        this.end = to;
    }

    /** A cursor over the range [from, to) of the same tokens. */
    SqlCursor range(int[] r) {
        return new SqlCursor(t, r[0], r[1]);
    }

    boolean atEnd() {
        return i >= end;
    }

    /** The tokens from here to the end. */
    List<SqlLexer.Token> rest() {
        return t.subList(Math.min(i, end), end);
    }

    /** Consumes the keywords if they all come next (unquoted words only). */
    boolean keywords(String... words) {
        for (int k = 0; k < words.length; k++) {
            if (i + k >= end || !t.get(i + k).keyword(words[k])) return false;
        }
        i += words.length;
        return true;
    }

    /** Consumes the first of these keywords that comes next; returns it, or null. */
    String anyKeyword(String... words) {
        for (String w : words) if (keywords(w)) return w;
        return null;
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
            else if (depth == 0 && new SqlCursor(t, k, end).keywords(words)) return true;
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
        String name = t.get(i).identifier();
        if (name != null) i++;
        return name;
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

    /** Names separated by commas (each may be followed by an argument list, as functions are dropped); stops at anything else. */
    List<Name> names() {
        List<Name> names = new ArrayList<>();
        do {
            keywords("only");
            Name n = name();
            if (n == null) break;
            names.add(n);
            accept("*");
            if (peek("(")) parens();
        } while (accept(","));
        return names;
    }

    /** Index of the parenthesis that closes the one at open, or -1. */
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
            SqlCursor c = range(part);
            String name = c.identifier();
            if (name == null || !c.atEnd()) {
                i = save;
                return null;
            }
            names.add(name);
        }
        return names;
    }

    /** The first top-level keyword of these ahead (outside parentheses and brackets), or end. */
    int findTopLevel(String... words) {
        int depth = 0;
        for (int k = i; k < end; k++) {
            if (t.get(k).is("(") || t.get(k).is("[")) depth++;
            else if (t.get(k).is(")") || t.get(k).is("]")) depth--;
            else if (depth == 0) for (String w : words) if (t.get(k).keyword(w)) return k;
        }
        return end;
    }

    /** Ranges of [from, to) between top-level separators (a punctuation mark, or a keyword). */
    List<int[]> splitTopLevel(int from, int to, String separator) {
        List<int[]> parts = new ArrayList<>();
        int depth = 0, start = from;
        for (int k = from; k < to; k++) {
            SqlLexer.Token tok = t.get(k);
            if (tok.is("(") || tok.is("[")) depth++;
            else if (tok.is(")") || tok.is("]")) depth--;
            else if (depth == 0 && (tok.is(separator) || tok.keyword(separator))) {
                parts.add(new int[] {start, k});
                start = k + 1;
            }
        }
        if (start < to) parts.add(new int[] {start, to});
        return parts;
    }

    /** The tokens without parentheses that wrap all of them. */
    static List<SqlLexer.Token> unwrap(List<SqlLexer.Token> tokens) {
        List<SqlLexer.Token> t = tokens;
        while (t.size() >= 2 && t.get(0).is("(") && new SqlCursor(t).closing(0) == t.size() - 1) t = t.subList(1, t.size() - 1);
        return t;
    }
}
