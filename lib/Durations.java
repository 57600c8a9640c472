//SOURCES KitException.java
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as the operator writes them: 500ms, 5s, 2m, 1h. */
final class Durations {
    private static final Pattern FORM = Pattern.compile("(\\d+)(ms|s|m|h)");

    static Duration parse(String text) {
        Matcher m = FORM.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw KitException.usage("'" + text + "' is not a duration; write it like 500ms, 5s, 2m or 1h.");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) return ms + " ms";
        if (ms < 60_000) return String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
        long seconds = (ms / 1000) % 60;
        return (ms / 60_000) + " m" + (seconds == 0 ? "" : " " + seconds + " s");
    }

    static String since(long startNanos) {
        return format(Duration.ofNanos(System.nanoTime() - startNanos));
    }

    private Durations() {}
}
