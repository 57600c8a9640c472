//SOURCES StatusAdmin.java StatusReport.java SeedFile.java SeedCatalog.java SeedCheck.java PasswordHasher.java Flight.java Database.java Settings.java KitException.java ExitCode.java RowSecurity.java Relations.java
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
    final boolean migrated;
    final String email;
    /** The files that name a variable that is not set: the admin's roles are skimmed from them. */
    final List<Path> unset;
    final boolean adminTable;
    /** The tables whose rows row-level security hides from this role, with the role's name. */
    final Map<String, String> hidden;
    /** Of those, the ones a seed file seeds: the Seeds part has said them already. */
    final List<String> hiddenSaid;
    private final PasswordHasher hasher = new PasswordHasher();
    /** Why the seeds are not checked at all in this run (--no-seeds, no seeds/ folder), or null. */
    final String skipped;

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
        List<StatusReport.Finding> refused = new ArrayList<>();
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
            } catch (Dotenv.Unreadable e) {
                // a $env variable whose .env line the app would read otherwise: a finding, and the report goes on
                loaded.add(new Entry(name, null, null, State.INVALID, e.getMessage()));
                refused.add(new StatusReport.Finding(StatusReport.Severity.INVALID, name + " reads a variable from a .env line the app would read otherwise (seed refuses it)"));
            } catch (KitException e) {
                if (e.exitCode != ExitCode.USAGE) throw e;
                // a file seed would refuse (not JSON, a row it cannot take): a finding of its line, and the report goes on
                loaded.add(new Entry(name, null, null, State.INVALID, e.getMessage()));
                refused.add(new StatusReport.Finding(StatusReport.Severity.INVALID, name + " is a seed file seed refuses (its line says why)"));
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
        List<StatusReport.Finding> findings = new ArrayList<>(refused);
        List<String> hiddenSaid = new ArrayList<>();
        for (Entry e : loaded) {
            entries.add(e.state() != State.NOT_READ ? e : check(e, catalog, hidden, hiddenSaid, migrationsPending, findings));
        }
        if (!hiddenSaid.isEmpty()) {
            findings.add(new StatusReport.Finding(StatusReport.Severity.UNREACHABLE, "row-level security hides the rows of "
                    + String.join(", ", hiddenSaid.stream().map(t -> "\"" + t + "\"").toList()) + " from role " + hidden.get(hiddenSaid.get(0))
                    + ", so its seed rows could not be checked (run status as the tables' owner)"));
        }
        String email;
        try {
            email = settings.get("ADMIN_SEED_EMAIL");
        } catch (Dotenv.Unreadable unreadable) {
            // its .env line is one the app would read otherwise: said, and the admin is looked for by role
            email = null;
            String sentence = Database.firstLine(unreadable.getMessage());
            findings.add(new StatusReport.Finding(StatusReport.Severity.INVALID, sentence.endsWith(".") ? sentence.substring(0, sentence.length() - 1) : sentence));
        }
        return new StatusSeeds(entries, findings, migrated, email, unset, adminTable, hidden, hiddenSaid, null);
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
    final List<Supplier<SeedCheck>> checks = new ArrayList<>();

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

    /** The admin line, its query (if any) in the caller's flight: see {@link StatusAdmin}. */
    Supplier<StatusReport.Section> admin(Flight flight, Connection c) throws SQLException {
        return StatusAdmin.ask(this, flight, c);
    }
}
