import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which column names hold secrets or personal data: credentials (passwordHash, api_key, otp_secret),
 * contact details (email, phone), identity and payment numbers. A name is read as its words
 * (camelCase, snake_case and kebab-case split), and a column is sensitive when its words hold one of
 * the terms below: "passwordHash" and "reset_token" are, "footprint" and "discordId" are not.
 */
final class SensitiveColumns {
    private static final List<List<String>> TERMS = List.of(
            "password", "passwd", "pwd", "passphrase", "secret", "private key", "api key", "apikey", "auth key", "token", "jwt",
            "session id", "session key", "recovery code", "backup code", "verification code", "otp", "totp", "two factor", "2fa", "mfa",
            "salt", "credential", "credentials", "email", "e mail", "phone", "ssn", "social security", "passport", "driver license",
            "drivers license", "national id", "tax id", "date of birth", "birth date", "credit card", "card number", "cvv", "cvc", "iban",
            "bank account", "account number", "routing number", "medical record", "health record", "patient id", "insurance number",
            "ssh key", "pgp key", "gpg key", "license key", "activation key")
            .stream().map(t -> List.of(t.split(" "))).toList();

    /** The column's words, lower case: "passwordHash" is [password, hash], "e-mail" is [e, mail], "OTPSecret" is [otp, secret]. */
    static List<String> words(String column) {
        String spaced = column.replaceAll("([a-z0-9])([A-Z])", "$1 $2").replaceAll("([A-Z]+)([A-Z][a-z])", "$1 $2");
        List<String> words = new ArrayList<>();
        for (String w : spaced.toLowerCase(Locale.ROOT).split("[^a-z0-9]+")) if (!w.isEmpty()) words.add(w);
        return words;
    }

    static boolean sensitive(String column) {
        List<String> words = words(column);
        for (List<String> term : TERMS) {
            for (int i = 0; i + term.size() <= words.size(); i++) {
                if (words.subList(i, i + term.size()).equals(term)) return true;
            }
        }
        return false;
    }

    /** The sensitive ones among these columns, in their order. */
    static List<String> among(List<String> columns) {
        return columns.stream().filter(SensitiveColumns::sensitive).toList();
    }

    private SensitiveColumns() {}
}
