///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Say, read-only, where a database stands: connection, migrations, seeds.
//JAVA 17+
//SOURCES lib/ExitCode.java lib/KitException.java lib/Durations.java lib/Secrets.java
//SOURCES lib/Settings.java lib/DatabaseTarget.java lib/Database.java lib/Console.java
//SOURCES lib/Cli.java lib/DatabaseCli.java lib/MigrationHistory.java lib/PrismaMigrations.java lib/MigrationLint.java lib/Exposure.java
//SOURCES lib/SeedFile.java lib/SeedTable.java lib/Seeder.java lib/SeedCheck.java lib/PasswordHasher.java
//SOURCES lib/SchemaSnapshot.java lib/SchemaDrift.java lib/EmbeddedServer.java migrate.java
//RUNTIME_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -Xmx128m -Xlog:disable -Xlog:all=error:stderr
//JAVAC_OPTIONS -XDstringConcat=inline
//CDS

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "status", mixinStandardHelpOptions = true, version = Cli.VERSION,
        description = "Report, read-only, where the database stands: the target, every migration, every seed file, and a verdict.",
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
            "0:everything is up to date",
            "1:work is pending: migrations to apply or seed rows missing",
            "2:bad option, no URL, or an invalid seed file",
            "3:the database could not be reached or refused the login",
            "5:the database disagrees with this repository: an edited, missing or failed migration, or a seed table or column that does not exist",
            "6:a security finding: a table Supabase's Data API exposes to anon or authenticated without row-level security"})
public class status extends DatabaseCli {

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
    public Integer call() throws SQLException {
        Console console = console();
        Settings settings = settings();
        DatabaseTarget target = target(settings);
        Path prisma = prismaDir != null ? PrismaMigrations.folder(prismaDir.isAbsolute() ? prismaDir : dir.resolve(prismaDir))
                : java.nio.file.Files.isDirectory(dir.resolve("migrations")) && PrismaMigrations.isPrismaLayout(dir.resolve("migrations")) ? PrismaMigrations.folder(dir.resolve("migrations"))
                : null;
        Path migrationsFolder = prisma != null ? prisma : MigrationHistory.folder(dir);
        List<PrismaMigrations.Migration> prismaFiles = prisma == null ? null : PrismaMigrations.list(prisma, console::note);
        Path seedsRoot = SeedFile.root(dir);
        Database database = new Database(target, "rc-dbkit status", wait, console);

        Map<String, Object> doc = new LinkedHashMap<>();
        List<String> pendingWork = new ArrayList<>();
        List<String> drift = new ArrayList<>();
        List<String> security = new ArrayList<>();
        try (Connection c = database.connect()) {
            // asked before the read-only transaction starts: inside one, a pooler pins the session
            boolean pooler = database.transactionPooler || database.sharesServerProcesses(c);
            c.setAutoCommit(false);
            c.setReadOnly(true);
            try (var st = c.createStatement()) {
                st.execute("set transaction read only");
            }
            try {
                reportTarget(c, database, pooler, doc);
                MigrationHistory history = prisma != null
                        ? PrismaMigrations.history(prismaFiles, PrismaMigrations.rows(c), PrismaMigrations.tableExists(c))
                        : MigrationHistory.read(c, migrationsFolder);
                reportMigrations(history, doc, pendingWork, drift);
                reportSeeds(c, settings, seedsRoot, history, doc, pendingWork, drift);
                reportSecurity(c, doc, security);
                if (schema) reportSchemaDrift(c, history, prisma, doc, drift);
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            throw KitException.unreachable("lost the connection to " + target.hostAndPort() + " while reading its state: " + Database.firstLine(e.getMessage()) + ".", e);
        }

        // exposure first: anyone with the anon key can read those rows now
        int code = !security.isEmpty() ? ExitCode.SECURITY : !drift.isEmpty() ? ExitCode.DRIFT : !pendingWork.isEmpty() ? ExitCode.PENDING : ExitCode.OK;
        String verdict = code == ExitCode.OK ? "Database is up to date."
                : code == ExitCode.SECURITY ? "Security finding: " + String.join("; ", security) + " can be reached through Supabase's Data API without row-level security."
                : code == ExitCode.DRIFT ? "Database disagrees with this repository: " + String.join("; ", drift) + "."
                : "Work is pending: " + String.join("; ", pendingWork) + ".";
        console.line("");
        console.line(verdict);
        doc.put("verdict", verdict);
        doc.put("exitCode", code);
        if (console.json) console.document(doc);
        return code;
    }

    private void reportTarget(Connection c, Database database, boolean pooler, Map<String, Object> doc) throws SQLException {
        long rttMicros = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long t = System.nanoTime();
            try (var st = c.createStatement(); ResultSet rs = st.executeQuery("select 1")) {
                rs.next();
            }
            rttMicros = Math.min(rttMicros, (System.nanoTime() - t) / 1000);
        }
        String server = Database.serverVersion(c);
        Boolean ssl = null;
        try (var st = c.createStatement(); ResultSet rs = st.executeQuery("select ssl from pg_stat_ssl where pid = pg_backend_pid()")) {
            if (rs.next()) ssl = rs.getBoolean(1);
        }
        Map<String, Object> target = new LinkedHashMap<>();
        target.put("url", database.target.masked());
        target.put("server", server);
        target.put("ssl", ssl);
        target.put("transactionPooler", pooler);
        target.put("roundTripMs", rttMicros / 1000.0);
        doc.put("target", target);
        console().line("Target");
        console().line("  " + database.target.masked());
        console().line("  " + server + ", " + (Boolean.TRUE.equals(ssl) ? "TLS" : "no TLS") + ", "
                + (pooler ? "through a transaction pooler" : "direct") + ", round trip " + String.format(java.util.Locale.ROOT, "%.1f ms", rttMicros / 1000.0));
    }

