///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Say, read-only, where a database stands: connection, migrations, seeds.
//JAVA 17+
//SOURCES lib/DatabaseCli.java lib/MigrationFormat.java lib/SchemaDrift.java lib/Exposure.java lib/Flight.java lib/Relations.java
//SOURCES lib/SeedFile.java lib/SeedTable.java lib/Seeder.java lib/SeedCheck.java lib/PasswordHasher.java lib/SqlScript.java
//RUNTIME_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -Xmx128m -Xlog:disable -Xlog:all=error:stderr
//JAVAC_OPTIONS -XDstringConcat=inline
//CDS

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "status", mixinStandardHelpOptions = true, version = Cli.VERSION,
        description = "Report, read-only, where the database stands: the target, every migration, every seed file, and a verdict.",
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
            "0:everything is up to date",
            "1:work is pending: migrations to apply or seed rows missing",
            "2:bad option, no URL, an invalid seed file, a misnamed migration file, or a migration history this role cannot read (row-level security: run as its owner)",
            "3:the database could not be reached or refused the login, the connection was lost before the report was complete, or row-level security hides seed rows from this role",
            "5:the database disagrees with this repository: an edited, missing or failed migration, or a seed table or column that does not exist",
            "6:a security finding: a table Supabase's Data API exposes to anon or authenticated without row-level security",
            "When several apply, the most severe wins: 6, then 5, then 3, then 1."})
public class status extends DatabaseCli {

    /**
     * What a finding asks of the operator, least severe first. Exposure outranks everything (anyone
     * with the anon key can read those rows now); a disagreement that was read outranks a report cut
     * short; a report cut short outranks pending work, because "pending" promises that migrate and
     * seed bring the database up to date, which a half-read report cannot promise.
     */
    enum Severity {
        PENDING(ExitCode.PENDING, "Work is pending: ", "."),
        UNREACHABLE(ExitCode.UNREACHABLE, "The database could not be read to the end: ", "."),
        DRIFT(ExitCode.DRIFT, "Database disagrees with this repository: ", "."),
        SECURITY(ExitCode.SECURITY, "Security finding: ", " can be reached through Supabase's Data API without row-level security.");

        final int exitCode;
        final String before;
        final String after;

        Severity(int exitCode, String before, String after) {
            this.exitCode = exitCode;
            this.before = before;
            this.after = after;
        }
    }

    record Finding(Severity severity, String text) {}

    /** One part of the report: its lines for people, its JSON, its findings. A null title continues the part before it. */
    record Section(String key, String title, List<String> lines, Object json, List<Finding> findings) {}

    /** The rule, written once: the most severe finding decides the exit code. */
    static int exitCode(List<Finding> findings) {
        return findings.stream().map(Finding::severity).max(Comparator.naturalOrder()).map(s -> s.exitCode).orElse(ExitCode.OK);
    }

    /** One sentence per severity found, most severe first; the first is the verdict. */
    static List<String> verdict(List<Finding> findings) {
        List<String> lines = new ArrayList<>();
        Severity[] all = Severity.values();
        for (int i = all.length - 1; i >= 0; i--) {
            Severity s = all[i];
            List<String> texts = findings.stream().filter(f -> f.severity() == s).map(Finding::text).toList();
            if (!texts.isEmpty()) lines.add(s.before + String.join("; ", texts) + s.after);
        }
        if (lines.isEmpty()) lines.add("Database is up to date.");
        return lines;
    }

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");

    @Option(names = "--prisma", paramLabel = "DIR", description = "Compare _prisma_migrations with the Prisma migrations in DIR (<name>/migration.sql).")
    Path prismaDir;

    @Option(names = "--schema", description = "Also compare the schema with the migrations, applied to a throwaway shadow PostgreSQL (tables, columns, enums, indexes, constraints, views, functions, triggers, extensions, RLS).")
    boolean schema;

    @Option(names = "--exposed-schemas", paramLabel = "LIST", defaultValue = "public", split = ",", description = "Schemas Supabase's Data API serves (default: public).")
    List<String> exposedSchemas;

