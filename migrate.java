///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Apply the schema migrations in migrations/ with Flyway, through the direct connection.
//JAVA 17+
//DEPS info.picocli:picocli:4.7.7
//DEPS org.postgresql:postgresql:42.7.14
//DEPS org.flywaydb:flyway-core:13.12.0
//DEPS org.flywaydb:flyway-database-postgresql:13.12.0
//DEPS com.fasterxml.jackson.core:jackson-databind:2.23.0
//SOURCES lib/ExitCode.java lib/KitException.java lib/Durations.java lib/Secrets.java
//SOURCES lib/Settings.java lib/DatabaseTarget.java lib/Database.java lib/Console.java
//SOURCES lib/Cli.java lib/DatabaseCli.java lib/MigrationHistory.java lib/Migrations.java lib/MigrationLint.java

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.output.MigrateResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "migrate", mixinStandardHelpOptions = true, version = Cli.VERSION,
        description = "Apply the pending migrations in migrations/ to the database, each in its own transaction, under Flyway's advisory lock.",
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
            "0:done, or nothing to do",
            "2:bad option, no URL, a transaction pooler, no migrations/ folder, a data-losing statement without --allow-destructive, or no confirmation",
            "3:the database could not be reached or refused the login",
            "4:a migration failed; it was rolled back",
            "5:an applied migration was edited, is missing here, or is recorded as failed"})
public class migrate extends DatabaseCli {

    @Option(names = "--target", paramLabel = "VERSION", description = "Apply migrations up to and including VERSION only.")
    String targetVersion;

    @Option(names = "--dry-run", description = "List what would be applied and what the lint finds; change nothing (not even the history table).")
    boolean dryRun;

    @Option(names = "--lock-timeout", paramLabel = "DURATION", defaultValue = "5s", description = "Give up a migration that waits longer than this for a lock held by live traffic (default 5s).")
    Duration lockTimeout;

    @Option(names = "--statement-timeout", paramLabel = "DURATION", defaultValue = "0s", description = "Give up a statement that runs longer than this (default: no limit).")
    Duration statementTimeout;

    @Option(names = "--allow-destructive", description = "Apply migrations that drop tables or columns, truncate, or delete/update every row.")
    boolean allowDestructive;

    @Option(names = "--yes", description = "Do not ask for confirmation before migrating a remote database from a terminal.")
    boolean yes;

    /** Asks the operator a question at a terminal; null when there is no terminal (SSH command, CI). */
    java.util.function.Function<String, String> terminal = question -> {
        java.io.Console tty = System.console();
        return tty == null ? null : tty.readLine("%s", question);
    };

    public static void main(String[] args) {
        System.exit(Cli.main(new migrate(), args));
    }

    @Override
    public Integer call() {
        long started = System.nanoTime();
        Console console = console();
        Settings settings = settings();
        DatabaseTarget target = target(settings);
        refuseTransactionPooler(target, settings);
        Database database = new Database(target, "rc-dbkit migrate", wait, console)
                .withSetting("lock_timeout", lockTimeout.toMillis() + "ms")
                .withSetting("statement_timeout", statementTimeout.toMillis() + "ms");
        Migrations migrations = new Migrations(dir, database, console);

        String server;
        try (Connection c = database.connect()) {
            server = Database.serverVersion(c);
            if (database.sharesServerProcesses(c)) {
                throw KitException.usage(target.source() + " leads to a transaction pooler (two sessions were given the same server process), which cannot run migrations; set DIRECT_URL to the direct connection to the server.");
            }
        } catch (SQLException e) {
            throw KitException.unreachable("could not read the server version at " + target.hostAndPort() + ": " + Database.firstLine(e.getMessage()), e);
        }
        console.line("Target   " + target.masked() + " (" + server + ")");

        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("ok", true);
        doc.put("target", target.masked());
        doc.put("server", server);
        doc.put("dryRun", dryRun);

        List<Map<String, Object>> applied = new ArrayList<>();
        Flyway flyway = migrations.flyway(targetVersion, Migrations.progress(
                m -> {
                    if (!console.json) {
                        console.out.print("Applying " + Migrations.fileName(m) + " ... ");
                        console.out.flush();
                    }
                },
                (m, ms) -> {
                    console.line("applied in " + ms + " ms");
                    applied.add(entry(m, ms));
                }));

        MigrationInfoService info = unwrap(() -> flyway.info());
        List<String> drift = Migrations.drift(info.all(), migrations.folder);
        if (!drift.isEmpty()) {
            for (int i = 0; i < drift.size() - 1; i++) console.error(drift.get(i));
            throw KitException.drift(drift.get(drift.size() - 1));
        }
        MigrationInfo[] pending = info.pending();
        String current = info.current() == null ? "none" : info.current().getVersion().toString();
        List<MigrationLint.Finding> findings = lint(database, pending);
        doc.put("findings", findings.stream().map(f -> Map.of("file", f.file(), "line", f.line(), "statement", f.statement(),
                "problem", f.problem(), "saferWay", f.saferWay(), "losesData", f.losesData())).toList());
        for (MigrationLint.Finding f : findings) {
            if (f.losesData() && !allowDestructive) console.err.println("data loss: " + f.sentence());
            else console.warn(f.sentence());
        }
        console.err.flush();
        long destructive = findings.stream().filter(MigrationLint.Finding::losesData).count();
        if (destructive > 0 && !allowDestructive) {
            throw KitException.usage(destructive + " statement" + (destructive == 1 ? "" : "s") + " in the pending migrations would lose data, so nothing was applied"
                    + (dryRun ? " (and a real run would stop here too)" : "") + ": review them, then run again with --allow-destructive.");
        }
        for (MigrationInfo m : pending) {
            if (m.getPhysicalLocation() != null && MigrationLint.needsNoTransaction(Path.of(m.getPhysicalLocation()))) {
                console.note(Migrations.fileName(m) + " runs outside a transaction (CREATE INDEX CONCURRENTLY cannot run inside one): if it fails, drop any INVALID index it left before running again.");
            }
        }

        if (dryRun) {
            List<Map<String, Object>> would = new ArrayList<>();
            for (MigrationInfo m : pending) {
                console.line("Would apply " + Migrations.fileName(m));
                would.add(entry(m, null));
            }
            doc.put("pending", would);
            doc.put("schemaVersion", current);
            console.line(pending.length == 0
                    ? "Database is up to date at version " + current + "; nothing would be applied."
                    : "Dry run: " + plural(pending.length, "migration") + " would be applied; nothing was changed.");
            if (console.json) console.document(doc);
            return ExitCode.OK;
        }

        if (pending.length == 0) {
            console.line("Database is up to date at version " + current + "; nothing to apply.");
            doc.put("applied", applied);
            doc.put("schemaVersion", current);
            if (console.json) console.document(doc);
            return ExitCode.OK;
        }

        confirm(target, pending, findings.size());
        MigrateResult result;
        try {
            result = flyway.migrate();
        } catch (FlywayException e) {
            rethrowKit(e);
            if (e.getClass().getSimpleName().equals("FlywayValidateException")) {
                throw KitException.drift("the applied migrations changed while migrate was starting: " + Database.firstLine(e.getMessage()));
            }
            if (!console.json) console.out.println();
            throw Migrations.explainFailure(e, lockTimeout, statementTimeout);
        }
        String now = result.targetSchemaVersion != null ? result.targetSchemaVersion : current;
        doc.put("applied", applied);
        doc.put("schemaVersion", now);
        doc.put("elapsedMs", (System.nanoTime() - started) / 1_000_000);
        console.line(result.migrationsExecuted == 0
                ? "Database is up to date at version " + now + "; another run applied the pending migrations first."
                : "Applied " + plural(result.migrationsExecuted, "migration") + " in " + Durations.since(started) + "; the schema is now at version " + now + ".");
        if (console.json) console.document(doc);
        return ExitCode.OK;
    }

