import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.function.Consumer;

/**
 * One value of a seed row, and the three value objects that do more than plain JSON:
 * {"$env": NAME} (a variable, set and non-empty), {"$file": PATH} (the text of a regular file
 * inside seeds/) and {"$argon2id": VALUE} (the value, to be stored as an argon2id hash). A value
 * that came from a variable remembers its name, so that no sentence needs to quote it.
 *
 * <p>This is security code: a $file may not leave seeds/ (by "..", an absolute path or a link),
 * only regular files are read (a FIFO or a device would hang or never end), and everything read
 * counts against one {@link Budget} per run.
 */
record SeedValue(JsonNode json, boolean argon2, String variable) {

    boolean isNull() {
        return json == null || json.isNull();
    }

    /** Plain JSON, as the file gives it. */
    static SeedValue plain(JsonNode json) {
        return new SeedValue(json, false, null);
    }

    /** What reading a value needs: where the seed file is, the variables, and where secrets go. */
    record Context(String file, Path folder, Path seedsRoot, Settings settings, Consumer<String> secretSink, Budget budget) {}

    /** Variables whose values are secrets wherever they are used (the admin's e-mail may hold the password when the two are swapped). */
    static boolean secretVariable(String name) {
        return name.equals("ADMIN_SEED_EMAIL") || name.contains("PASSWORD") || name.contains("SECRET");
    }

    /** The value of one JSON value of a row; `where` names the row and column for sentences. */
    static SeedValue of(JsonNode node, String where, Context ctx) {
        return resolve(node, where, ctx, false);
    }

    private static SeedValue resolve(JsonNode node, String where, Context ctx, boolean insideArgon2) {
        String kind = node.isObject() && node.size() == 1 ? node.fieldNames().next() : "";
        String half = loneSurrogate(node);
        if (half != null) {
            throw KitException.usage(where + " holds a lone UTF-16 surrogate (" + half + "), half of a character that no text can store"
                    + " (it would be written as ?); write the whole character (both \\u escapes of its pair) or remove it.");
        }
        if (!kind.startsWith("$")) return plain(node);
        JsonNode arg = node.get(kind);
        switch (kind) {
            case "$env" -> {
                if (!arg.isTextual() || !arg.asText().matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    throw KitException.usage(where + " has {\"$env\": " + arg + "}; it takes the name of a variable, such as \"ADMIN_SEED_EMAIL\".");
                }
                String name = arg.asText();
                String value = ctx.settings().get(name);
                if (value == null || value.isEmpty()) throw new SeedFile.UnsetVariable(ctx.file(), java.util.List.of(name));
                if (insideArgon2 || secretVariable(name)) ctx.secretSink().accept(value);
                return new SeedValue(TextNode.valueOf(value), false, name);
            }
            case "$file" -> {
                if (!arg.isTextual() || arg.asText().isBlank()) throw KitException.usage(where + " has {\"$file\": " + arg + "}; it takes a path relative to the seed file.");
                Path target = inside(arg.asText(), where, ctx);
                return plain(TextNode.valueOf(new String(read(target, where + " file " + printable(arg.asText()), ctx.budget()), StandardCharsets.UTF_8)));
            }
            case "$argon2id" -> {
                if (insideArgon2) throw KitException.usage(where + " nests $argon2id inside $argon2id.");
                SeedValue inner = resolve(arg, where, ctx, true);
                if (!inner.json().isTextual() || inner.json().asText().isEmpty()) {
                    throw KitException.usage(where + " has $argon2id of something other than a non-empty string.");
                }
                ctx.secretSink().accept(inner.json().asText());
                return new SeedValue(inner.json(), true, inner.variable());
            }
            default -> throw KitException.usage(where + " has an unknown value object \"" + kind + "\"; the value objects are $env, $file and $argon2id.");
        }
    }

    /** The first lone UTF-16 surrogate in a JSON value's strings or field names, as \\uXXXX; null when there is none. */
    static String loneSurrogate(JsonNode node) {
        if (node.isTextual()) return loneSurrogate(node.asText());
        for (var e : node.properties()) {
            String half = loneSurrogate(e.getKey());
            if (half == null) half = loneSurrogate(e.getValue());
            if (half != null) return half;
        }
        if (node.isArray()) for (JsonNode item : node) {
            String half = loneSurrogate(item);
            if (half != null) return half;
        }
        return null;
    }

