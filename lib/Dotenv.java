//SOURCES KitException.java ExitCode.java DotenvDoubt.java
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kit's one reader of .env files, reading them exactly as the app does: the app loads .env with
 * node's `dotenv` package, whose parser is one regular expression ({@link #LINE}) applied to the
 * whole text. This class runs that same expression, written for Java's regex engine (JavaScript's
 * whitespace and line-terminator classes spelled out, the quoted alternatives unrolled so that a
 * long value cannot exhaust the stack; same language, same backtracking order), then the same
 * post-processing. tests/UrlTest checks it against node's dotenv. No Java library reads .env as
 * node does (dotenv-java follows Ruby's dotenv and keeps single quotes; ezkv-dotenv uses Java's \s).
 *
 * <p>Where dotenv's reading is probably not what the writer meant (a backslash before a quote
 * inside quotes, a # glued to a value, a quote that does not close on its line, a value on the
 * line after its name), the variable is refused when asked for, naming file, line and variable,
 * never its value. A line dotenv skips (neither KEY=VALUE, a comment, nor blank) is refused at
 * once, since a variable meant on it would silently be missing.
 */
final class Dotenv {
    /** JavaScript's \s: WhiteSpace and LineTerminator, which include the BOM and no-break spaces. */
    private static final String WS = "[\\t\\n\\x0B\\f\\r \\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000\\uFEFF]";
    /** JavaScript's line terminators, for ^ and $ under the m flag and for `.`. */
    private static final String LT = "[\\n\\r\\u2028\\u2029]";
    private static final String BOL = "(?:\\A|(?<=" + LT + "))";
    private static final String EOL = "(?=" + LT + "|\\z)";

    /**
     * dotenv's LINE expression (lib/main.js, unchanged since dotenv 15):
     * <pre>(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)</pre>
     * with flags m and g. Here `(?:\\'|[^'])*` is written `[^']*(?:(?<=\\)'[^']*)*`: both match
     * any run in which every ' follows a backslash, longest first.
     */
    static final Pattern LINE = Pattern.compile(
            BOL + WS + "*(?:export" + WS + "+)?([\\w.-]+)(?<sep>" + WS + "*=" + WS + "*?|:" + WS + "+?)"
            + "(?<value>"
            + "(?<single>" + WS + "*'[^']*(?:(?<=\\\\)'[^']*)*')"
            + "|(?<double>" + WS + "*\"[^\"]*(?:(?<=\\\\)\"[^\"]*)*\")"
            + "|(?<backtick>" + WS + "*`[^`]*(?:(?<=\\\\)`[^`]*)*`)"
            + "|(?<bare>[^#\\r\\n]+)"
            + ")?" + WS + "*(?:#[^\\n\\r\\u2028\\u2029]*)?" + EOL);
    /** dotenv strips one pair of matching quotes: value.replace(/^(['"`])([\s\S]*)\1$/mg, '$2'). */
    private static final Pattern QUOTES = Pattern.compile(BOL + "(['\"`])([\\s\\S]*)\\1" + EOL);

    /** A line the kit cannot read as the app would: exit 2, and status can tell it from other refusals (it reads on past it). */
    static final class Unreadable extends KitException {
        Unreadable(String sentence) {
            super(ExitCode.USAGE, sentence);
        }
    }

    /** A variable: its value as dotenv reads it, its line, and why the kit would not trust it (or null). */
    record Entry(String value, int line, String doubt, List<Integer> earlierLines) {}

    /** Lines that lie inside another variable's value: where a variable may be hidden. */
    private record Span(String owner, int ownerLine, int firstLine, int lastLine, List<String> lines) {}

    final String name;
    private final Map<String, Entry> entries;
    private final List<Span> spans;
    /** A line dotenv skips: its number, and its text (never shown: it may hold a secret). */
    record Skipped(int line, String text) {}

    private final List<Skipped> skipped;