    public static void main(String[] args) {
        System.exit(Cli.main(new status(), args));
    }

    @Override
    public Integer call() {
        Console console = console();
        Settings settings = settings();
        Database database = database(settings, "rc-dbkit status", TransactionPooler.Policy.WORK_THROUGH);
        DatabaseTarget target = database.target;
        format = MigrationFormat.of(dir, prismaDir); // checked before connecting: a missing or unreadable folder is a bad request, not a database state
        Path seedsRoot = SeedFile.root(dir);

        List<Section> sections = new ArrayList<>();
        String reading = "the target";
        Connection c = database.connect();
        try {
            // asked before the read-only transaction starts: inside one, a pooler pins the session
            boolean pooler = TransactionPooler.behind(database, c);
            c.setAutoCommit(false);
            c.setReadOnly(true); // the driver begins with BEGIN READ ONLY, sent with the first query
            // the Target and Migrations parts are shown once the flight below is answered, so that the round
            // trip said is the shortest of the single round trips timed on the way; or as soon as a read fails
            Head head = new Head(c, database, pooler, database.session(c));
            reading = "the migrations";
            Migrated migrated;
            try {
                migrated = migrations(c);
            } catch (SQLException | RuntimeException e) {
                head.show(sections, null); // what was learnt of the target stands
                throw e;
            }
            head.saw(migrated.readMicros());
            // the seed rows, the admin and the Data API exposure are asked in one flight: one round trip for the three
            Flight flight = new Flight();
            SeedsRead seeds = null;
            Later admin, security;
            try {
                reading = "the seeds";
                seeds = seeds(c, settings, seedsRoot, migrated, flight);
                reading = "the admin";
                admin = admin(c, settings, migrated.currentVersion() != null, seeds.unset(), flight);
                reading = "the Data API exposure";
                security = security(c, flight);
                reading = "the seeds, the admin and the Data API exposure";
                flight.send(c);
                head.saw(flight.micros());
            } catch (SQLException | RuntimeException e) {
                head.show(sections, migrated.section());
                if (seeds != null && e instanceof SQLException) show(sections, seeds.unread().get()); // the files and what the catalog said of them stand
                throw e;
            }
            head.show(sections, migrated.section());
            show(sections, seeds.section().get());
            show(sections, admin.get());
            show(sections, security.get());
            if (schema) {
                reading = "the schema";
                show(sections, schemaDrift(c, migrated));
            }
        } catch (SQLException e) {
            show(sections, lost(target, reading, e));
        } finally {
            // closing ends the read-only transaction on the server: no ROLLBACK round trip
            try {
                c.close();
            } catch (SQLException gone) {
                // the session is over either way
            }
        }

        List<Finding> findings = sections.stream().flatMap(s -> s.findings().stream()).toList();
        int code = exitCode(findings);
        List<String> verdict = verdict(findings);
        console.line("");
        verdict.forEach(console::line);
        if (console.json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            List<Map<String, Object>> list = new ArrayList<>();
            for (Section s : sections) {
                doc.put(s.key(), s.json());
                for (Finding f : s.findings()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("section", s.key());
                    m.put("severity", f.severity().name().toLowerCase(Locale.ROOT));
                    m.put("finding", f.text());
                    list.add(m);
                }
            }
            doc.put("findings", list);
            doc.put("verdict", verdict.get(0));
            doc.put("exitCode", code);
            console.document(doc);
        }
        return code;
    }

    /** The human rendering, a section at a time as each is read; the JSON one is made from the same sections at the end. */
    private void show(List<Section> sections, Section s) {
        if (s.title() != null) {
            if (!sections.isEmpty()) console().line("");
            console().line(s.title());
        }
        s.lines().forEach(console()::line);
        sections.add(s);
    }

