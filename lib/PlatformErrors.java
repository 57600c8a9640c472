//SOURCES Database.java
import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a migration could not do because the role migrate connects as is not a superuser, as on
 * every Supabase project (postgres there is an owner, not a superuser): creating an extension that
 * only a superuser may create, one the server does not have, ALTER SYSTEM, or anything else the
 * server reserves for superusers. Each is said as the operator should read it: what was refused,
 * why, and where Supabase does it instead. Anything else is not this class's business (null).
 */
final class PlatformErrors {
    private static final String NOT_SUPERUSER = "the role migrate connects as is not one (on Supabase, postgres never is)";
    private static final String EXTENSIONS = "enable it in the Supabase Dashboard (Database, Extensions), then write CREATE EXTENSION IF NOT EXISTS in the migration";
    private static final Pattern NOT_TRUSTED = Pattern.compile("permission denied to create extension \"([^\"]+)\"");
    private static final Pattern NOT_AVAILABLE = Pattern.compile("extension \"([^\"]+)\" is not available|could not open extension control file \"[^\"]*/([^/\"]+)\\.control\"");
    private static final Pattern PARAMETER = Pattern.compile("permission denied to set parameter \"([^\"]+)\"");

    /** The operator's sentence for a statement the server refused for want of a superuser, or null. */
    static String explain(SQLException e) {
        if (e == null || e.getMessage() == null) return null;
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String message = e.getMessage();
        Matcher m;
        if (state.equals("42501") && (m = NOT_TRUSTED.matcher(message)).find()) {
            return "extension \"" + m.group(1) + "\" needs a superuser to create, and " + NOT_SUPERUSER + ": " + EXTENSIONS;
        }
        if ((state.equals("0A000") || state.equals("58P01")) && (m = NOT_AVAILABLE.matcher(message)).find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            return "extension \"" + name + "\" is not installed on this server; on Supabase, " + EXTENSIONS + ", if the Dashboard lists it";
        }
        if (state.equals("25001") && message.contains("ALTER SYSTEM")) {
            return "ALTER SYSTEM cannot run in a migration's transaction, and it needs a superuser, and " + NOT_SUPERUSER
                    + ": change server settings through Supabase (its Dashboard or CLI), not in a migration";
        }
        if (state.equals("42501") && (m = PARAMETER.matcher(message)).find()) {
            return "setting \"" + m.group(1) + "\" for the server needs a superuser, and " + NOT_SUPERUSER
                    + ": change server settings through Supabase (its Dashboard or CLI), not in a migration";
        }
        if (state.equals("42501") && message.toLowerCase(java.util.Locale.ROOT).contains("superuser")) {
            return Database.firstLine(message) + ": it needs a superuser, and " + NOT_SUPERUSER + "; leave it to the platform (Supabase's Dashboard or support), not a migration";
        }
        return null;
    }

    /** {@link #explain} when it applies, otherwise the server's own words as given. */
    static String or(SQLException e, String serverWords) {
        String sentence = explain(e);
        return sentence != null ? sentence : serverWords;
    }

    private PlatformErrors() {}
}
