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
 * value came from, and where .env was looked for.
 */
final class Settings {
    private final Map<String, String> environment;
    private final Dotenv dotenv;
    private final Consumer<String> warn;
    private final Set<String> warned = new LinkedHashSet<>();
    private final Map<String, String> origins = new HashMap<>();
    /** The .env file looked for (read when it exists), or null when none was (tests). */
    private final Path dotenvFile;
    /** Whether dotenvFile is --dir's own .env, not one given with --env-file. */
    private final boolean inDir;

    /** For tests: the environment and already-parsed .env values. */
    Settings(Map<String, String> environment, Map<String, String> dotenv, Consumer<String> warn) {
        this(environment, Dotenv.of(dotenv), warn, null, false);
    }

    private Settings(Map<String, String> environment, Dotenv dotenv, Consumer<String> warn, Path dotenvFile, boolean inDir) {
        this.environment = environment;
        this.dotenv = dotenv;
        this.warn = warn;
        this.dotenvFile = dotenvFile;
        this.inDir = inDir;
    }

    /**
     * Reads the environment and the .env file: the one given (which must exist), else .env in
     * the --dir folder when there is one. A line the app's dotenv would skip is refused at once.
     */
    static Settings load(Map<String, String> environment, Path envFile, Path workingDir, Consumer<String> warn) {
        Settings settings = read(environment, envFile, workingDir, warn);
        settings.dotenv.refuseSkippedLines();
        return settings;
    }

    /**
     * As {@link #load}, for a report that reads on past a line the app's dotenv would skip ({@link #skippedLines}),
     * unless the line looks like it holds the database URL: then nothing can be reported, and it is refused.
     */
    static Settings forReport(Map<String, String> environment, Path envFile, Path workingDir, Consumer<String> warn) {
        Settings settings = read(environment, envFile, workingDir, warn);
        int line = settings.skippedLineNaming(List.of("DIRECT_URL", "DATABASE_URL"));
        if (line > 0) {
            throw KitException.usage(settings.dotenv.skippedLine(line, ", and it looks like it holds the database URL, so status cannot tell which database to read"));
        }
        return settings;
    }

    private static Settings read(Map<String, String> environment, Path envFile, Path workingDir, Consumer<String> warn) {
        if (envFile == null) {
            Path local = workingDir.resolve(".env");
            if (!Files.exists(local)) return new Settings(environment, Dotenv.of(Map.of()), warn, local, true);
            String shown = workingDir.normalize().toString().isEmpty() ? ".env" : local.toString();
            return new Settings(environment, Dotenv.read(local, shown, warn), warn, local, true);
        }
        if (!Files.exists(envFile)) {
            throw KitException.usage("the env file " + envFile + " does not exist; check the --env-file path.");
        }
        return new Settings(environment, Dotenv.read(envFile, envFile.toString(), warn), warn, envFile, false);
    }

    /** The lines of the .env file the app's dotenv would skip, by number. */
    List<Integer> skippedLines() {
        return dotenv.skipped().stream().map(Dotenv.Skipped::line).toList();
    }

    /** The sentence for such a line, naming file and line, never the line's text. */
    String skippedLine(int line) {
        return dotenv.skippedLine(line, "");
    }

    /** The .env file as sentences name it. */
    String dotenvName() {
        return dotenv.name;
    }

    /** The first line the app's dotenv would skip that names one of these variables or holds a database URL; 0 when none does. */
    private int skippedLineNaming(List<String> variables) {
        for (Dotenv.Skipped l : dotenv.skipped()) {
            String text = l.text().toLowerCase(java.util.Locale.ROOT);
            if (text.contains("postgres://") || text.contains("postgresql://")) return l.line();
            for (String v : variables) if (l.text().contains(v)) return l.line();
        }
        return 0;
    }

    /**
     * Where these variables were looked for, for a sentence: "V are set in neither the environment nor
     * FILE", or "V are not set in the environment, and there is no .env in DIR (...)".
     */
    String notSet(String variables) {
        if (dotenvFile == null) return variables + " are not set";
        Path file = dotenvFile.toAbsolutePath().normalize();
        if (dotenvExists()) return variables + " are set in neither the environment nor " + file;
        boolean workingFolder = inDir && file.getParent().equals(Path.of("").toAbsolutePath().normalize());
        return variables + " are not set in the environment, and there is no .env in " + file.getParent()
                + " (.env is read from the --dir folder" + (workingFolder ? ", here the working folder" : "") + ")";
    }

    /** Whether the .env file looked for is there. */
    boolean dotenvExists() {
        return dotenvFile != null && Files.exists(dotenvFile);
    }

    /** Whether the variable is set (not empty) in the environment itself. */
    boolean inEnvironment(String name) {
        String value = environment.get(name);
        return value != null && !value.isEmpty();
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
