//SOURCES Dotenv.java
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Variables from the environment, then from a .env file ({@link Dotenv}); the environment wins,
 * variable by variable. A variable set to the empty string counts as unset (Coolify's UI leaves
 * empty strings behind), with one warning naming it, and the next source is used. Says where each
 * value came from.
 */
final class Settings {
    private final Map<String, String> environment;
    private final Dotenv dotenv;
    private final Consumer<String> warn;
    private final Set<String> warned = new LinkedHashSet<>();
    private final Map<String, String> origins = new HashMap<>();

    /** For tests: the environment and already-parsed .env values. */
    Settings(Map<String, String> environment, Map<String, String> dotenv, Consumer<String> warn) {
        this(environment, Dotenv.of(dotenv), warn);
    }

    private Settings(Map<String, String> environment, Dotenv dotenv, Consumer<String> warn) {
        this.environment = environment;
        this.dotenv = dotenv;
        this.warn = warn;
    }

    /**
     * Reads the environment and the .env file: the one given (which must exist), else .env in
     * the working folder when there is one.
     */
    static Settings load(Map<String, String> environment, Path envFile, Path workingDir, Consumer<String> warn) {
        if (envFile == null) {
            Path local = workingDir.resolve(".env");
            if (!Files.exists(local)) return new Settings(environment, Dotenv.of(Map.of()), warn);
            String shown = workingDir.normalize().toString().isEmpty() ? ".env" : local.toString();
            return new Settings(environment, Dotenv.read(local, shown, warn), warn);
        }
        if (!Files.exists(envFile)) {
            throw KitException.usage("the env file " + envFile + " does not exist; check the --env-file path.");
        }
        return new Settings(environment, Dotenv.read(envFile, envFile.toString(), warn), warn);
    }

    /** The value of a variable, or null when it is unset or empty. */
    String get(String name) {
        String value = environment.get(name);
        if (value != null && !value.isEmpty()) {
            origins.put(name, "the environment");
            return value;
        }
        Dotenv.Entry entry = dotenv.lookup(name);
        if (value != null) {
            boolean fromFile = entry != null && !entry.value().isEmpty();
            warnOnce(name, name + " is set to an empty string in the environment; treating it as unset"
                    + (fromFile ? " and using its value from " + dotenv.name + "." : "."));
        }
        if (entry == null) return null;
        if (entry.value().isEmpty()) {
            warnOnce(name, name + " is set to an empty string on line " + entry.line() + " of " + dotenv.name + "; treating it as unset.");
            return null;
        }
        if (entry.earlierLines().size() > 0 && warned.add(name + " twice")) {
            List<Integer> lines = new ArrayList<>(entry.earlierLines());
            lines.add(entry.line());
            warn.accept(name + " is set on lines " + join(lines) + " of " + dotenv.name + "; the app's dotenv takes the last, line "
                    + entry.line() + ", and so does the kit: remove the others.");
        }
        origins.put(name, dotenv.name);
        return entry.value();
    }

    private void warnOnce(String name, String sentence) {
        if (warned.add(name)) warn.accept(sentence);
    }

    private static String join(List<Integer> lines) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            if (i > 0) sb.append(i == lines.size() - 1 ? " and " : ", ");
            sb.append(lines.get(i));
        }
        return sb.toString();
    }

    boolean isSet(String name) {
        return get(name) != null;
    }

    /** Where the value {@link #get} returned came from: "the environment" or the .env file's name. */
    String origin(String name) {
        return origins.getOrDefault(name, "nowhere");
    }
}