    /** A query that failed part-way: what was read stands, nothing after it was read. */
    private Section lost(DatabaseTarget target, String reading, SQLException e) {
        String cause = Database.firstLine(e.getMessage());
        String state = e.getSQLState() == null ? "08" : e.getSQLState();
        boolean gone = state.startsWith("08") || state.startsWith("57P");
        String text = (gone ? "lost the connection to " : "a query was refused by ") + target.hostAndPort() + " while reading " + reading;
        console().error(text + ": " + cause + "; nothing after that was read, so run status again.");
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("state", gone ? "lost" : "refused");
        json.put("while", reading);
        json.put("error", cause);
        return new Section("connection", "Connection", List.of("  " + (gone ? "lost" : "a query was refused") + " while reading " + reading + ": " + cause),
                json, List.of(new Finding(Severity.UNREACHABLE, text)));
    }

    /**
     * The Target and Migrations parts, shown once: the round trip said is the shortest of the
     * single round trips timed on queries the report needs anyway (the session's first query, the
     * history, the flight), each one round trip and the server's work; the first also pays for the
     * driver's first use, so the later ones come closer to the network's own.
     */
    private final class Head {
        private final Database database;
        private final boolean pooler;
        private final Database.Session session;
        private final String server; // read now: the session may be gone when the part is shown
        private long fastest;
        private boolean shown;

        Head(Connection c, Database database, boolean pooler, Database.Session session) throws SQLException {
            this.database = database;
            this.pooler = pooler;
            this.session = session;
            this.server = Database.serverVersion(c);
            this.fastest = session.roundTripMicros();
        }

        void saw(long micros) {
            if (micros >= 0) fastest = Math.min(fastest, micros);
        }

        void show(List<Section> sections, Section migrations) {
            if (shown) return;
            shown = true;
            status.this.show(sections, target(server, database, pooler, session, fastest));
            if (migrations != null) status.this.show(sections, migrations);
        }
    }

    /** @param rttMicros the round trip to say, timed by {@link Head} */
    private Section target(String server, Database database, boolean pooler, Database.Session session, long rttMicros) {
        // TLS from the query that learnt the session's server process
        Boolean ssl = session.ssl();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("url", database.target.masked());
        json.put("source", database.target.origin());
        json.put("server", server);
        json.put("ssl", ssl);
        json.put("transactionPooler", pooler);
        json.put("roundTripMs", rttMicros / 1000.0);
        return new Section("target", "Target", List.of("  " + database.target.masked() + " (" + database.target.origin() + ")",
                "  " + server + ", " + (Boolean.TRUE.equals(ssl) ? "TLS" : "no TLS") + ", " + (pooler ? "through a transaction pooler" : "direct")
                        + ", round trip " + String.format(Locale.ROOT, "%.1f ms", rttMicros / 1000.0)), json, List.of());
    }

    // ---- Migrations: with schemaDrift below, the only code here that calls the migration classes ----

    /** Flyway's migrations/ or a Prisma history: --prisma DIR, or migrations/ in Prisma's layout. */
    private MigrationFormat format;

    /** The migrations section, what the seeds and schema sections need from it, and how long its history query took. */
    record Migrated(Section section, String currentVersion, boolean pending, long readMicros) {}

