//SOURCES KitException.java
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Amounts as the report writes them: counts (2,000,000 rows) and sizes, which the operator writes as 200MB, 1.5GB or 512kB (a kB is 1024 bytes, as in PostgreSQL). */
final class Amounts {
    private static final Pattern FORM = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(b|bytes|kb|mb|gb|tb)?", Pattern.CASE_INSENSITIVE);

    static long parseBytes(String text) {
        Matcher m = FORM.matcher(text == null ? "" : text.trim());
        if (!m.matches()) throw KitException.usage("'" + text + "' is not a size; write it like 200MB, 1GB or 512kB.");
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        int shift = switch (unit) {
            case "kb" -> 10;
            case "mb" -> 20;
            case "gb" -> 30;
            case "tb" -> 40;
            default -> 0;
        };
        double bytes = Double.parseDouble(m.group(1)) * (1L << shift);
        if (bytes >= Long.MAX_VALUE) throw KitException.usage("'" + text + "' is larger than the kit can count; write at most a few TB.");
        return (long) bytes;
    }

    /** 0 bytes, 512 bytes, 12 kB, 3.1 MB, 200 MB, 1.2 GB. */
    static String bytes(long bytes) {
        if (bytes < 1024) return bytes + (bytes == 1 ? " byte" : " bytes");
        String[] units = {"kB", "MB", "GB", "TB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return (v < 10 && v != Math.floor(v) ? String.format(Locale.ROOT, "%.1f", v) : String.valueOf(Math.round(v))) + " " + units[u];
    }

    /** "1 row", "2,000,000 rows". */
    static String count(long n, String word) {
        return String.format(Locale.ROOT, "%,d", n) + " " + word + (n == 1 ? "" : "s");
    }

    private Amounts() {}
}
