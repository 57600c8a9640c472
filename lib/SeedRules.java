import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** What seed.java asks of the files and secrets beyond their format: selection, e-mail shape, password strength. */
final class SeedRules {
    static final int MIN_PASSWORD_LENGTH = 12;
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
    /** Test passwords from the app's own scripts and the usual suspects. */
    private static final Set<String> KNOWN_WEAK = Set.of(
            "admin123", "testpassword123!", "password", "password1", "password123", "password123!", "changeme",
            "changeme123", "admin", "administrator", "letmein", "welcome", "welcome123", "welcome123!", "qwerty",
            "qwerty123", "123456789012", "1234567890", "postgres", "supabase", "secret", "superadmin", "superadmin123");

    /** The files --only/--skip leave, by file name with or without .json and number prefix. */
    static List<Path> select(List<Path> files, Path root, List<String> only, List<String> skip) {
        for (String name : concat(only, skip)) {
            if (files.stream().noneMatch(p -> matches(p, root, name))) {
                throw KitException.usage("there is no seed file called \"" + name + "\"; the files are "
                        + String.join(", ", files.stream().map(p -> root.relativize(p).toString()).toList()) + ".");
            }
        }
        List<Path> chosen = new ArrayList<>();
        for (Path p : files) {
            boolean in = only.isEmpty() || only.stream().anyMatch(n -> matches(p, root, n));
            boolean out = skip.stream().anyMatch(n -> matches(p, root, n));
            if (in && !out) chosen.add(p);
        }
        return chosen;
    }

    private static boolean matches(Path file, Path root, String name) {
        String rel = root.relativize(file).toString();
        String base = rel.endsWith(".json") ? rel.substring(0, rel.length() - 5) : rel;
        String bare = base.replaceFirst("^(dev/)?\\d+[_-]", "$1");
        return name.equals(rel) || name.equals(base) || name.equals(bare);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** E-mail columns hold e-mail addresses; passwords to hash are strong outside seeds/dev/. */
    static void checkSecrets(SeedFile file, boolean devFile) {
        int index = 0;
        for (Map<String, SeedFile.Value> row : file.rows()) {
            index++;
            SeedFile.Value email = row.get("email");
            if (email != null && email.json() != null && email.json().isTextual() && !EMAIL.matcher(email.json().asText()).matches()) {
                throw KitException.usage(file.name() + " row " + index + ": \"" + email.json().asText() + "\" is not an e-mail address (check ADMIN_SEED_EMAIL if it comes from there).");
            }
            if (devFile) continue;
            for (Map.Entry<String, SeedFile.Value> e : row.entrySet()) {
                if (!e.getValue().argon2()) continue;
                String password = e.getValue().json().asText();
                String problem = weakness(password, row);
                if (problem != null) {
                    throw KitException.usage(file.name() + " row " + index + ": the password for \"" + e.getKey() + "\" " + problem
                            + "; choose another (ADMIN_SEED_PASSWORD, if it comes from there).");
                }
            }
        }
    }

    /** Why a password is too weak for production, or null. */
    static String weakness(String password, Map<String, SeedFile.Value> row) {
        if (password.length() < MIN_PASSWORD_LENGTH) return "is shorter than " + MIN_PASSWORD_LENGTH + " characters";
        String lower = password.toLowerCase(Locale.ROOT);
        if (KNOWN_WEAK.contains(lower)) return "is a well-known test password";
        for (SeedFile.Value v : row.values()) {
            if (!v.argon2() && v.json() != null && v.json().isTextual() && v.json().asText().equalsIgnoreCase(password)) {
                return "is the same as another value in the row (such as the e-mail address)";
            }
        }
        if (password.chars().distinct().count() < 4) return "repeats too few different characters";
        return null;
    }

    private SeedRules() {}
}