    private Dotenv(String name, Map<String, Entry> entries, List<Span> spans, List<Skipped> skipped) {
        this.name = name;
        this.entries = entries;
        this.spans = spans;
        this.skipped = skipped;
    }

    /** Values already read (for tests). */
    static Dotenv of(Map<String, String> values) {
        Map<String, Entry> entries = new LinkedHashMap<>();
        values.forEach((k, v) -> entries.put(k, new Entry(v, 0, null, List.of())));
        return new Dotenv(".env", entries, List.of(), List.of());
    }

    Map<String, String> values() {
        Map<String, String> values = new LinkedHashMap<>();
        entries.forEach((k, e) -> values.put(k, e.value()));
        return values;
    }

    /** The variable, or null when the file does not set it; refuses one the kit cannot read as the app would. */
    Entry lookup(String variable) {
        Entry entry = entries.get(variable);
        if (entry != null) {
            if (entry.doubt() != null) {
                throw new Unreadable(variable + " on line " + entry.line() + " of " + name + " " + entry.doubt());
            }
            return entry;
        }
        Pattern assignment = Pattern.compile("^" + WS + "*(?:export" + WS + "+)?" + Pattern.quote(variable) + WS + "*[=:]");
        for (Span span : spans) {
            for (int i = 0; i < span.lines().size(); i++) {
                if (assignment.matcher(span.lines().get(i)).find()) {
                    throw new Unreadable("line " + (span.firstLine() + i) + " of " + name + " looks like it sets " + variable
                            + ", but the app's dotenv reads it as part of the value of " + span.owner() + " from line " + span.ownerLine()
                            + " (a quote there that does not close on its own line runs on to the next quote); close that quote.");
                }
            }
        }
        return null;
    }