    private Migrated migrations(Connection c) throws SQLException {
        MigrationHistory history = format.history(c, console());
        long readMicros = history.queryMicros;
        String underWay = history.underWay; // Prisma's, applied by another session now: recorded before it runs, so not failed
        List<String> lines = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        List<Map<String, Object>> list = new ArrayList<>();
        List<MigrationHistory.Entry> all = new ArrayList<>(history.entries);
        all.addAll(history.repeatables); // after the versioned ones, as Flyway applies them
        for (MigrationHistory.Entry e : all) {
            boolean repeatable = e.version() == null;
            boolean applying = !repeatable && e.version().equals(underWay);
            String mark = applying ? "[~]" : switch (e.state()) {
                case APPLIED -> "[x]";
                case PENDING -> "[ ]";
                case EDITED -> "[!]";
                case FAILED -> "[F]";
                case MISSING -> "[?]";
            };
            String when = e.installedOn() == null ? "" : "  " + e.installedOn().toLocalDateTime().format(WHEN);
            String note = applying ? "  being applied: another session holds Prisma's migration lock"
                    : repeatable && e.state() == MigrationHistory.State.PENDING && e.appliedChecksum() != null ? "  changed since it was applied: migrate applies it again"
                    : switch (e.state()) {
                case EDITED -> "  EDITED after it was applied (checksum " + e.appliedChecksum() + " applied, " + e.fileChecksum() + " in the file)";
                case FAILED -> "  FAILED: recorded as failed in " + history.table;
                case MISSING -> "  MISSING: applied in the database, no file here";
                default -> "";
            };
            lines.add((history.namedByFolder
                    ? String.format("  %s %-40s%s%s", mark, e.version(), when, note)
                    : String.format("  %s %-6s %-32s%s%s", mark, repeatable ? "R" : e.version(), e.description(), when, note)).stripTrailing());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("version", e.version());
            m.put("description", e.description());
            m.put("script", e.script());
            m.put("state", applying ? "applying" : e.state().name().toLowerCase(Locale.ROOT));
            m.put("installedOn", e.installedOn() == null ? null : e.installedOn().toInstant().toString());
            list.add(m);
            if (applying) {
                findings.add(new Finding(Severity.PENDING, "migration " + e.version() + " is being applied by another session (run status again when it is done)"));
                continue;
            }
            String which = repeatable ? "repeatable migration " + e.script() : "migration " + e.version();
            switch (e.state()) {
                case EDITED -> findings.add(new Finding(Severity.DRIFT, e.script() + " was edited after it was applied"));
                case FAILED -> findings.add(new Finding(Severity.DRIFT, which + " is recorded as failed"));
                case MISSING -> findings.add(new Finding(Severity.DRIFT, which + " is applied but missing from migrations/"));
                default -> { }
            }
        }
        long applied = all.stream().filter(e -> e.state() == MigrationHistory.State.APPLIED || e.state() == MigrationHistory.State.EDITED).count();
        long pending = all.stream().filter(e -> e.state() == MigrationHistory.State.PENDING).count();
        String current = history.currentVersion(); // the migration under way is not the database's version yet
        lines.add("  " + applied + " applied, " + pending + " pending" + (underWay == null ? "" : ", 1 being applied") + "; current version " + (current == null ? "none" : current));
        for (MigrationHistory.Renamed r : history.renamed) {
            lines.add("  [!] " + r.script() + " was applied as \"" + r.applied() + "\" (renamed since; Flyway refuses that)");
            findings.add(new Finding(Severity.DRIFT, r.script() + " was renamed after it was applied"));
        }
        if (pending > 0) findings.add(0, new Finding(Severity.PENDING, pending + " migration" + (pending == 1 ? "" : "s") + " to apply (run migrate)"));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("applied", applied);
        json.put("pending", pending);
        json.put("currentVersion", current);
        json.put("entries", list);
        return new Migrated(new Section("migrations", "Migrations", lines, json, findings), current, pending > 0, readMicros);
    }

    private Section schemaDrift(Connection c, Migrated migrations) throws SQLException {
        long t = System.nanoTime();
        List<String> differences = SchemaDrift.check(c, migrations.currentVersion(), format, console());
        List<String> lines = new ArrayList<>();
        for (String d : differences) lines.add("  DRIFT: " + d);
        if (differences.isEmpty()) lines.add("  no differences (" + Durations.since(t) + ")");
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("state", differences.isEmpty() ? "ok" : "drift");
        json.put("differences", differences);
        List<Finding> findings = differences.isEmpty() ? List.of()
                : List.of(new Finding(Severity.DRIFT, differences.size() + " schema difference" + (differences.size() == 1 ? "" : "s") + " from the migrations"));
        return new Section("drift", "Schema (against the migrations applied to a shadow database)", lines, json, findings);
    }

    // ---- Seeds and the admin ----

    /** A section whose queries ride in a flight: made once the flight has been sent. */
    interface Later {
        Section get() throws SQLException;
    }

    /**
     * The seeds section; the same before its flight was answered (the files, and what the catalog
     * said of them), for a report cut short; and the files it could not check because a variable
     * they name is unset.
     */
    record SeedsRead(Later section, java.util.function.Supplier<Section> unread, List<Path> unset) {}

