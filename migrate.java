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
//SOURCES lib/Cli.java lib/DatabaseCli.java lib/MigrationHistory.java lib/Migrations.java

import java.sql.Connection;
import java.sql.SQLException;
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
            "2:bad option, no URL, a transaction-pooler URL, or no migrations/ folder",
            "3:the database could not be reached or refused the login",
            "4:a migration failed; it was rolled back",
            "5:an applied migration was edited, is missing here, or is recorded as failed"})
public class migrate extends DatabaseCli {

    @Option(names = "--target", paramLabel = "VERSION", description = "Apply migrations up to and including VERSION only.")
    String targetVersion;

    @Option(names = "--dry-run", description = "List what would be applied; change nothing (not even the history table).")
    boolean dryRun;

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
        Database database = new Database(target, "rc-dbkit migrate", wait, console);
        Migrations migrations = new Migrations(dir, database, console);

        String server;
        try (Connection c = database.connect()) {
            server = Database.serverVersion(c);
        } catch (SQLException e) {
            throw KitException.unreachable("could not read the server version at " + target.hostAndPort() + ": " + e.getMessage(), e);
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

        MigrateResult result;
        try {
            result = flyway.migrate();
        } catch (FlywayException e) {
            rethrowKit(e);
            if (e.getClass().getSimpleName().equals("FlywayValidateException")) {
                throw KitException.drift("the applied migrations changed while migrate was starting: " + Database.firstLine(e.getMessage()));
            }
            if (!console.json) console.out.println();
            throw Migrations.explainFailure(e);
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
