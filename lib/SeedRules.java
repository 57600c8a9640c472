//DEPS com.nulab-inc:zxcvbn:1.9.0
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** What seed.java asks of the files and secrets beyond their format: selection, e-mail shape, password strength. */
final class SeedRules {
    static final int MIN_PASSWORD_LENGTH = 12;
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
    /** zxcvbn's score (0 to 4) a production password must reach: 3 is "safely unguessable", about 10^8 guesses or more. */
    static final int MIN_STRENGTH = 3;
    /** Words an attacker of this app tries first: its name and the test passwords in its own scripts. */
    private static final List<String> CONTEXT_WORDS = List.of("revenue", "council", "revenuecouncil", "admin", "administrator",
            "supabase", "postgres", "admin123", "testpassword123!", "changeme", "password");

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
        for (SeedFile.Row fileRow : file.rows()) {
            Map<String, SeedValue> row = fileRow.values();
            index++;
            SeedValue email = row.get("email");
            if (email != null && email.json() != null && email.json().isTextual() && !EMAIL.matcher(email.json().asText()).matches()) {
                // a variable's value is never quoted: swapped admin variables would put the password here
                throw KitException.usage(file.name() + " row " + index + ": " + (email.variable() != null
                        ? "the value of " + email.variable() + " is not an e-mail address (are ADMIN_SEED_EMAIL and ADMIN_SEED_PASSWORD swapped?)"
                        : "\"" + email.json().asText() + "\" is not an e-mail address (check ADMIN_SEED_EMAIL if it comes from there)") + ".");
            }
            if (devFile) continue;
            for (Map.Entry<String, SeedValue> e : row.entrySet()) {
                if (!e.getValue().argon2()) continue;
                String problem = weakness(e.getValue().json().asText(), row);
                if (problem != null) {
                    throw KitException.usage(file.name() + " row " + index + ": the password for \"" + e.getKey() + "\" " + problem
                            + "; choose another (ADMIN_SEED_PASSWORD, if it comes from there).").quotingNoValue(); // weakness() never quotes the password
                }
            }
        }
    }

    /**
     * Why a password is too weak for production, or null: shorter than 12 characters, the same as
     * another value of its row, or rated below {@link #MIN_STRENGTH} of 4 by zxcvbn (which knows
     * common passwords, words, keyboard walks, repeats and dates), with the row's other values and
     * the app's own test passwords as words an attacker would try first.
     */
    static String weakness(String password, Map<String, SeedValue> row) {
        if (password.length() < MIN_PASSWORD_LENGTH) return "is shorter than " + MIN_PASSWORD_LENGTH + " characters";
        List<String> context = new ArrayList<>(CONTEXT_WORDS);
        for (SeedValue v : row.values()) {
            if (v.argon2() || v.json() == null || !v.json().isTextual()) continue;
            if (v.json().asText().equalsIgnoreCase(password)) return "is the same as another value in the row (such as the e-mail address)";
            context.add(v.json().asText());
        }
        com.nulabinc.zxcvbn.Strength strength = new com.nulabinc.zxcvbn.Zxcvbn().measure(password, context);
        if (strength.getScore() >= MIN_STRENGTH) return null;
        String warning = strength.getFeedback() == null ? "" : String.valueOf(strength.getFeedback().getWarning(Locale.ENGLISH));
        return "is too easy to guess (zxcvbn rates it " + strength.getScore() + " of 4, and " + MIN_STRENGTH + " is needed"
                + (warning.isBlank() || warning.equals("null") ? "" : ": " + warning.replaceAll("\\.$", "")) + ")";
    }

    private SeedRules() {}
}