    private SeedsRead seeds(Connection c, Settings settings, Path seedsRoot, Migrated migrations, Flight flight) throws SQLException {
        List<String> lines = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        List<Map<String, Object>> list = new ArrayList<>();
        List<Path> unset = new ArrayList<>();
        boolean migrated = migrations.currentVersion() != null;
        PasswordHasher hasher = new PasswordHasher();
        // each file's line in the files' order; the files that load are checked together below
        List<String> slots = new ArrayList<>();
        List<SeedFile> loaded = new ArrayList<>();
        List<Integer> loadedSlot = new ArrayList<>();
        List<Map<String, Object>> loadedJson = new ArrayList<>();
        for (Path path : SeedFile.list(seedsRoot, false)) {
            String name = seedsRoot.relativize(path).toString();
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("file", name);
            list.add(f);
            if (!migrated) {
                slots.add(notChecked(f, name, "schema not migrated"));
                continue;
            }
            SeedFile file;
            try {
                file = SeedFile.load(path, seedsRoot, settings, secrets::add);
            } catch (SeedFile.UnsetVariable e) {
                slots.add(notChecked(f, name, e.notSet()));
                unset.add(path);
                continue;
            }
            f.put("table", file.table());
            f.put("mode", file.mode() == SeedFile.Mode.UPSERT ? "upsert" : "insert-missing");
            f.put("state", "not read");
            loaded.add(file);
            loadedSlot.add(slots.size());
            loadedJson.add(f);
            slots.add(String.format("  %-28s not read: the report stopped first", name));
        }
        List<Seeder.Checked> checked = new ArrayList<>();
        List<Integer> checkedIndex = new ArrayList<>();
        if (!loaded.isEmpty()) {
            // one catalog query for every file, which also answers the admin and security sections' questions
            catalog = SeedTable.read(c, loaded.stream().map(SeedFile::table).distinct().toList(), List.of("Admin"));
            List<String> hiddenTables = new ArrayList<>();
            for (int i = 0; i < loaded.size(); i++) {
                SeedFile file = loaded.get(i);
                Map<String, Object> f = loadedJson.get(i);
                String name = (String) f.get("file");
                if (catalog.hidden().contains(file.table())) {
                    // its rows would all look missing: said, not counted
                    slots.set(loadedSlot.get(i), notChecked(f, name, "row-level security hides the rows of \"" + file.table() + "\" from role " + catalog.role()));
                    if (!hiddenTables.contains(file.table())) hiddenTables.add(file.table());
                    continue;
                }
                try {
                    checked.add(Seeder.check(file, catalog));
                    checkedIndex.add(i);
                } catch (KitException e) {
                    // the catalog refutes the file: a table, column or key the database lacks is its exit 5; any other is a bad file
                    if (e.exitCode != ExitCode.DRIFT) throw e;
                    if (migrations.pending()) {
                        slots.set(loadedSlot.get(i), notChecked(f, name, "migrations pending"));
                        continue;
                    }
                    f.put("state", "invalid");
                    f.put("problem", e.getMessage());
                    slots.set(loadedSlot.get(i), String.format("  %-28s %s", name, "PROBLEM: " + e.getMessage()).stripTrailing());
                    findings.add(new Finding(Severity.DRIFT, name + " does not fit table \"" + file.table() + "\" in this database"));
                }
            }
            hiddenSaid.addAll(hiddenTables);
            if (!hiddenTables.isEmpty()) {
                findings.add(new Finding(Severity.UNREACHABLE, "row-level security hides the rows of " + String.join(", ", hiddenTables.stream().map(t -> "\"" + t + "\"").toList())
                        + " from role " + catalog.role() + ", so its seed rows could not be checked (run status as the tables' owner)"));
            }
        }
        SeedCheck.Result result = SeedCheck.add(flight, checked, hasher);
        java.util.function.Supplier<Section> unread = () -> new Section("seeds", "Seeds", List.copyOf(slots), list, List.copyOf(findings));
        return new SeedsRead(() -> {
            long missingRows = 0;
            List<SeedCheck> checks = result.checks();
            for (int k = 0; k < checks.size(); k++) {
                int i = checkedIndex.get(k);
                SeedCheck check = checks.get(k);
                SeedFile file = loaded.get(i);
                Map<String, Object> f = loadedJson.get(i);
                String name = (String) f.get("file");
                f.put("state", check.missing() > 0 ? "missing" : "complete");
                f.put("present", check.present());
                f.put("missing", check.missing());
                f.put("changed", check.changed());
                missingRows += check.missing();
                String changedNote = check.changed() == 0 ? ""
                        : file.mode() == SeedFile.Mode.UPSERT ? " (seed will bring them back)" : " (changed in the database; seed leaves them)";
                slots.set(loadedSlot.get(i), String.format("  %-28s %-16s %d present, %d missing, %d changed%s", name, "\"" + file.table() + "\"",
                        check.present(), check.missing(), check.changed(), changedNote));
                if (file.mode() == SeedFile.Mode.UPSERT && check.changed() > 0) {
                    findings.add(new Finding(Severity.PENDING, name + " has " + check.changed() + " row" + (check.changed() == 1 ? "" : "s") + " that seed would update (run seed)"));
                }
            }
            lines.addAll(slots);
            if (missingRows > 0) findings.add(new Finding(Severity.PENDING, missingRows + " seed row" + (missingRows == 1 ? "" : "s") + " missing (run seed)"));
            else if (!migrated) findings.add(new Finding(Severity.PENDING, "seeds not checked until the schema is migrated"));
            return new Section("seeds", "Seeds", lines, list, findings);
        }, unread, unset);
    }