    private void reportMigrations(MigrationHistory history, Map<String, Object> doc, List<String> pendingWork, List<String> drift) {
        Console console = console();
        console.line("");
        console.line("Migrations");
        List<Map<String, Object>> list = new ArrayList<>();
        for (MigrationHistory.Entry e : history.entries) {
            String mark = switch (e.state()) {
                case APPLIED -> "[x]";
                case PENDING -> "[ ]";
                case EDITED -> "[!]";
                case FAILED -> "[F]";
                case MISSING -> "[?]";
            };
            String when = e.installedOn() == null ? "" : "  " + e.installedOn().toLocalDateTime().format(WHEN);
            String note = switch (e.state()) {
                case EDITED -> "  EDITED after it was applied (checksum " + e.appliedChecksum() + " applied, " + e.fileChecksum() + " in the file)";
                case FAILED -> "  FAILED: recorded as failed in " + (e.description().isEmpty() ? "_prisma_migrations" : "flyway_schema_history");
                case MISSING -> "  MISSING: applied in the database, no file here";
                default -> "";
            };
            console.line((e.description().isEmpty()
                    ? String.format("  %s %-40s%s%s", mark, e.version(), when, note)
                    : String.format("  %s %-6s %-32s%s%s", mark, e.version(), e.description(), when, note)).stripTrailing());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("version", e.version());
            m.put("description", e.description());
            m.put("script", e.script());
            m.put("state", e.state().name().toLowerCase(java.util.Locale.ROOT));
            m.put("installedOn", e.installedOn() == null ? null : e.installedOn().toInstant().toString());
            list.add(m);
        }
        long applied = history.count(MigrationHistory.State.APPLIED) + history.count(MigrationHistory.State.EDITED);
        long pending = history.count(MigrationHistory.State.PENDING);
        String current = history.currentVersion();
        console.line("  " + applied + " applied, " + pending + " pending; current version " + (current == null ? "none" : current));
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("applied", applied);
        summary.put("pending", pending);
        summary.put("currentVersion", current);
        summary.put("entries", list);
        doc.put("migrations", summary);
        if (pending > 0) pendingWork.add(pending + " migration" + (pending == 1 ? "" : "s") + " to apply (run migrate)");
        for (MigrationHistory.Entry e : history.entries) {
            switch (e.state()) {
                case EDITED -> drift.add(e.script() + " was edited after it was applied");
                case FAILED -> drift.add("migration " + e.version() + " is recorded as failed");
                case MISSING -> drift.add("migration " + e.version() + " is applied but missing from migrations/");
                default -> { }
            }
        }
        for (MigrationHistory.Renamed r : history.renamed) {
            console.line("  [!] " + r.script() + " was applied as \"" + r.applied() + "\" (renamed since; Flyway refuses that)");
            drift.add(r.script() + " was renamed after it was applied");
        }
    }

    private void reportSeeds(Connection c, Settings settings, Path seedsRoot, MigrationHistory history, Map<String, Object> doc,
                             List<String> pendingWork, List<String> drift) throws SQLException {
        Console console = console();
        console.line("");
        console.line("Seeds");
        List<Map<String, Object>> list = new ArrayList<>();
        boolean migrated = history.currentVersion() != null;
        boolean migrationsPending = history.count(MigrationHistory.State.PENDING) > 0;
        PasswordHasher hasher = new PasswordHasher();
        long missingRows = 0;
        for (Path path : SeedFile.list(seedsRoot, false)) {
            String name = seedsRoot.relativize(path).toString();
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("file", name);
            list.add(f);
            if (!migrated) {
                notChecked(f, name, "schema not migrated");
                continue;
            }
            SeedFile file;
            try {
                file = SeedFile.load(path, seedsRoot, settings, secrets::add);
            } catch (SeedFile.UnsetVariable e) {
                notChecked(f, name, e.variable + " is not set");
                continue;
            }
            f.put("table", file.table());
            f.put("mode", file.mode() == SeedFile.Mode.UPSERT ? "upsert" : "insert-missing");
            Seeder.Checked checked;
            try {
                checked = Seeder.check(c, List.of(file)).get(0);
            } catch (KitException e) {
                if (e.exitCode == ExitCode.DRIFT && migrationsPending) {
                    notChecked(f, name, "migrations pending");
                    continue;
                }
                if (e.exitCode == ExitCode.DRIFT) drift.add(e.getMessage().replaceAll("\\.$", ""));
                f.put("state", "invalid");
                f.put("problem", e.getMessage());
                console.line(String.format("  %-28s %s", name, "PROBLEM: " + e.getMessage()).stripTrailing());
                if (e.exitCode != ExitCode.DRIFT) throw e;
                continue;
            }
            SeedCheck check = SeedCheck.of(c, checked, hasher);
            f.put("state", check.missing() > 0 ? "missing" : "complete");
            f.put("present", check.present());
            f.put("missing", check.missing());
            f.put("changed", check.changed());
            missingRows += check.missing();
            String changedNote = check.changed() == 0 ? ""
                    : file.mode() == SeedFile.Mode.UPSERT ? " (seed will bring them back)" : " (changed in the database; seed leaves them)";
            console.line(String.format("  %-28s %-16s %d present, %d missing, %d changed%s", name, "\"" + file.table() + "\"",
                    check.present(), check.missing(), check.changed(), changedNote));
            if (file.mode() == SeedFile.Mode.UPSERT && check.changed() > 0) {
                pendingWork.add(name + " has " + check.changed() + " row" + (check.changed() == 1 ? "" : "s") + " that seed would update");
            }
        }
        doc.put("seeds", list);
        if (missingRows > 0) pendingWork.add(missingRows + " seed row" + (missingRows == 1 ? "" : "s") + " missing (run seed)");
        else if (!migrated) pendingWork.add("seeds not checked until the schema is migrated");
        reportAdmin(c, settings, migrated, doc);
    }

