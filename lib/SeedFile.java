import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One seed file, read and checked without a database: JSON syntax (with line and column), known
 * fields, key columns in every row, no duplicate keys, and its value objects resolved —
 * {"$env"}, {"$file"} and {"$argon2id"}.
 */
record SeedFile(Path path, String name, String table, List<String> key, Mode mode, List<Row> rows) {

    enum Mode { INSERT_MISSING, UPSERT }

    /** A resolved value: JSON to store, or (argon2) the plain text whose hash is to be stored. */
    record Value(JsonNode json, boolean argon2) {
        boolean isNull() { return json == null || json.isNull(); }
    }

    /** A $env variable that is not set: status reports the file as "not checked", seed refuses. */
    static final class UnsetVariable extends KitException {
        final String variable;
        UnsetVariable(String file, String variable) {
            super(ExitCode.USAGE, file + " needs " + variable + ", which is not set: set it in the environment or in .env (an empty value counts as unset).");
            this.variable = variable;
        }
    }

    private static final Set<String> FIELDS = Set.of("table", "key", "mode", "rows", "description");
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    static final long MAX_FILE_BYTES = 16L * 1024 * 1024;

    /**
     * Reads the file as a stream: each row becomes a compact {@link Row} as soon as it is parsed,
     * so a file of many rows never holds a whole JSON tree as well. Problems are reported in the
     * same order as if the file were read whole: a JSON syntax error anywhere first, then the
     * top-level fields, then the first row that is wrong.
     *
     * @param seedsRoot $file paths must stay inside this folder
     * @param secretSink receives every value that will be hashed, so that no output shows it
     */
    static SeedFile load(Path path, Path seedsRoot, Settings settings, Consumer<String> secretSink) {
        String name = seedsRoot.relativize(path).toString();
        byte[] json = readUtf8Bytes(path, name);
        try (JsonParser parser = MAPPER.createParser(json)) {
            return new Reader(path, name, seedsRoot, settings, secretSink).read(parser, json);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw KitException.usage(name + " is not valid JSON" + where + ": " + e.getOriginalMessage().split("\n")[0] + ".");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // a parser over a String does no I/O
        }
    }

    /** The column names of rows that name the same columns in the same order, shared by those rows. */
    static final class Shape {
        final List<String> columns;
        private final Map<String, Integer> index = new java.util.HashMap<>();

        private Shape(List<String> columns) {
            this.columns = List.copyOf(columns);
            for (int i = 0; i < columns.size(); i++) index.put(columns.get(i), i);
        }
    }

    /**
     * One row: its shape and one value per column, read-only, in the file's column order. A plain
     * string is kept as the String itself and other plain JSON as its node, so that a file of
     * many rows holds few objects per row; {@link #get} wraps them in a {@link Value}.
     */
    static final class Row extends java.util.AbstractMap<String, Value> {
        final Shape shape;
        private final Object[] cells;

        private Row(Shape shape, Object[] cells) {
            this.shape = shape;
            this.cells = cells;
        }

        private static Object cell(Value v) {
            if (v.argon2()) return v;
            return v.json() != null && v.json().isTextual() ? v.json().asText() : v.json();
        }

        private Value value(int i) {
            Object c = cells[i];
            return c instanceof Value v ? v : new Value(c instanceof String text ? TextNode.valueOf(text) : (JsonNode) c, false);
        }

        @Override
        public Value get(Object column) {
            Integer i = shape.index.get(column);
            return i == null ? null : value(i);
        }

        @Override
        public boolean containsKey(Object column) {
            return shape.index.containsKey(column);
        }

        @Override
        public int size() {
            return cells.length;
        }

        /** Whether any value of the row is to be stored as an argon2id hash. */
        boolean hashes() {
            for (Object c : cells) {
                if (c instanceof Value v && v.argon2()) return true;
            }
            return false;
        }

        @Override
        public Set<String> keySet() {
            return new java.util.AbstractSet<>() {
                public java.util.Iterator<String> iterator() { return shape.columns.iterator(); }
                public int size() { return cells.length; }
                public boolean contains(Object o) { return shape.index.containsKey(o); }
            };
        }

        @Override
        public Set<Map.Entry<String, Value>> entrySet() {
            return new java.util.AbstractSet<>() {
                public java.util.Iterator<Map.Entry<String, Value>> iterator() {
                    return new java.util.Iterator<>() {
                        int i;
                        public boolean hasNext() { return i < cells.length; }
                        public Map.Entry<String, Value> next() {
                            if (i >= cells.length) throw new java.util.NoSuchElementException();
                            Map.Entry<String, Value> e = Map.entry(shape.columns.get(i), value(i));
                            i++;
                            return e;
                        }
                    };
                }
                public int size() { return cells.length; }
            };
        }
    }