    /**
     * Reads a .env file (shown as `shown` in sentences): a regular file of UTF-8 text, with a
     * warning when others on the machine can read it.
     */
    static Dotenv read(Path file, String shown, Consumer<String> warn) {
        if (!Files.isRegularFile(file)) {
            throw KitException.usage("the env file " + shown + " is not a regular file; point --env-file at the .env file itself.");
        }
        String text;
        try (var in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1); // bounded: a huge file (a log, a dump named .env) is refused, never held whole
            if (bytes.length > MAX_BYTES) {
                throw KitException.usage("the env file " + shown + " is larger than " + (MAX_BYTES >> 20) + " MiB (" + Files.size(file) / (1 << 20)
                        + " MiB), which no file of variables is; check that it is the .env file (or that --env-file names it), or trim it.");
            }
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw KitException.usage("the env file " + shown + " is not UTF-8 text; save it as UTF-8, as the app's dotenv reads it.");
        } catch (IOException | java.io.UncheckedIOException e) {
            throw KitException.usage("the env file " + shown + " cannot be read (" + e.getClass().getSimpleName() + "); check its permissions.");
        }
        warnIfOthersCanRead(file, shown, warn);
        return parse(text, shown);
    }

    static final int MAX_BYTES = 1 << 20; // the most of an env file the kit reads

    /** As ssh does for private keys: a file of secrets that others on the machine can read. */
    private static void warnIfOthersCanRead(Path file, String shown, Consumer<String> warn) {
        Set<PosixFilePermission> perms;
        try {
            perms = Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException | IOException e) {
            return; // no POSIX permissions here (Windows): nothing to say
        }
        if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
            warn.accept(shown + " can be read by other users of this machine (mode " + mode(perms)
                    + ") and may hold passwords; run chmod 600 " + shown + ".");
        }
    }

    private static String mode(Set<PosixFilePermission> perms) {
        return String.format("%03o", perms.stream().mapToInt(p -> 1 << (8 - p.ordinal())).sum());
    }

    /**
     * Reads a .env text as node's dotenv.parse does. Java's regex engine recurses once per
     * escaped quote inside a quoted value, so the reading runs on a thread with a deep stack;
     * a value beyond even that is refused rather than read differently.
     */
    static Dotenv parse(String text, String name) {
        Dotenv[] result = new Dotenv[1];
        Throwable[] failure = new Throwable[1];
        Thread reader = new Thread(null, () -> {
            try {
                result[0] = scan(text, name);
            } catch (Throwable t) {
                failure[0] = t;
            }
        }, "dotenv-reader", 256L << 20);
        reader.start();
        try {
            reader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw KitException.usage("reading " + name + " was interrupted.");
        }
        if (failure[0] instanceof StackOverflowError) {
            throw KitException.usage(name + " holds a quoted value with more backslash-escaped quotes than the kit can read the way the app's dotenv does; shorten it.");
        }
        if (failure[0] instanceof RuntimeException e) throw e;
        if (failure[0] instanceof Error e) throw e;
        return result[0];
    }

    private static Dotenv scan(String text, String name) {
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        // dotenv: lines = src.toString().replace(/\r\n?/mg, '\n')
        text = text.replace("\r\n", "\n").replace('\r', '\n');
        int[] lineStarts = DotenvDoubt.lineStarts(text);
        boolean[] covered = new boolean[lineStarts.length];
        Map<String, Entry> entries = new LinkedHashMap<>();
        List<Span> spans = new ArrayList<>();
        Matcher m = LINE.matcher(text);
        while (m.find()) {
            String key = m.group(1);
            int keyLine = DotenvDoubt.lineOf(lineStarts, m.start(1));
            int lastLine = DotenvDoubt.lineOf(lineStarts, Math.max(m.start(1), m.end() - 1));
            for (int l = DotenvDoubt.lineOf(lineStarts, m.start()); l <= lastLine; l++) covered[l - 1] = true;
            String raw = m.group("value") == null ? "" : m.group("value");
            String value = DotenvDoubt.jsTrim(raw);
            char first = value.isEmpty() ? 0 : value.charAt(0);
            value = QUOTES.matcher(value).replaceAll(r -> Matcher.quoteReplacement(r.group(2)));
            if (first == '"') value = value.replace("\\n", "\n").replace("\\r", "\r");

            String doubt = DotenvDoubt.doubt(key, m, text, keyLine, lineStarts);
            Entry earlier = entries.remove(key);
            List<Integer> earlierLines = new ArrayList<>();
            if (earlier != null) {
                earlierLines.addAll(earlier.earlierLines());
                earlierLines.add(earlier.line());
            }
            entries.put(key, new Entry(value, keyLine, doubt, List.copyOf(earlierLines)));
            if (lastLine > keyLine) {
                List<String> inside = new ArrayList<>();
                for (int l = keyLine + 1; l <= lastLine; l++) inside.add(DotenvDoubt.lineText(text, lineStarts, l));
                spans.add(new Span(key, keyLine, keyLine + 1, lastLine, inside));
            }
        }
        List<Skipped> skipped = new ArrayList<>();
        for (int l = 1; l <= lineStarts.length; l++) {
            if (covered[l - 1]) continue;
            String line = DotenvDoubt.jsTrim(DotenvDoubt.lineText(text, lineStarts, l));
            if (!line.isEmpty() && !line.startsWith("#")) skipped.add(new Skipped(l, line));
        }
        return new Dotenv(name, entries, spans, skipped);
    }

    /** Refuses a file with a line that dotenv skips: a variable meant there would silently be missing. */
    Dotenv refuseSkippedLines() {
        if (!skipped.isEmpty()) throw new Unreadable(skippedLine(skipped.get(0).line(), ""));
        return this;
    }

    /** The lines dotenv skips, for a report that reads on past them (status). */
    List<Skipped> skipped() {
        return skipped;
    }

    /** The sentence for a line dotenv skips, with what follows from it (or ""); it never quotes the line, which may hold a secret. */
    String skippedLine(int line, String consequence) {
        return "line " + line + " of " + name + " is not a NAME=value line, a comment or blank, and the app's dotenv skips it" + consequence
                + "; fix it (a name is letters, digits, _ . and -, followed by = or \": \") or remove it.";
    }
}