    private static String notChecked(Map<String, Object> f, String name, String why) {
        f.put("state", "not checked");
        f.put("reason", why);
        return String.format("  %-28s not checked: %s", name, why);
    }

    /** The seed files' catalog, read once by the seeds section; null when no seed file was checked. */
    private SeedTable.Catalog catalog;

    /** The tables whose hidden rows the seeds section has already made a finding of. */
    private final java.util.Set<String> hiddenSaid = new java.util.HashSet<>();

    /**
     * The admin by ADMIN_SEED_EMAIL when it is set (its seed file's row check already counts it
     * missing). Without the variable, the admin seed file cannot be checked row by row, so this
     * checks that some admin holds the role that file seeds, and says pending when none does.
     */
    private Later admin(Connection c, Settings settings, boolean migrated, List<Path> unset, Flight flight) throws SQLException {
        Map<String, Object> json = new LinkedHashMap<>();
        List<Finding> findings = new ArrayList<>();
        String email = settings.get("ADMIN_SEED_EMAIL");
        json.put("email", email);
        List<String> roles = email == null ? seededAdminRoles(unset) : null;
        String[] line = new String[1];
        if (email == null && roles == null) {
            json.put("state", "not checked");
            line[0] = "not checked: ADMIN_SEED_EMAIL is not set";
        } else if (!migrated) {
            json.put("state", "not checked");
            line[0] = "not checked: schema not migrated";
        } else if (!(catalog != null ? catalog.existing().contains("Admin") : Relations.exists(c, "Admin"))) {
            json.put("state", "not checked");
            line[0] = "not checked: this database has no \"Admin\" table";
        } else if (catalog != null && catalog.hidden().contains("Admin")) {
            json.put("state", "not checked");
            line[0] = "not checked: row-level security hides the rows of \"Admin\" from role " + catalog.role();
            if (!hiddenSaid.contains("Admin")) {
                findings.add(new Finding(Severity.UNREACHABLE, "row-level security hides the rows of \"Admin\" from role " + catalog.role()
                        + ", so the admin could not be checked (run status as the table's owner)"));
            }
        } else if (email == null) {
            json.put("seededRoles", roles);
            // the role read through the row's JSON: a table without that column has no such admin, and the report goes on
            String sql = roles.isEmpty() ? "select count(*) from \"Admin\"" : "select count(*) from \"Admin\" a where to_jsonb(a) ->> 'role' = any(?)";
            String who = roles.isEmpty() ? "admin" : "admin with the seeded role " + String.join(" or ", roles);
            Flight.Reader reader = rs -> {
                rs.next();
                long admins = rs.getLong(1);
                json.put("state", admins > 0 ? "present" : "absent");
                line[0] = "not checked: ADMIN_SEED_EMAIL is not set, " + (admins > 0 ? "but an " + who + " exists" : "and there is no " + who + " (run seed)");
                if (admins == 0) findings.add(new Finding(Severity.PENDING, "no " + who + " (run seed)"));
            };
            if (roles.isEmpty()) flight.add(sql, reader);
            else flight.add(sql, reader, c.createArrayOf("text", roles.toArray()));
        } else {
            // the row's JSON again: a renamed column is the seeds section's drift finding, not a failed report
            flight.add("select to_jsonb(a) ->> 'role' from \"Admin\" a where to_jsonb(a) ->> 'email' = ?", rs -> {
                if (rs.next()) {
                    json.put("state", "present");
                    json.put("role", rs.getString(1));
                    line[0] = email + " exists, role " + rs.getString(1);
                } else {
                    json.put("state", "absent");
                    line[0] = email + " does not exist (run seed)";
                }
            }, email);
        }
        return () -> new Section("admin", null, List.of(String.format("  %-28s %s", "admin", line[0])), json, findings);
    }