    /** Sub-values are read one at a time, so what follows them is not "trailing". */
    private static final com.fasterxml.jackson.databind.ObjectReader VALUE_READER = MAPPER.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static final class Reader {
        private final Path path, folder, seedsRoot;
        private final String name;
        private final Settings settings;
        private final Consumer<String> secretSink;
        private final Map<List<String>, Shape> shapes = new java.util.HashMap<>();
        private final Set<Object> seenKeys = new HashSet<>();
        private final List<Row> rows = new ArrayList<>();
        private List<String> key;
        /** The first wrong row, thrown once the whole file has proved to be valid JSON. */
        private KitException firstProblem;

        Reader(Path path, String name, Path seedsRoot, Settings settings, Consumer<String> secretSink) {
            this.path = path;
            this.folder = path.getParent();
            this.name = name;
            this.seedsRoot = seedsRoot;
            this.settings = settings;
            this.secretSink = secretSink;
        }

        SeedFile read(JsonParser parser, byte[] text) throws IOException {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                JsonNode root = MAPPER.readTree(text); // reports a syntax error exactly as a whole read does
                if (root == null || !root.isObject()) throw KitException.usage(name + " must hold one JSON object with \"table\", \"key\" and \"rows\".");
            }
            Map<String, JsonNode> fields = new LinkedHashMap<>();
            List<JsonNode> heldRows = null;
            boolean streamedRows = false;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals("rows") && value == JsonToken.START_ARRAY) {
                    key = keyOrNull(fields.get("key"));
                    if (key == null) heldRows = new ArrayList<>();
                    while (parser.nextToken() != JsonToken.END_ARRAY) {
                        if (heldRows != null) heldRows.add(VALUE_READER.readTree(parser));
                        else if (firstProblem == null) row(parser);
                        else parser.skipChildren();
                    }
                    streamedRows = true;
                } else {
                    fields.put(field, VALUE_READER.readTree(parser));
                }
            }
            if (parser.nextToken() != null) MAPPER.readTree(text); // trailing data: the same sentence as a whole read
            return finish(fields, streamedRows, heldRows);
        }

        private SeedFile finish(Map<String, JsonNode> fields, boolean streamedRows, List<JsonNode> heldRows) {
            for (String field : fields.keySet()) {
                if (!FIELDS.contains(field)) {
                    throw KitException.usage(name + " has an unknown field \"" + field + "\"; the fields are table, key, mode, rows and description.");
                }
            }
            JsonNode tableNode = fields.get("table");
            if (tableNode == null || !tableNode.isTextual() || tableNode.asText().isBlank()) {
                throw KitException.usage(name + " needs \"table\": the name of the table to seed, as a string.");
            }
            List<String> checkedKey = checkedKey(fields.get("key"));
            Mode mode = Mode.INSERT_MISSING;
            JsonNode modeNode = fields.get("mode");
            if (modeNode != null) {
                String m = modeNode.isTextual() ? modeNode.asText() : "";
                mode = switch (m) {
                    case "insert-missing" -> Mode.INSERT_MISSING;
                    case "upsert" -> Mode.UPSERT;
                    default -> throw KitException.usage(name + " has mode " + modeNode + "; it must be \"insert-missing\" or \"upsert\".");
                };
            }
            if (!streamedRows) throw KitException.usage(name + " needs \"rows\": a list of objects, one per row.");
            if (heldRows != null) {
                key = checkedKey;
                for (JsonNode rowNode : heldRows) {
                    if (firstProblem != null) break;
                    try (JsonParser again = rowNode.traverse()) {
                        again.nextToken();
                        row(again);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e); // a parser over a tree does no I/O
                    }
                }
            }
            if (firstProblem != null) throw firstProblem;
            return new SeedFile(path, name, tableNode.asText(), checkedKey, mode, List.copyOf(rows));
        }

        /** The key as the file gives it, or null when it is missing or wrong (reported later, in order). */
        private List<String> keyOrNull(JsonNode keyNode) {
            try {
                return keyNode == null ? null : checkedKey(keyNode);
            } catch (KitException wrong) {
                return null;
            }
        }

        private List<String> checkedKey(JsonNode keyNode) {
            List<String> columns = new ArrayList<>();
            if (keyNode != null && keyNode.isTextual()) columns.add(keyNode.asText());
            else if (keyNode != null && keyNode.isArray() && !keyNode.isEmpty()) {
                for (JsonNode k : keyNode) {
                    if (!k.isTextual() || k.asText().isBlank()) throw KitException.usage(name + " has a \"key\" entry that is not a column name.");
                    columns.add(k.asText());
                }
            } else {
                throw KitException.usage(name + " needs \"key\": the column (or list of columns) that identifies a row, such as [\"key\"].");
            }
            if (new HashSet<>(columns).size() != columns.size()) throw KitException.usage(name + " names a key column twice.");
            return List.copyOf(columns);
        }

        /** The rows of a file usually all name the same columns: the last row's shape is tried first. */
        private Shape lastShape;

        /**
         * One row read straight from the parser (at its first token) into a {@link Row}, without a
         * JSON object for it in between: the first problem is kept, and the rest of the row skipped.
         */
        private void row(JsonParser parser) throws IOException {
            int index = rows.size() + 1;
            if (parser.currentToken() != JsonToken.START_OBJECT) {
                parser.skipChildren();
                firstProblem = KitException.usage(name + " row " + index + " must be an object of column names and values.");
                return;
            }
            Shape guess = lastShape;
            List<String> columns = null;
            Object[] values = new Object[guess == null ? 8 : guess.columns.size()];
            int n = 0;
            boolean ended = false;
            try {
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String column = parser.currentName();
                    Object value = parser.nextToken() == JsonToken.VALUE_STRING ? parser.getText() : VALUE_READER.readTree(parser);
                    if (column.isBlank()) throw KitException.usage(name + " row " + index + " has an empty column name.");
                    if (value instanceof JsonNode node && node.isObject()) {
                        value = Row.cell(resolve(node, name + " row " + index + " column \"" + column + "\"", name, folder, seedsRoot, settings, secretSink, false));
                    }
                    if (columns == null && (guess == null || n >= guess.columns.size() || !guess.columns.get(n).equals(column))) {
                        columns = new ArrayList<>(guess == null ? List.of() : guess.columns.subList(0, n));
                    }
                    if (columns != null) columns.add(column);
                    if (n == values.length) values = java.util.Arrays.copyOf(values, n * 2);
                    values[n++] = value;
                }
                ended = true;
                if (n == 0) throw KitException.usage(name + " row " + index + " must be an object of column names and values.");
                Shape shape = columns != null ? shapes.computeIfAbsent(columns, Shape::new)
                        : n == guess.columns.size() ? guess : shapes.computeIfAbsent(new ArrayList<>(guess.columns.subList(0, n)), Shape::new);
                lastShape = shape;
                rows.add(keyed(new Row(shape, n == values.length ? values : java.util.Arrays.copyOf(values, n)), index));
            } catch (KitException problem) {
                firstProblem = problem;
                if (!ended) {
                    while (parser.nextToken() == JsonToken.FIELD_NAME) {
                        parser.nextToken();
                        parser.skipChildren();
                    }
                }
            }
        }

        /** The row, once its key is complete and unlike every earlier row's. */
        private Row keyed(Row row, int index) {
            Object keyValue;
            if (key.size() == 1) {
                keyValue = keyText(row, key.get(0), index);
            } else {
                List<String> keyValues = new ArrayList<>(key.size());
                for (String k : key) keyValues.add(keyText(row, k, index));
                keyValue = keyValues;
            }
            if (!seenKeys.add(keyValue)) {
                throw KitException.usage(name + " row " + index + " repeats the key " + (keyValue instanceof List ? keyValue : List.of(keyValue)) + " of an earlier row; each key may appear once.");
            }
            return row;
        }

        private String keyText(Row row, String k, int index) {
            Value v = row.get(k);
            String where = name + " row " + index;
            if (v == null) throw KitException.usage(where + " has no value for the key column \"" + k + "\".");
            if (v.isNull()) throw KitException.usage(where + " has null for the key column \"" + k + "\"; a key needs a value.");
            if (v.argon2()) throw KitException.usage(where + " uses $argon2id in the key column \"" + k + "\"; a hash cannot identify a row.");
            return v.json().isTextual() ? v.json().asText() : v.json().toString();
        }
    }

    private static Value resolve(JsonNode node, String where, String file, Path folder, Path seedsRoot, Settings settings, Consumer<String> secretSink, boolean insideArgon2) {
        String kind = node.isObject() && node.size() == 1 ? node.properties().iterator().next().getKey() : "";
        if (!kind.startsWith("$")) return new Value(node, false);
        JsonNode arg = node.get(kind);
        switch (kind) {
            case "$env" -> {
                if (!arg.isTextual() || !arg.asText().matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    throw KitException.usage(where + " has {\"$env\": " + arg + "}; it takes the name of a variable, such as \"ADMIN_SEED_EMAIL\".");
                }
                String value = settings.get(arg.asText());
                if (value == null) throw new UnsetVariable(file, arg.asText());
                if (insideArgon2) secretSink.accept(value);
                return new Value(TextNode.valueOf(value), false);
            }
            case "$file" -> {
                if (!arg.isTextual() || arg.asText().isBlank()) throw KitException.usage(where + " has {\"$file\": " + arg + "}; it takes a path relative to the seed file.");
                return new Value(TextNode.valueOf(readBeside(arg.asText(), where, folder, seedsRoot)), false);
            }
            case "$argon2id" -> {
                if (insideArgon2) throw KitException.usage(where + " nests $argon2id inside $argon2id.");
                Value inner = resolve(arg, where, file, folder, seedsRoot, settings, secretSink, true);
                if (!inner.json().isTextual() || inner.json().asText().isEmpty()) {
                    throw KitException.usage(where + " has $argon2id of something other than a non-empty string.");
                }
                secretSink.accept(inner.json().asText());
                return new Value(inner.json(), true);
            }
            default -> throw KitException.usage(where + " has an unknown value object \"" + kind + "\"; the value objects are $env, $file and $argon2id.");
        }
    }

    /** Text of a file beside the seed file, which must stay inside the seeds folder. */
    private static String readBeside(String relative, String where, Path folder, Path seedsRoot) {
        Path rel = Path.of(relative);
        if (rel.isAbsolute()) throw KitException.usage(where + " names the absolute path " + relative + "; $file takes a path relative to the seed file, inside seeds/.");
        Path target = folder.resolve(rel).normalize();
        try {
            Path real = target.toRealPath();
            if (!target.startsWith(seedsRoot) || !real.startsWith(seedsRoot.toRealPath())) {
                throw KitException.usage(where + " names " + relative + ", which is outside the seeds folder; $file only reads files inside seeds/.");
            }
        } catch (IOException e) {
            if (!target.startsWith(seedsRoot)) {
                throw KitException.usage(where + " names " + relative + ", which is outside the seeds folder; $file only reads files inside seeds/.");
            }
            throw KitException.usage(where + " names " + relative + ", which does not exist or cannot be read.");
        }
        return readUtf8(target, where + " file " + relative);
    }

    private static String readUtf8(Path path, String what) {
        return new String(readUtf8Bytes(path, what), StandardCharsets.UTF_8);
    }

    /** The file's bytes, checked to be UTF-8 (without decoding them into one large string), without a byte order mark. */
    private static byte[] readUtf8Bytes(Path path, String what) {
        try {
            if (Files.size(path) > MAX_FILE_BYTES) throw KitException.usage(what + " is larger than 16 MiB; split it into several files.");
            byte[] bytes = Files.readAllBytes(path);
            var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
            ByteBuffer in = ByteBuffer.wrap(bytes);
            java.nio.CharBuffer out = java.nio.CharBuffer.allocate(8192);
            while (true) {
                var result = decoder.decode(in, out, true);
                if (result.isError()) throw new CharacterCodingException();
                if (result.isUnderflow()) break;
                out.clear();
            }
            out.clear();
            if (decoder.flush(out).isError()) throw new CharacterCodingException();
            boolean bom = bytes.length >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB && (bytes[2] & 0xff) == 0xBF;
            return bom ? java.util.Arrays.copyOfRange(bytes, 3, bytes.length) : bytes;
        } catch (CharacterCodingException e) {
            throw KitException.usage(what + " is not valid UTF-8; save it as UTF-8.");
        } catch (IOException e) {
            throw KitException.usage(what + " cannot be read (" + e.getClass().getSimpleName() + "); check that it exists and its permissions.");
        }
    }

    /** seeds/*.json in name order, then seeds/dev/*.json in name order when dev is asked for. */
    static List<Path> list(Path seedsRoot, boolean dev) {
        List<Path> files = new ArrayList<>(jsonFiles(seedsRoot));
        if (dev) files.addAll(jsonFiles(seedsRoot.resolve("dev")));
        return files;
    }

    private static List<Path> jsonFiles(Path folder) {
        if (!Files.isDirectory(folder)) return List.of();
        try (var stream = Files.list(folder)) {
            return stream.filter(p -> p.getFileName().toString().endsWith(".json") && !Files.isDirectory(p)).sorted().toList();
        } catch (IOException e) {
            throw KitException.usage("the folder " + folder + " cannot be read; check its permissions.");
        }
    }

    static Path root(Path dir) {
        Path seeds = dir.resolve("seeds").toAbsolutePath().normalize();
        if (!Files.isDirectory(seeds)) {
            throw KitException.usage("there is no seeds/ folder in " + dir.toAbsolutePath().normalize() + "; run from the kit's folder or pass --dir.");
        }
        return seeds;
    }
}
