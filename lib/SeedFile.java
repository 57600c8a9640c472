//DEPS com.fasterxml.jackson.core:jackson-databind:2.23.0
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
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
record SeedFile(Path path, String name, String table, List<String> key, Mode mode, List<Map<String, Value>> rows) {

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
     * @param seedsRoot $file paths must stay inside this folder
     * @param secretSink receives every value that will be hashed, so that no output shows it
     */
    static SeedFile load(Path path, Path seedsRoot, Settings settings, Consumer<String> secretSink) {
        String name = seedsRoot.relativize(path).toString();
        String text = readUtf8(path, name);
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw KitException.usage(name + " is not valid JSON" + where + ": " + e.getOriginalMessage().split("\n")[0] + ".");
        }
        if (root == null || !root.isObject()) throw KitException.usage(name + " must hold one JSON object with \"table\", \"key\" and \"rows\".");
        for (Map.Entry<String, JsonNode> entry : root.properties()) {
            String field = entry.getKey();
            if (!FIELDS.contains(field)) {
                throw KitException.usage(name + " has an unknown field \"" + field + "\"; the fields are table, key, mode, rows and description.");
            }
        }
        JsonNode tableNode = root.get("table");
        if (tableNode == null || !tableNode.isTextual() || tableNode.asText().isBlank()) {
            throw KitException.usage(name + " needs \"table\": the name of the table to seed, as a string.");
        }
        List<String> key = new ArrayList<>();
        JsonNode keyNode = root.get("key");
        if (keyNode != null && keyNode.isTextual()) key.add(keyNode.asText());
        else if (keyNode != null && keyNode.isArray() && !keyNode.isEmpty()) {
            for (JsonNode k : keyNode) {
                if (!k.isTextual() || k.asText().isBlank()) throw KitException.usage(name + " has a \"key\" entry that is not a column name.");
                key.add(k.asText());
            }
        } else {
            throw KitException.usage(name + " needs \"key\": the column (or list of columns) that identifies a row, such as [\"key\"].");
        }
        if (new HashSet<>(key).size() != key.size()) throw KitException.usage(name + " names a key column twice.");
        Mode mode = Mode.INSERT_MISSING;
        JsonNode modeNode = root.get("mode");
        if (modeNode != null) {
            String m = modeNode.isTextual() ? modeNode.asText() : "";
            mode = switch (m) {
                case "insert-missing" -> Mode.INSERT_MISSING;
                case "upsert" -> Mode.UPSERT;
                default -> throw KitException.usage(name + " has mode " + modeNode + "; it must be \"insert-missing\" or \"upsert\".");
            };
        }
        JsonNode rowsNode = root.get("rows");
        if (rowsNode == null || !rowsNode.isArray()) throw KitException.usage(name + " needs \"rows\": a list of objects, one per row.");

        Path folder = path.getParent();
        List<Map<String, Value>> rows = new ArrayList<>();
        Set<List<String>> seenKeys = new HashSet<>();
        int index = 0;
        for (JsonNode rowNode : rowsNode) {
            index++;
            String where = name + " row " + index;
            if (!rowNode.isObject() || rowNode.isEmpty()) throw KitException.usage(where + " must be an object of column names and values.");
            Map<String, Value> row = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> field : rowNode.properties()) {
                if (field.getKey().isBlank()) throw KitException.usage(where + " has an empty column name.");
                row.put(field.getKey(), resolve(field.getValue(), where + " column \"" + field.getKey() + "\"", name, folder, seedsRoot, settings, secretSink, false));
            }
            List<String> keyValues = new ArrayList<>();
            for (String k : key) {
                Value v = row.get(k);
                if (v == null) throw KitException.usage(where + " has no value for the key column \"" + k + "\".");
                if (v.isNull()) throw KitException.usage(where + " has null for the key column \"" + k + "\"; a key needs a value.");
                if (v.argon2()) throw KitException.usage(where + " uses $argon2id in the key column \"" + k + "\"; a hash cannot identify a row.");
                keyValues.add(v.json().isTextual() ? v.json().asText() : v.json().toString());
            }
            if (!seenKeys.add(keyValues)) throw KitException.usage(where + " repeats the key " + keyValues + " of an earlier row; each key may appear once.");
            rows.add(row);
        }
        return new SeedFile(path, name, tableNode.asText(), List.copyOf(key), mode, List.copyOf(rows));
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
        try {
            if (Files.size(path) > MAX_FILE_BYTES) throw KitException.usage(what + " is larger than 16 MiB; split it into several files.");
            byte[] bytes = Files.readAllBytes(path);
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
            return text.startsWith("\uFEFF") ? text.substring(1) : text;
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
