import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Variables from the environment, then from a .env file; the environment wins. A variable set
 * to the empty string counts as unset (Coolify's UI leaves empty strings behind), with one
 * warning naming it.
 */
final class Settings {
    private final Map<String, String> environment;
    private final Map<String, String> dotenv;
    private final Consumer<String> warn;
    private final Set<String> warned = new LinkedHashSet<>();

    Settings(Map<String, String> environment, Map<String, String> dotenv, Consumer<String> warn) {
        this.environment = environment;
        this.dotenv = dotenv;
        this.warn = warn;
    }

    /**
     * Reads the environment and the .env file: the one given (which must exist), else .env in
     * the working folder when there is one.
     */
    static Settings load(Map<String, String> environment, Path envFile, Path workingDir, Consumer<String> warn) {
        Path file = envFile;
        if (file == null) {
            Path local = workingDir.resolve(".env");
            if (!Files.isRegularFile(local)) return new Settings(environment, Map.of(), warn);
            file = local;
        } else if (!Files.isRegularFile(file)) {
            throw KitException.usage("the env file " + file + " does not exist; check the --env-file path.");
        }
        try {
            return new Settings(environment, parseDotenv(Files.readString(file, StandardCharsets.UTF_8)), warn);
        } catch (IOException | java.io.UncheckedIOException e) {
            throw KitException.usage("the env file " + file + " cannot be read (" + e.getMessage() + "); check its permissions.");
        }
    }

    /** The value of a variable, or null when it is unset or empty. */
    String get(String name) {
        String value = environment.get(name);
        String where = "the environment";
        if (value == null) {
            value = dotenv.get(name);
            where = ".env";
        }
        if (value != null && value.isEmpty()) {
            if (warned.add(name)) warn.accept(name + " is set to an empty string in " + where + "; treating it as unset.");
            return null;
        }
        return value;
    }

    boolean isSet(String name) {
        return get(name) != null;
    }

    /** KEY=VALUE lines; `export ` prefix, # comments, single and double quotes as in docker and dotenv. */
    static Map<String, String> parseDotenv(String text) {
        Map<String, String> vars = new HashMap<>();
        for (String raw : text.split("\r?\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            if (line.startsWith("export ")) line = line.substring(7).strip();
            int eq = line.indexOf('=');
            if (eq <= 0) continue;
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (value.length() >= 2 && (value.charAt(0) == '"' || value.charAt(0) == '\'')) {
                char quote = value.charAt(0);
                int end = value.indexOf(quote, 1);
                if (end > 0) {
                    value = value.substring(1, end);
                    if (quote == '"') value = value.replace("\\n", "\n").replace("\\\"", "\"");
                }
            } else {
                int hash = value.indexOf(" #");
                if (hash >= 0) value = value.substring(0, hash).strip();
            }
            vars.put(key, value);
        }
        return vars;
    }
}