    /** Migrations need a session of their own; a transaction pooler hands it to other clients mid-way. */
    private void refuseTransactionPooler(DatabaseTarget target, Settings settings) {
        if (!target.looksLikeTransactionPooler()) return;
        String why = target.port() == DatabaseTarget.TRANSACTION_POOLER_PORT ? "port 6543" : "pgbouncer=true";
        StringBuilder sentence = new StringBuilder(target.source() + " points at a transaction pooler (" + why + "), which cannot run migrations; set DIRECT_URL to the direct connection");
        if (target.isSupabasePooler()) {
            sentence.append(", for Supabase the session pooler: ").append(target.sessionModeTarget().masked());
        }
        sentence.append('.');
        throw KitException.usage(sentence.toString());
    }

    private List<MigrationLint.Finding> lint(Database database, MigrationInfo[] pending) {
        List<Path> files = new ArrayList<>();
        for (MigrationInfo m : pending) if (m.getPhysicalLocation() != null) files.add(Path.of(m.getPhysicalLocation()));
        if (files.isEmpty()) return List.of();
        try (Connection c = database.connect();
             var ps = c.prepareStatement("select to_regclass(quote_ident(current_schema()) || '.' || quote_ident(?)) is not null")) {
            return MigrationLint.check(files, table -> {
                try {
                    ps.setString(1, table);
                    try (var rs = ps.executeQuery()) {
                        return rs.next() && rs.getBoolean(1);
                    }
                } catch (SQLException e) {
                    throw KitException.unreachable("lost the connection while reading the catalog: " + Database.firstLine(e.getMessage()), e);
                }
            });
        } catch (SQLException e) {
            throw KitException.unreachable("lost the connection while reading the catalog: " + Database.firstLine(e.getMessage()), e);
        }
    }

    /** A remote database, from a terminal: show the plan and ask. Without a terminal, go on. */
    void confirm(DatabaseTarget target, MigrationInfo[] pending, int findings) {
        if (yes || target.isLocal() || console().json) return;
        Console console = console();
        StringBuilder plan = new StringBuilder("About to apply " + plural(pending.length, "migration") + " to " + target.masked()
                + (findings > 0 ? " (" + plural(findings, "lint finding") + " above)" : "") + ":\n");
        for (MigrationInfo m : pending) plan.append("  ").append(Migrations.fileName(m)).append('\n');
        String answer = terminal.apply(plan + "Apply them? [y/N] ");
        if (answer == null) return;
        if (!answer.strip().equalsIgnoreCase("y") && !answer.strip().equalsIgnoreCase("yes")) {
            throw KitException.usage("not confirmed, so nothing was applied; answer y to go on, or pass --yes in scripts.");
        }
        console.line("Confirmed.");
    }

    private static Map<String, Object> entry(MigrationInfo m, Long ms) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("version", String.valueOf(m.getVersion()));
        e.put("description", m.getDescription());
        e.put("file", Migrations.fileName(m));
        if (ms != null) e.put("ms", ms);
        return e;
    }

    private static String plural(int n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }

    /** A KitException thrown by our DataSource inside Flyway keeps its own sentence and exit code. */
    private static void rethrowKit(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof KitException k) throw k;
        }
    }

    private static <T> T unwrap(java.util.function.Supplier<T> action) {
        try {
            return action.get();
        } catch (FlywayException e) {
            rethrowKit(e);
            throw KitException.failed("Flyway could not read the migration state: " + Database.firstLine(e.getMessage()), e);
        }
    }
}
