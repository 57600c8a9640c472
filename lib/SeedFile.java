//SOURCES SeedValue.java KitException.java ExitCode.java Settings.java HistoryTable.java
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One seed file, read and checked without a database: JSON syntax (with line and column), known
 * fields, key columns in every row, no duplicate keys, and its values resolved (see SeedValue).
 * Problems come in the order a person reads the file: a syntax error anywhere first, then the
 * top-level fields, then the first row that is wrong.
 */
record SeedFile(Path path, String name, String table, List<String> key, Mode mode, List<Row> rows) {

    enum Mode { INSERT_MISSING, UPSERT }

    /** One row: its columns, in the file's order, and their values. */
    record Row(Map<String, SeedValue> values) {
        List<String> columns() {
            return List.copyOf(values.keySet());
        }

        SeedValue get(String column) {
            return values.get(column);
        }

        /** Whether any value of the row is to be stored as an argon2id hash. */
        boolean hashes() {
            return values.values().stream().anyMatch(SeedValue::argon2);
        }
    }

    /** $env variables that are not set: status reports the file as "not checked", seed refuses. */
    static final class UnsetVariable extends KitException {
        /** The first variable that is not set (status names it), and all of them. */
        final String variable;
        final List<String> variables;

        UnsetVariable(String file, List<String> variables) {
            super(ExitCode.USAGE, file + " needs " + String.join(" and ", variables) + (variables.size() == 1 ? ", which is not set: set it" : ", which are not set: set them")
                    + " in the environment or in .env (an empty value counts as unset).");
            this.variable = variables.get(0);
            this.variables = List.copyOf(variables);
        }

        /** "X is not set" or "X and Y are not set". */
        String notSet() {
            return String.join(" and ", variables) + (variables.size() > 1 ? " are" : " is") + " not set";
        }
    }

