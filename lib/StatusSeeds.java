//SOURCES StatusReport.java SeedFile.java SeedCatalog.java SeedCheck.java PasswordHasher.java Flight.java Database.java Settings.java KitException.java ExitCode.java RowSecurity.java Relations.java
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The Seeds part and its admin line: each seed file complete, with rows missing, changed, or not
 * checked and why; and the admin. The files are read and checked against the catalog first (one
 * round trip); their rows and the admin are then asked in the caller's flight.
 */
final class StatusSeeds {

    /** Where a file stands before its rows are counted; the word is its JSON state. */
    private enum State {
        NOT_CHECKED("not checked"), INVALID("invalid"), NOT_READ("not read");

        final String word;

        State(String word) {
            this.word = word;
        }
    }

    /** One file's line and JSON, and what it adds to the verdict. */
    private record Shown(String line, Map<String, Object> json, long missing, StatusReport.Finding finding) {}

    /** One seed file: its name, the file when it loaded, its table when it fits the catalog, and where it stands until its rows are counted. */
    private record Entry(String name, SeedFile file, SeedCatalog.Checked checked, State state, String why) {
        static Entry notChecked(String name, SeedFile file, String why) {
            return new Entry(name, file, null, State.NOT_CHECKED, why);
        }

        private Map<String, Object> json(String state) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("file", name);
            if (file != null) {
                f.put("table", file.table());
                f.put("mode", file.mode() == SeedFile.Mode.UPSERT ? "upsert" : "insert-missing");
            }
            f.put("state", state);
            return f;
        }

        Shown shown() {
            Map<String, Object> f = json(state.word);
            return switch (state) {
                case NOT_CHECKED -> {
                    f.put("reason", why);
                    yield new Shown(String.format("  %-28s not checked: %s", name, why), f, 0, null);
                }
                case INVALID -> {
                    f.put("problem", why);
                    yield new Shown(String.format("  %-28s %s", name, "PROBLEM: " + why).stripTrailing(), f, 0, null);
                }
                case NOT_READ -> new Shown(String.format("  %-28s not read: the report stopped first", name), f, 0, null);
            };
        }

