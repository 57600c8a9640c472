//SOURCES StatusSeeds.java StatusReport.java SeedFile.java SeedCheck.java Flight.java
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The admin line of the Seeds part: whether the admin exists, with which role, and, as information
 * only, whether its password is still the seed's (seed keeps one changed in the app).
 */
final class StatusAdmin {

    /**
     * The admin line: the admin by ADMIN_SEED_EMAIL when it is set (its seed file's row check already
     * counts it missing). Without the variable, the admin seed file cannot be checked row by row, so
     * this checks that some admin holds the role that file seeds, and says pending when none does.
     * Its query, if any, rides in the caller's flight.
     */
    static Supplier<StatusReport.Section> ask(StatusSeeds seeds, Flight flight, Connection c) throws SQLException {
        String email = seeds.email;
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("email", email);
        if (seeds.skipped != null) return notChecked(json, seeds.skipped, List.of());
        List<String> roles = email == null ? SeedFile.texts(seeds.unset, "Admin", "role") : null;
        if (email == null && roles == null) return notChecked(json, "ADMIN_SEED_EMAIL is not set", List.of());
        if (!seeds.migrated) return notChecked(json, "schema not migrated", List.of());
        if (!seeds.adminTable) return notChecked(json, "this database has no \"Admin\" table", List.of());
        if (seeds.hidden.containsKey("Admin")) {
            String why = "row-level security hides the rows of \"Admin\" from role " + seeds.hidden.get("Admin");
            return notChecked(json, why, seeds.hiddenSaid.contains("Admin") ? List.of()
                    : List.of(new StatusReport.Finding(StatusReport.Severity.UNREACHABLE, why + ", so the admin could not be checked (run status as the table's owner)")));
        }
        if (email == null) {
            json.put("seededRoles", roles);
            String who = roles.isEmpty() ? "admin" : "admin with the seeded role " + String.join(" or ", roles);
            // the role read through the row's JSON: a table without that column has no such admin, and the report goes on
            Flight.Parser<Long> count = rs -> rs.next() ? rs.getLong(1) : 0;
            Supplier<Long> admins = roles.isEmpty() ? flight.ask("select count(*) from \"Admin\"", count)
                    : flight.ask("select count(*) from \"Admin\" a where to_jsonb(a) ->> 'role' = any(?)", count, c.createArrayOf("text", roles.toArray()));
            return () -> {
                boolean some = admins.get() > 0;
                json.put("state", some ? "present" : "absent");
                return adminLine(json, "not checked: ADMIN_SEED_EMAIL is not set, " + (some ? "but an " + who + " exists" : "and there is no " + who + " (run seed)"),
                        some ? List.of() : List.of(new StatusReport.Finding(StatusReport.Severity.PENDING, "no " + who + " (run seed)")));
            };
        }
        // the row's JSON again: a renamed column is the seeds section's drift finding, not a failed report
        Supplier<List<String>> found = flight.ask("select to_jsonb(a) ->> 'role' from \"Admin\" a where to_jsonb(a) ->> 'email' = ?", rs -> {
            List<String> role = new ArrayList<>();
            if (rs.next()) role.add(rs.getString(1));
            return role;
        }, email);
        return () -> {
            if (found.get().isEmpty()) {
                json.put("state", "absent");
                return adminLine(json, email + " does not exist (run seed)", List.of());
            }
            json.put("state", "present");
            json.put("role", found.get().get(0));
            String password = password(seeds, json);
            return adminLine(json, email + " exists, role " + found.get().get(0) + password, List.of());
        };
    }

    /**
     * Whether the admin's stored password is the seed's, as the admin file's row check found it:
     * information only (seed keeps a password changed in the app), said on the admin line; "" when
     * no checked file seeds the admin's password.
     */
    private static String password(StatusSeeds seeds, Map<String, Object> json) {
        String email = seeds.email;
        for (Supplier<SeedCheck> each : seeds.checks) {
            SeedCheck check = each.get();
            if (!check.file().table().equals("Admin")) continue;
            for (int i = 0; i < check.file().rows().size(); i++) {
                SeedFile.Row row = check.file().rows().get(i);
                if (!row.hashes() || row.get("email") == null || !email.equals(row.get("email").json().asText())) continue;
                boolean matches = !check.otherPasswords().contains(i);
                json.put("passwordMatchesSeed", matches);
                if (matches) return "";
                String from = row.values().values().stream().filter(SeedValue::argon2).map(SeedValue::variable).filter(v -> v != null).findFirst()
                        .map(v -> "the one in " + v).orElse("the seed's");
                return "; its password is not " + from + " (seed keeps it; seed --reset-admin-password sets it again)";
            }
        }
        return "";
    }

    private static Supplier<StatusReport.Section> notChecked(Map<String, Object> json, String why, List<StatusReport.Finding> findings) {
        json.put("state", "not checked");
        json.put("reason", why);
        StatusReport.Section section = adminLine(json, "not checked: " + why, findings);
        return () -> section;
    }

    private static StatusReport.Section adminLine(Map<String, Object> json, String text, List<StatusReport.Finding> findings) {
        return new StatusReport.Section("admin", null, List.of(String.format("  %-28s %s", "admin", text)), json, findings);
    }

    private StatusAdmin() {}
}