    private static final Set<String> FIELDS = Set.of("table", "key", "mode", "rows", "description");
    /** A string in a seed file is at most this long: the parser holds a few copies of one while reading it; long text goes in a $file. */
    static final int MAX_STRING = 1 << 20;
    private static final ObjectMapper MAPPER = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
            .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder().maxStringLength(MAX_STRING).maxNestingDepth(SeedValue.MAX_DEPTH).maxNameLength(SeedValue.MAX_NAME).build()).build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /** Sub-values are read one at a time, so what follows them is not "trailing". */
    private static final ObjectReader VALUE_READER = MAPPER.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    static SeedFile load(Path path, Path seedsRoot, Settings settings, Consumer<String> secretSink) {
        return load(path, seedsRoot, settings, secretSink, new SeedValue.Budget());
    }

    /**
     * Reads the file in one pass over its tokens: each row becomes a {@link Row} as soon as it is
     * read, and the first wrong row is held until the whole file has proved to be JSON.
     *
     * @param budget what this run may still read; seed shares one across its files
     */
    static SeedFile load(Path path, Path seedsRoot, Settings settings, Consumer<String> secretSink, SeedValue.Budget budget) {
        String name = seedsRoot.relativize(path).toString();
        SeedValue.Context ctx = new SeedValue.Context(name, path.getParent(), seedsRoot, settings, secretSink, budget);
        insideSeeds(path, seedsRoot, name);
        byte[] json = SeedValue.read(path, name, budget);
        Map<String, JsonNode> fields = new LinkedHashMap<>();
        RowsRead rows = new RowsRead(name, ctx);
        boolean rowList;
        JsonParser[] reading = new JsonParser[1]; // where a limit stopped it: its exception says no place
        try (JsonParser parser = MAPPER.createParser(json)) {
            reading[0] = parser;
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                JsonNode root = MAPPER.readTree(json); // a syntax error, said as a whole read says it
                if (root == null || !root.isObject()) throw KitException.usage(name + " must hold one JSON object with \"table\", \"key\" and \"rows\".");
            }
            rowList = walk(parser, fields, rows::read);
            if (parser.nextToken() != null) MAPPER.readTree(json); // trailing data: the same sentence as a whole read
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation() != null || reading[0] == null ? e.getLocation() : reading[0].currentLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            if (e instanceof com.fasterxml.jackson.core.exc.StreamConstraintsException) throw SeedValue.beyondLimits(name, where, String.valueOf(e.getOriginalMessage()));
            throw KitException.usage(name + " is not valid JSON" + where + ": " + SeedValue.printable(e.getOriginalMessage().split("\n")[0]) + ".");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // a parser over bytes in memory does no I/O
        }
        return checked(path, name, fields, rowList, rows.rows, rows.problem);
    }

    /** What a walk does with each row of "rows", the parser at the row's first token. */
    private interface RowReader {
        void read(JsonParser parser) throws IOException;
    }

    /**
     * The one walk over a seed file's tokens, for load and for what status skims: each top-level
     * field but a "rows" list goes into `fields` as a tree, each row of that list to `row`. True when
     * there was a "rows" list.
     */
    private static boolean walk(JsonParser parser, Map<String, JsonNode> fields, RowReader row) throws IOException {
        boolean rowList = false;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            if (parser.nextToken() != JsonToken.START_ARRAY || !field.equals("rows")) {
                fields.put(field, VALUE_READER.readTree(parser));
                continue;
            }
            rowList = true;
            while (parser.nextToken() != JsonToken.END_ARRAY) row.read(parser);
        }
        return rowList;
    }

    /** The rows as load takes them: each a Row as soon as it is read; the first wrong one is held, and the rest skipped, so that a syntax error further on comes first. */
    private static final class RowsRead {
        private final String name;
        private final SeedValue.Context ctx;
        final List<Row> rows = new ArrayList<>();
        KitException problem;

        RowsRead(String name, SeedValue.Context ctx) {
            this.name = name;
            this.ctx = ctx;
        }

        void read(JsonParser parser) throws IOException {
            if (problem != null) {
                parser.skipChildren(); // still read, so that a syntax error further on comes first
                return;
            }
            JsonNode node = VALUE_READER.readTree(parser);
            try {
                rows.add(row(node, name + " row " + (rows.size() + 1), ctx));
            } catch (KitException p) {
                problem = p;
            }
        }
    }

    /**
     * The strings `column` holds in the rows of the first of these files that seeds `table`, read
     * without their values resolved (status asks it of the files whose variables are not set), sorted
     * and each once; null when none of them seeds `table`. Streamed: a large file is skimmed, not
     * held. A file that cannot be read is passed over: seed refuses it with its own sentence.
     */
    static List<String> texts(List<Path> files, String table, String column) {
        for (Path file : files) {
            Map<String, JsonNode> fields = new LinkedHashMap<>();
            Set<String> texts = new java.util.TreeSet<>();
            try (JsonParser parser = MAPPER.createParser(file.toFile())) {
                if (parser.nextToken() != JsonToken.START_OBJECT) continue;
                walk(parser, fields, p -> {
                    JsonNode row = VALUE_READER.readTree(p);
                    JsonNode value = row == null ? null : row.get(column);
                    if (value != null && value.isTextual()) texts.add(value.asText());
                });
            } catch (IOException e) {
                continue;
            }
            JsonNode named = fields.get("table");
            if (named != null && named.isTextual() && named.asText().equals(table)) return List.copyOf(texts);
        }
        return null;
    }

    /** The fields first, then each row's key in order, then the row that could not be read. */
    private static SeedFile checked(Path path, String name, Map<String, JsonNode> fields, boolean rowList, List<Row> rows, KitException rowProblem) {
        for (String field : fields.keySet()) {
            if (!FIELDS.contains(field)) {
                throw KitException.usage(name + " has an unknown field \"" + field + "\"; the fields are table, key, mode, rows and description.");
            }
        }
        JsonNode table = fields.get("table");
        if (table == null || !table.isTextual() || table.asText().isBlank()) {
            throw KitException.usage(name + " needs \"table\": the name of the table to seed, as a string.");
        }
        if (List.of(HistoryTable.FLYWAY, HistoryTable.PRISMA).contains(table.asText())) {
            throw KitException.usage(name + " seeds table " + table.asText() + ", the migration history that only migrate writes; seed never writes it: remove the file.");
        }
        List<String> key = key(fields.get("key"), name);
        Mode mode = mode(fields.get("mode"), name);
        if (!rowList) throw KitException.usage(name + " needs \"rows\": a list of objects, one per row.");
        Set<List<String>> seen = new HashSet<>();
        for (int i = 0; i < rows.size(); i++) {
            String where = name + " row " + (i + 1);
            List<String> values = new ArrayList<>(key.size());
            for (String k : key) values.add(keyText(rows.get(i).get(k), k, where));
            if (!seen.add(values)) throw KitException.usage(where + " repeats the key " + values + " of an earlier row; each key may appear once.");
        }
        if (rowProblem != null) throw rowProblem;
        return new SeedFile(path, name, table.asText(), key, mode, Collections.unmodifiableList(rows));
    }

    private static List<String> key(JsonNode node, String name) {
        List<String> columns = new ArrayList<>();
        if (node != null && node.isTextual()) {
            columns.add(node.asText());
        } else if (node != null && node.isArray() && !node.isEmpty()) {
            for (JsonNode k : node) {
                if (!k.isTextual() || k.asText().isBlank()) throw KitException.usage(name + " has a \"key\" entry that is not a column name.");
                columns.add(k.asText());
            }
        } else {
            throw KitException.usage(name + " needs \"key\": the column (or list of columns) that identifies a row, such as [\"key\"].");
        }
        if (new HashSet<>(columns).size() != columns.size()) throw KitException.usage(name + " names a key column twice.");
        return List.copyOf(columns);
    }

    private static Mode mode(JsonNode node, String name) {
        if (node == null) return Mode.INSERT_MISSING;
        return switch (node.isTextual() ? node.asText() : "") {
            case "insert-missing" -> Mode.INSERT_MISSING;
            case "upsert" -> Mode.UPSERT;
            default -> throw KitException.usage(name + " has mode " + node + "; it must be \"insert-missing\" or \"upsert\".");
        };
    }

    private static String keyText(SeedValue v, String k, String where) {
        if (v == null) throw KitException.usage(where + " has no value for the key column \"" + k + "\".");
        if (v.isNull()) throw KitException.usage(where + " has null for the key column \"" + k + "\"; a key needs a value.");
        if (v.argon2()) throw KitException.usage(where + " uses $argon2id in the key column \"" + k + "\"; a hash cannot identify a row.");
        return v.json().isTextual() ? v.json().asText() : v.json().toString();
    }

    /** A row object as a Row; every unset variable of the row is named at once. */
    private static Row row(JsonNode node, String where, SeedValue.Context ctx) {
        if (!node.isObject() || node.isEmpty()) throw KitException.usage(where + " must be an object of column names and values.");
        ctx.budget().row(node.size(), ctx.file());
        Map<String, SeedValue> values = new LinkedHashMap<>(node.size() * 4 / 3 + 1); // sized to the row: a file may hold many
        List<String> unset = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (e.getKey().isBlank()) throw KitException.usage(where + " has an empty column name.");
            if (SeedValue.loneSurrogate(e.getKey()) != null) throw KitException.usage(where + " has a column name with a lone UTF-16 surrogate (" + SeedValue.loneSurrogate(e.getKey()) + ").");
            try {
                values.put(e.getKey(), SeedValue.of(e.getValue(), where + " column \"" + e.getKey() + "\"", ctx));
            } catch (UnsetVariable u) {
                unset.addAll(u.variables);
            }
        }
        if (!unset.isEmpty()) throw new UnsetVariable(ctx.file(), unset);
        return new Row(values);
    }

    /** A seed file (or the link it is) must resolve inside seeds/, like a $file. */
    private static void insideSeeds(Path path, Path seedsRoot, String name) {
        try {
            if (!path.toRealPath().startsWith(seedsRoot.toRealPath())) {
                throw KitException.usage(name + " is a link to a file outside the seeds folder; seed files must be inside seeds/ (copy the file there instead).");
            }
        } catch (IOException e) {
            throw KitException.usage(name + " cannot be read (" + e.getClass().getSimpleName() + "); check that it exists and its permissions.");
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