    static String loneSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return String.format("\\u%04x", (int) c);
            }
        }
        return null;
    }

    /** A $file path resolved against the seed file's folder, refused unless it stays inside seeds/ (also through links). */
    static Path inside(String relative, String where, Context ctx) {
        if (relative.indexOf('\0') >= 0) {
            throw KitException.usage(where + " has a $file path with a NUL character (\\u0000) in it; name a file inside seeds/.");
        }
        String shown = printable(relative);
        Path rel;
        try {
            rel = Path.of(relative);
        } catch (InvalidPathException e) {
            throw KitException.usage(where + " has the $file path \"" + shown + "\", which is not a valid path; name a file inside seeds/.");
        }
        if (rel.isAbsolute()) throw KitException.usage(where + " names the absolute path " + shown + "; $file takes a path relative to the seed file, inside seeds/.");
        Path target = ctx.folder().resolve(rel).normalize();
        String outside = where + " names " + shown + ", which is outside the seeds folder; $file only reads files inside seeds/.";
        if (!target.startsWith(ctx.seedsRoot())) throw KitException.usage(outside);
        try {
            if (!target.toRealPath().startsWith(ctx.seedsRoot().toRealPath())) throw KitException.usage(outside);
        } catch (IOException e) {
            throw KitException.usage(where + " names " + shown + ", which does not exist or cannot be read.");
        }
        return target;
    }

    /** Control characters shown as escapes, so that a sentence never carries a raw one. */
    static String printable(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            if (c < 0x20 || c == 0x7f) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return sb.toString();
    }

    /** How deep lists and objects may nest in a seed file, and how long a field name may be (Jackson's defaults, written here: each has its sentence). */
    static final int MAX_DEPTH = 1000, MAX_NAME = 50_000;

    /**
     * A file past one of the parser's limits, said for the limit it passed (Jackson's message names the
     * StreamReadConstraints getter of the limit): a string, the nesting of lists and objects, a field name.
     */
    static KitException beyondLimits(String name, String where, String message) {
        if (message.contains("getMaxNestingDepth")) {
            return KitException.usage(name + " nests lists or objects more than " + MAX_DEPTH + " levels deep" + where + "; a seed value is a column's value, a few levels deep at most.");
        }
        if (message.contains("getMaxNameLength")) {
            return KitException.usage(name + " has a field name longer than " + String.format("%,d", MAX_NAME) + " characters" + where
                    + "; a field names a column, and PostgreSQL's names are at most 63 bytes.");
        }
        return KitException.usage(name + " has a string longer than 1 MiB" + where + "; put long text in a file beside it and use {\"$file\": \"...\"}.");
    }

    /**
     * How much one run holds: each file at most {@link #PER_FILE} bytes, all of them (seed files
     * and every use of a $file) at most {@link #TOTAL}, and at most {@link #VALUES} values and rows
     * together (a row costs memory of its own), so that neither one large file nor many can exhaust the memory the scripts
     * run with. Real seed data is far below each.
     */
    static final class Budget {
        static final long PER_FILE = 16L * 1024 * 1024;
        static final long TOTAL = 24L * 1024 * 1024;
        static final long VALUES = 300_000;
        private long used;
        private long values;

        /** Counts a row and its values; `what` names the file for the sentence. */
        void row(int count, String what) {
            count++;
            values += count;
            if (values > VALUES) {
                throw KitException.usage(what + " is too large to read: with it, this run would hold more than 300,000 values and rows; split the data across runs with --only.");
            }
        }

        /** The bytes `what` may still read, or a sentence saying it is too large. */
        long allowance(long size, String what) {
            if (size > PER_FILE) throw KitException.usage(what + " is larger than 16 MiB; split it into several files.");
            if (used + size > TOTAL) {
                throw KitException.usage(what + " is too large to read: with it, this run would read more than 24 MiB of seed files and $file texts; split the data across runs with --only.");
            }
            return Math.min(PER_FILE, TOTAL - used);
        }

        void spend(long bytes) {
            used += bytes;
        }
    }

    /**
     * The bytes of a regular file (links followed; a FIFO, device or folder is refused without
     * being opened), within the budget, checked to be UTF-8, without a byte order mark.
     */
    static byte[] read(Path path, String what, Budget budget) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            if (!attributes.isRegularFile()) {
                throw KitException.usage(what + " is not a regular file (" + (attributes.isDirectory() ? "a folder" : "a FIFO, socket or device")
                        + "); seed files and $file only read regular files.");
            }
            long limit = budget.allowance(attributes.size(), what);
            byte[] bytes;
            try (InputStream in = Files.newInputStream(path)) {
                bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            }
            budget.allowance(bytes.length, what); // a file that grew while it was read
            budget.spend(bytes.length);
            checkUtf8(bytes, what);
            boolean bom = bytes.length >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB && (bytes[2] & 0xff) == 0xBF;
            return bom ? java.util.Arrays.copyOfRange(bytes, 3, bytes.length) : bytes;
        } catch (IOException e) {
            throw KitException.usage(what + " cannot be read (" + e.getClass().getSimpleName() + "); check that it exists and its permissions.");
        }
    }

    /** Checked without decoding the whole file into one large string. */
    private static void checkUtf8(byte[] bytes, String what) {
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(8192);
        try {
            while (true) {
                var result = decoder.decode(in, out, true);
                if (result.isError()) result.throwException();
                if (result.isUnderflow()) break;
                out.clear();
            }
            out.clear();
            if (decoder.flush(out).isError()) throw new CharacterCodingException();
        } catch (CharacterCodingException e) {
            throw KitException.usage(what + " is not valid UTF-8; save it as UTF-8.");
        }
    }
}
