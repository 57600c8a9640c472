//SOURCES SecurityCatalog.java SecurityFinding.java SecurityLint.java SqlScript.java
import java.util.ArrayList;
import java.util.List;

/**
 * The checks on functions (a search_path the caller decides; SECURITY DEFINER functions the API roles
 * may call), and on what else the project holds: extensions in public or behind their default
 * version, reg* columns, foreign keys to Auth's unique constraints. Calls are judged from the
 * catalog, never made.
 */
final class RoutineLints {


    static List<SecurityFinding> check(SecurityCatalog.Facts facts) {
        List<SecurityFinding> out = new ArrayList<>();
        for (SecurityCatalog.Function f : facts.functions()) {
            String kind = f.procedure() ? "procedure" : "function";
            SecurityFinding.DbObject object = new SecurityFinding.DbObject(f.schema(), f.name(), kind, f.arguments());
            String sql = object.sql(), upper = kind.toUpperCase(java.util.Locale.ROOT);
            if (!f.fixedSearchPath()) {
                out.add(new SecurityFinding(SecurityLint.FUNCTION_SEARCH_PATH_MUTABLE, object, "it sets no search_path",
                        SecurityFinding.Fix.of("ALTER " + upper + " " + sql + " SET search_path = ''").then("qualify the names it uses with their schema")));
            }
            if (!f.securityDefiner() || !f.exposed() || f.trigger()) continue; // a trigger function cannot be called through the API
            for (String role : f.executors()) {
                boolean anon = role.equals("anon");
                out.add(new SecurityFinding(anon ? SecurityLint.ANON_SECURITY_DEFINER_FUNCTION_EXECUTABLE : SecurityLint.AUTHENTICATED_SECURITY_DEFINER_FUNCTION_EXECUTABLE,
                        object, "it is SECURITY DEFINER, and " + role + " may execute it" + (f.publicExecutes() ? " (as may PUBLIC, every role)" : ""),
                        SecurityFinding.Fix.of("REVOKE EXECUTE ON " + upper + " " + sql + " FROM " + (f.publicExecutes() ? "PUBLIC, " : "") + role)
                                .or("ALTER " + upper + " " + sql + " SECURITY INVOKER")));
            }
        }
        boolean extensionsSchema = facts.facts("platform schema").stream().anyMatch(s -> s.schema().equals("extensions"));
        for (SecurityCatalog.Fact e : facts.facts("extension in public")) {
            SecurityFinding.DbObject object = new SecurityFinding.DbObject(null, e.name(), "extension", null);
            String create = extensionsSchema ? "" : "CREATE SCHEMA extensions; ";
            // a trusted extension that postgres made has its objects owned by the platform: only the drop and the create are postgres's
            String again = "DROP EXTENSION " + object.sql() + "; CREATE EXTENSION " + object.sql() + " WITH SCHEMA extensions";
            SecurityFinding.Fix fix = Boolean.parseBoolean(e.a()) ? SecurityFinding.Fix.of(create + "ALTER EXTENSION " + object.sql() + " SET SCHEMA extensions").or(create + again)
                    : SecurityFinding.Fix.of(create + again);
            out.add(new SecurityFinding(SecurityLint.EXTENSION_IN_PUBLIC, object, "it is installed in schema public",
                    fix.then("drop first, and make again after, what uses it, if the drop is refused")));
        }
        for (SecurityCatalog.Fact e : facts.facts("extension outdated")) {
            SecurityFinding.DbObject object = new SecurityFinding.DbObject(null, e.name(), "extension", null);
            out.add(new SecurityFinding(SecurityLint.EXTENSION_VERSIONS_OUTDATED, object, "version " + e.a() + " is installed and " + e.b() + " is the default",
                    SecurityFinding.Fix.of("ALTER EXTENSION " + object.sql() + " UPDATE")));
        }
        for (SecurityCatalog.Fact c : facts.facts("reg column")) {
            SecurityFinding.DbObject object = SecurityFinding.DbObject.of(c.schema(), c.name(), "table");
            String column = SqlScript.identifier(c.a());
            out.add(new SecurityFinding(SecurityLint.UNSUPPORTED_REG_TYPES, object, "column " + column + " is of type " + c.b(),
                    SecurityFinding.Fix.of("ALTER TABLE " + object.sql() + " ALTER COLUMN " + column + " TYPE text USING " + column + "::text")));
        }
        for (SecurityCatalog.Fact k : facts.facts("auth key")) {
            SecurityFinding.DbObject object = SecurityFinding.DbObject.of(k.schema(), k.name(), "table");
            out.add(new SecurityFinding(SecurityLint.FKEY_TO_AUTH_UNIQUE, object, "foreign key " + SqlScript.identifier(k.a())
                    + " references a unique constraint of auth." + SqlScript.identifier(k.b()) + " other than its primary key",
                    SecurityFinding.Fix.of("ALTER TABLE " + object.sql() + " DROP CONSTRAINT " + SqlScript.identifier(k.a()))
                            .then("reference auth." + SqlScript.identifier(k.b()) + "'s primary key instead")));
        }
        return out;
    }

    private RoutineLints() {}
}
