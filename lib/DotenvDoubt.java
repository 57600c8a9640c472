import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;

/**
 * Why the app's dotenv's reading of a .env line is probably not what its writer meant (a value on a
 * later line, a backslash escape in quotes, a quote left open, a # that starts a comment), and the
 * JavaScript notions of space and of lines that reading uses.
 */
final class DotenvDoubt {
    private DotenvDoubt() {}

    /** Why dotenv's reading of this match is probably not what its writer meant; null when it is plain. */
    static String doubt(String key, Matcher m, String text, int keyLine, int[] lineStarts) {
        String raw = m.group("value");
        int valueEnd = raw == null ? m.end("sep") : m.end("value");
        if (raw != null) {
            int start = m.start("value");
            while (start < m.end("value") && isJsSpace(text.charAt(start))) start++;
            if (lineOf(lineStarts, start) > keyLine) {
                return "has its value on a later line than its name, which the app's dotenv accepts but is easily a mistake; put " + key + "=value on one line.";
            }
        }
        if (m.group("single") != null && jsTrim(raw).contains("\\'")
                || m.group("double") != null && (jsTrim(raw).contains("\\\"") || jsTrim(raw).contains("\\\\"))
                || m.group("backtick") != null && jsTrim(raw).contains("\\`")) {
            return "has a backslash escape inside quotes, which the app's dotenv does not undo (it keeps the backslash, and turns only \\n and \\r"
                    + " in double quotes into line breaks); write the value in single quotes with no backslashes, as in " + key + "='say \"hi\"'.";
        }
        if (m.group("bare") != null) {
            String bare = jsTrim(raw);
            if (!bare.isEmpty() && "'\"`".indexOf(bare.charAt(0)) >= 0) {
                return "opens a quote that does not close at the end of the value, so the app's dotenv keeps the quote characters in it;"
                        + " close the quote, or use the other kind of quote around a value that holds one.";
            }
        }
        if (m.group("single") == null && m.group("double") == null && m.group("backtick") == null) {
            // a # right after the value (or right after =) starts a comment for dotenv
            int hash = valueEnd;
            if (hash < text.length() && text.charAt(hash) == '#' && !isJsSpace(text.charAt(hash - 1))) {
                return "has a # with no space before it, where the app's dotenv ends the value and starts a comment;"
                        + " quote the value (" + key + "='...#...') if the # belongs to it, or put a space before the # if it starts a comment.";
            }
        }
        return null;
    }

    static int[] lineStarts(String text) {
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n' && i + 1 < text.length()) starts.add(i + 1);
        }
        return starts.stream().mapToInt(Integer::intValue).toArray();
    }

    /** 1-based line of a position. */
    static int lineOf(int[] lineStarts, int pos) {
        int lo = 0, hi = lineStarts.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (lineStarts[mid] <= pos) lo = mid; else hi = mid - 1;
        }
        return lo + 1;
    }

    static String lineText(String text, int[] lineStarts, int line) {
        int start = lineStarts[line - 1];
        int end = line < lineStarts.length ? lineStarts[line] - 1 : text.length();
        if (end > start && text.charAt(end - 1) == '\n') end--;
        return text.substring(start, Math.max(start, end));
    }

    static boolean isJsSpace(char c) {
        return c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r' || c == ' ' || c == '\u00A0' || c == '\u1680'
                || (c >= '\u2000' && c <= '\u200A') || c == '\u2028' || c == '\u2029' || c == '\u202F' || c == '\u205F'
                || c == '\u3000' || c == '\uFEFF';
    }

    /** JavaScript's String.prototype.trim. */
    static String jsTrim(String s) {
        int start = 0, end = s.length();
        while (start < end && isJsSpace(s.charAt(start))) start++;
        while (end > start && isJsSpace(s.charAt(end - 1))) end--;
        return s.substring(start, end);
    }
}
