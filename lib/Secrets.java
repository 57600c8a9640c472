//SOURCES KitException.java
import java.util.List;

/** Last line of defence: whatever text reaches the operator has no known secret in it. */
final class Secrets {
    static String scrub(String text, List<String> secrets) {
        if (text == null) return null;
        String result = text;
        for (String secret : secrets) {
            if (secret != null && secret.length() >= 3) result = result.replace(secret, "****");
        }
        return result;
    }

    /** The same failure with its sentence scrubbed (the same object when there was nothing to scrub). */
    static KitException scrub(KitException e, List<String> secrets) {
        if (e.quotesNoValue) return e;
        String sentence = scrub(e.getMessage(), secrets);
        return sentence.equals(e.getMessage()) ? e : new KitException(e.exitCode, sentence, e.getCause());
    }

    private Secrets() {}
}