    private void reportSchemaDrift(Connection c, MigrationHistory history, Path prisma, Map<String, Object> doc, List<String> drift) throws SQLException {
        Console console = console();
        console.line("");
        console.line("Schema (against the migrations applied to a shadow database)");
        long t = System.nanoTime();
        List<String> differences = SchemaDrift.check(c, history.currentVersion(), dir, prisma, console);
        for (String d : differences) console.line("  DRIFT: " + d);
        if (differences.isEmpty()) console.line("  no differences (" + Durations.since(t) + ")");
        else drift.add(differences.size() + " schema difference" + (differences.size() == 1 ? "" : "s") + " from the migrations");
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("state", differences.isEmpty() ? "ok" : "drift");
        section.put("differences", differences);
        doc.put("drift", section);
    }

    private void reportSecurity(Connection c, Map<String, Object> doc, List<String> security) throws SQLException {
        Console console = console();
        console.line("");
        console.line("Security (Supabase Data API)");
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("exposedSchemas", exposedSchemas);
        List<String> roles = Exposure.apiRoles(c);
        if (roles.isEmpty()) {
            section.put("state", "not checked");
            section.put("reason", "not Supabase: no anon or authenticated role");
            console.line("  not Supabase (no anon or authenticated role): exposure not checked");
            doc.put("security", section);
            return;
        }
        List<Exposure.Finding> findings = Exposure.check(c, exposedSchemas, roles);
        List<Map<String, Object>> list = new ArrayList<>();
        for (Exposure.Finding f : findings) {
            console.line("  EXPOSED: " + f.sentence());
            security.add("\"" + f.schema() + "\".\"" + f.table() + "\"");
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("schema", f.schema());
            m.put("table", f.table());
            m.put("kind", f.kind());
            m.put("roles", f.roles());
            m.put("privileges", f.privileges());
            m.put("sensitiveColumns", f.sensitiveColumns());
            list.add(m);
        }
        if (findings.isEmpty()) console.line("  every table in " + String.join(", ", exposedSchemas) + " that anon or authenticated can reach has row-level security");
        section.put("state", findings.isEmpty() ? "ok" : "exposed");
        section.put("findings", list);
        doc.put("security", section);
    }

    private static boolean tableExists(Connection c, String table) throws SQLException {
        try (var ps = c.prepareStatement("select to_regclass(quote_ident(current_schema()) || '.' || quote_ident(?)) is not null")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private void notChecked(Map<String, Object> f, String name, String why) {
        f.put("state", "not checked");
        f.put("reason", why);
        console().line(String.format("  %-28s not checked: %s", name, why));
    }

    private void reportAdmin(Connection c, Settings settings, boolean migrated, Map<String, Object> doc) throws SQLException {
        Map<String, Object> admin = new LinkedHashMap<>();
        String email = settings.get("ADMIN_SEED_EMAIL");
        admin.put("email", email);
        String line;
        if (email == null) {
            admin.put("state", "not checked");
            line = "not checked: ADMIN_SEED_EMAIL is not set";
        } else if (!migrated || !tableExists(c, "Admin")) {
            admin.put("state", "not checked");
            line = "not checked: schema not migrated";
        } else {
            try (var ps = c.prepareStatement("select role::text from \"Admin\" where email = ?")) {
                ps.setString(1, email);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        admin.put("state", "present");
                        admin.put("role", rs.getString(1));
                        line = email + " exists, role " + rs.getString(1);
                    } else {
                        admin.put("state", "absent");
                        line = email + " does not exist (run seed)";
                    }
                }
            }
        }
        console().line(String.format("  %-28s %s", "admin", line));
        doc.put("admin", admin);
    }
}