        Shown counted(SeedCheck check) {
            Map<String, Object> f = json(check.missing() > 0 ? "missing" : "complete");
            f.put("present", check.present());
            f.put("missing", check.missing());
            f.put("changed", check.changed());
            boolean upsert = file.mode() == SeedFile.Mode.UPSERT;
            String changedNote = check.changed() == 0 ? "" : upsert ? " (seed will bring them back)" : " (changed in the database; seed leaves them)";
            int others = check.otherPasswords().size();
            if (file.rows().stream().anyMatch(SeedFile.Row::hashes)) f.put("otherPasswords", others);
            // information, not work: a password changed in the app is kept by seed (seed --reset-admin-password sets it again)
            String passwordNote = others == 0 ? "" : "; " + others + (others == 1 ? " password is" : " passwords are") + " not the seed's (seed keeps "
                    + (others == 1 ? "it" : "them") + ")";
            String line = String.format("  %-28s %-16s %d present, %d missing, %d changed%s%s", name, "\"" + file.table() + "\"",
                    check.present(), check.missing(), check.changed(), changedNote, passwordNote);
            StatusReport.Finding finding = upsert && check.changed() > 0
                    ? new StatusReport.Finding(StatusReport.Severity.PENDING, name + " has " + check.changed() + " row" + (check.changed() == 1 ? "" : "s") + " that seed would update (run seed)")
                    : null;
            return new Shown(line, f, check.missing(), finding);
        }
    }

    /** The tables of these names whose rows row-level security hides from this role (see RowSecurity.ROWS_HIDDEN), with the role. */
    private static final String HIDDEN = """
            select c.relname::text, current_user::text
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = current_schema() and c.relname = any(?) and c.relkind in ('r', 'p')
              and %s""".formatted(RowSecurity.ROWS_HIDDEN.formatted("c"));

    private final List<Entry> entries;
    /** What the files and the catalog already said: files that do not fit, tables whose rows are hidden. */
    private final List<StatusReport.Finding> findings;
    private final boolean migrated;
    private final String email;
    /** The files that name a variable that is not set: the admin's roles are skimmed from them. */
    private final List<Path> unset;
    private final boolean adminTable;
    /** The tables whose rows row-level security hides from this role, with the role's name. */
    private final Map<String, String> hidden;
    /** Of those, the ones a seed file seeds: the Seeds part has said them already. */
    private final List<String> hiddenSaid;
    private final PasswordHasher hasher = new PasswordHasher();
    /** Why the seeds are not checked at all in this run (--no-seeds, no seeds/ folder), or null. */
    private final String skipped;

    private StatusSeeds(List<Entry> entries, List<StatusReport.Finding> findings, boolean migrated, String email, List<Path> unset,
            boolean adminTable, Map<String, String> hidden, List<String> hiddenSaid, String skipped) {
        this.skipped = skipped;
        this.entries = entries;
        this.findings = findings;
        this.migrated = migrated;
        this.email = email;
        this.unset = unset;
        this.adminTable = adminTable;
        this.hidden = hidden;
        this.hiddenSaid = hiddenSaid;
    }

    /** No seeds checked in this run, and why (a Prisma history of another app, say): nothing asked of the database for them. */
    static StatusSeeds skipped(String why) {
        return new StatusSeeds(List.of(), List.of(), true, null, List.of(), false, Map.of(), List.of(), why);
    }

    /**
     * Every seed file read (not when the schema is not migrated yet) and checked against the catalog,
     * in one round trip that also asks whether "Admin" exists and which tables row-level security hides.
     */
    static StatusSeeds read(Connection c, Path seedsRoot, Settings settings, Consumer<String> secrets, boolean migrated, boolean migrationsPending) throws SQLException {
        List<Entry> loaded = new ArrayList<>();
        List<Path> unset = new ArrayList<>();
        for (Path path : SeedFile.list(seedsRoot, false)) {
            String name = seedsRoot.relativize(path).toString();
            if (!migrated) {
                loaded.add(Entry.notChecked(name, null, "schema not migrated"));
                continue;
            }
            try {
                loaded.add(new Entry(name, SeedFile.load(path, seedsRoot, settings, secrets), null, State.NOT_READ, null));
            } catch (SeedFile.UnsetVariable e) {
                loaded.add(Entry.notChecked(name, null, e.notSet()));
                unset.add(path);
            }
        }
        SeedCatalog catalog = new SeedCatalog(Map.of());
        Map<String, String> hidden = new HashMap<>();
        boolean adminTable = false;
        if (migrated) {
            List<String> tables = loaded.stream().filter(e -> e.file() != null).map(e -> e.file().table()).distinct().toList();
            List<String> asked = new ArrayList<>(tables);
            asked.add("Admin");
            Flight flight = new Flight();
            Supplier<SeedCatalog> tablesRead = SeedCatalog.ask(flight, c, tables);
            Supplier<Map<String, String>> hiddenRead = flight.ask(HIDDEN, rs -> {
                Map<String, String> found = new HashMap<>();
                while (rs.next()) found.put(rs.getString(1), rs.getString(2));
                return found;
            }, c.createArrayOf("text", asked.toArray()));
            Supplier<Boolean> adminRead = flight.ask("select " + Relations.inCurrentSchema("?") + " is not null",
                    rs -> rs.next() && rs.getBoolean(1), "Admin");
            flight.send(c);
            catalog = tablesRead.get();
            hidden = hiddenRead.get();
            adminTable = adminRead.get();
        }
        List<Entry> entries = new ArrayList<>();
        List<StatusReport.Finding> findings = new ArrayList<>();
        List<String> hiddenSaid = new ArrayList<>();
        for (Entry e : loaded) {
            entries.add(e.state() != State.NOT_READ ? e : check(e, catalog, hidden, hiddenSaid, migrationsPending, findings));
        }
        if (!hiddenSaid.isEmpty()) {
            findings.add(new StatusReport.Finding(StatusReport.Severity.UNREACHABLE, "row-level security hides the rows of "
                    + String.join(", ", hiddenSaid.stream().map(t -> "\"" + t + "\"").toList()) + " from role " + hidden.get(hiddenSaid.get(0))
                    + ", so its seed rows could not be checked (run status as the tables' owner)"));
        }
        return new StatusSeeds(entries, findings, migrated, settings.get("ADMIN_SEED_EMAIL"), unset, adminTable, hidden, hiddenSaid, null);
    }

    /** A loaded file against the catalog: hidden rows are said, not counted; a file the catalog refutes is drift (5), unless migrations are pending. */
    private static Entry check(Entry e, SeedCatalog catalog, Map<String, String> hidden, List<String> hiddenSaid, boolean migrationsPending, List<StatusReport.Finding> findings) {
        String table = e.file().table();
        if (hidden.containsKey(table)) {
            if (!hiddenSaid.contains(table)) hiddenSaid.add(table);
            return Entry.notChecked(e.name(), e.file(), "row-level security hides the rows of \"" + table + "\" from role " + hidden.get(table));
        }
        try {
            return new Entry(e.name(), e.file(), catalog.check(e.file()), State.NOT_READ, null);
        } catch (KitException refuted) {
            // a table, column or key the database lacks is its exit 5; any other is a bad file
            if (refuted.exitCode != ExitCode.DRIFT) throw refuted;
            if (migrationsPending) return Entry.notChecked(e.name(), e.file(), "migrations pending");
            findings.add(new StatusReport.Finding(StatusReport.Severity.DRIFT, e.name() + " does not fit table \"" + table + "\" in this database"));
            return new Entry(e.name(), e.file(), null, State.INVALID, refuted.getMessage());
        }
    }

    /** The Seeds part as it stood before the flight was answered: the files, and what the catalog said of them; for a report cut short. */
    StatusReport.Section unread() {
        if (skipped != null) return skippedSection();
        return section(entries.stream().map(Entry::shown).toList(), List.of());
    }

    private StatusReport.Section skippedSection() {
        return new StatusReport.Section("seeds", "Seeds", List.of("  not checked: " + skipped), List.of(), List.of());
    }

    /** The row checks of the files, once {@link #rows} has added them to a flight: the admin line reads its password's from them. */
    private final List<Supplier<SeedCheck>> checks = new ArrayList<>();

    /** Adds every checked file's rows to a flight the caller sends; the Seeds part once it has been sent. */
    Supplier<StatusReport.Section> rows(Flight flight) {
        if (skipped != null) return this::skippedSection;
        List<Supplier<Shown>> files = new ArrayList<>();
        for (Entry e : entries) {
            if (e.checked() == null) {
                files.add(e::shown);
                continue;
            }
            Supplier<SeedCheck> check = SeedCheck.ask(flight, e.checked(), hasher);
            checks.add(check);
            files.add(() -> e.counted(check.get()));
        }
        return () -> {
            List<Shown> shown = files.stream().map(Supplier::get).toList();
            List<StatusReport.Finding> more = new ArrayList<>();
            shown.stream().map(Shown::finding).filter(f -> f != null).forEach(more::add);
            long missingRows = shown.stream().mapToLong(Shown::missing).sum();
            if (missingRows > 0) more.add(new StatusReport.Finding(StatusReport.Severity.PENDING, missingRows + " seed row" + (missingRows == 1 ? "" : "s") + " missing (run seed)"));
            else if (!migrated) more.add(new StatusReport.Finding(StatusReport.Severity.PENDING, "seeds not checked until the schema is migrated"));
            return section(shown, more);
        };
    }

    private StatusReport.Section section(List<Shown> shown, List<StatusReport.Finding> more) {
        List<StatusReport.Finding> all = new ArrayList<>(findings);
        all.addAll(more);
        return new StatusReport.Section("seeds", "Seeds", shown.stream().map(Shown::line).toList(), shown.stream().map(Shown::json).toList(), all);
    }

    /**
     * The admin line: the admin by ADMIN_SEED_EMAIL when it is set (its seed file's row check already
     * counts it missing). Without the variable, the admin seed file cannot be checked row by row, so
     * this checks that some admin holds the role that file seeds, and says pending when none does.
     * Its query, if any, rides in the caller's flight.
     */
    Supplier<StatusReport.Section> admin(Flight flight, Connection c) throws SQLException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("email", email);
        if (skipped != null) return notChecked(json, skipped, List.of());
        List<String> roles = email == null ? SeedFile.texts(unset, "Admin", "role") : null;
        if (email == null && roles == null) return notChecked(json, "ADMIN_SEED_EMAIL is not set", List.of());
        if (!migrated) return notChecked(json, "schema not migrated", List.of());
        if (!adminTable) return notChecked(json, "this database has no \"Admin\" table", List.of());
        if (hidden.containsKey("Admin")) {
            String why = "row-level security hides the rows of \"Admin\" from role " + hidden.get("Admin");
            return notChecked(json, why, hiddenSaid.contains("Admin") ? List.of()
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
            String password = password(json);
            return adminLine(json, email + " exists, role " + found.get().get(0) + password, List.of());
        };
    }

    /**
     * Whether the admin's stored password is the seed's, as the admin file's row check found it:
     * information only (seed keeps a password changed in the app), said on the admin line; "" when
     * no checked file seeds the admin's password.
     */
    private String password(Map<String, Object> json) {
        for (Supplier<SeedCheck> each : checks) {
            SeedCheck check = each.get();
            if (!check.file().table().equals("Admin")) continue;
            for (int i = 0; i < check.file().rows().size(); i++) {
                SeedFile.Row row = check.file().rows().get(i);
                if (!row.hashes() || row.get("email") == null || !email.equals(row.get("email").json().asText())) continue;
                boolean seeds = !check.otherPasswords().contains(i);
                json.put("passwordMatchesSeed", seeds);
                if (seeds) return "";
                String from = row.values().values().stream().filter(SeedValue::argon2).map(SeedValue::variable).filter(v -> v != null).findFirst()
                        .map(v -> "the one in " + v).orElse("the seed's");
                return "; its password is not " + from + " (changed since it was seeded: seed keeps it, seed --reset-admin-password sets it again)";
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
}