    /**
     * The roles the admin seed file gives its rows, read from the file without its variables (the
     * first of these files whose table is "Admin"); empty when its rows name no role, null when none
     * of them seeds "Admin". Streamed: a large file is skimmed, not held.
     */
    static List<String> seededAdminRoles(List<Path> files) {
        for (Path file : files) {
            String table = null;
            java.util.Set<String> roles = new java.util.TreeSet<>();
            try (JsonParser p = Console.JSON.getFactory().createParser(file.toFile())) {
                if (p.nextToken() != JsonToken.START_OBJECT) continue;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken value = p.nextToken();
                    if (field.equals("table") && value == JsonToken.VALUE_STRING) {
                        table = p.getText();
                    } else if (field.equals("rows") && value == JsonToken.START_ARRAY) {
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                String column = p.currentName();
                                if (p.nextToken() == JsonToken.VALUE_STRING && column.equals("role")) roles.add(p.getText());
                                else p.skipChildren();
                            }
                        }
                    } else {
                        p.skipChildren();
                    }
                }
            } catch (IOException e) {
                continue; // seed refuses such a file with its own sentence
            }
            if ("Admin".equals(table)) return List.copyOf(roles);
        }
        return null;
    }

    // ---- Security ----

    private Later security(Connection c, Flight flight) throws SQLException {
        String title = "Security (Supabase Data API)";
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("exposedSchemas", exposedSchemas);
        List<String> roles = catalog != null ? catalog.apiRoles() : Exposure.apiRoles(c);
        if (roles.isEmpty()) {
            json.put("state", "not checked");
            json.put("reason", "not Supabase: no anon or authenticated role");
            Section section = new Section("security", title, List.of("  not Supabase (no anon or authenticated role): exposure not checked"), json, List.of());
            return () -> section;
        }
        List<Exposure.Finding> exposed = Exposure.add(flight, c, exposedSchemas, roles);
        return () -> security(title, json, exposed);
    }

    private Section security(String title, Map<String, Object> json, List<Exposure.Finding> exposed) {
        List<String> lines = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        List<Map<String, Object>> list = new ArrayList<>();
        for (Exposure.Finding f : exposed) {
            lines.add("  EXPOSED: " + f.sentence());
            findings.add(new Finding(Severity.SECURITY, "\"" + f.schema() + "\".\"" + f.table() + "\""));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("schema", f.schema());
            m.put("table", f.table());
            m.put("kind", f.kind());
            m.put("roles", f.roles());
            m.put("privileges", f.privileges());
            m.put("sensitiveColumns", f.sensitiveColumns());
            list.add(m);
        }
        if (exposed.isEmpty()) lines.add("  every table in " + String.join(", ", exposedSchemas) + " that anon or authenticated can reach has row-level security");
        json.put("state", exposed.isEmpty() ? "ok" : "exposed");
        json.put("findings", list);
        return new Section("security", title, lines, json, findings);
    }
}
