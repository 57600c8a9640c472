///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Say, read-only, where a database stands: connection, migrations, seeds.
//JAVA 17+
//SOURCES lib/DatabaseCli.java lib/MigrationFormat.java lib/SchemaDrift.java lib/SeedFile.java lib/Flight.java
//SOURCES lib/StatusReport.java lib/StatusTarget.java lib/StatusEnv.java lib/StatusMigrations.java lib/StatusSeeds.java lib/StatusSecurity.java lib/StatusDrift.java
//SOURCES lib/SessionLimits.java lib/MigrateInFlight.java
//RUNTIME_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -Xmx128m -Xlog:disable -Xlog:all=error:stderr
//JAVAC_OPTIONS -XDstringConcat=inline
//CDS

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "status", mixinStandardHelpOptions = true, version = Cli.VERSION,
        description = "Report, read-only, where the database stands: the target, every migration, every seed file, and a verdict.",
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
            "0:everything is up to date",
            "1:work is pending: migrations to apply or seed rows missing; or a migrate is running now (its own verdict names it)",
            "2:bad option, no URL, an invalid seed file, or a migration history or table this role may not read (privileges or row-level security: run as their owner); or, as a finding of the report, a misnamed migration file, a link in migrations/ that loops or leads nowhere, a Prisma folder without migration.sql, or a .env line the app would skip or read otherwise",
            "3:the database could not be reached or refused the login, the connection was lost (or went silent) before the report was complete, or row-level security hides seed rows from this role",
            "5:the database disagrees with this repository: an edited, missing or failed migration, or a seed table or column that does not exist",
            "6:a security finding: an error of Supabase's advisor's checks, such as a table its Data API exposes to anon or authenticated without row-level security (the fix is printed)",
            "When several apply, the most severe wins: 6, then 5, then 3, then 2, then 1."})
public class status extends DatabaseCli {

    @Option(names = "--prisma", paramLabel = "DIR", description = "Compare _prisma_migrations with the Prisma migrations in DIR (<name>/migration.sql).")
    Path prismaDir;

    @Option(names = "--schema", description = "Also compare the schema with the migrations, applied to a throwaway shadow PostgreSQL (tables, columns, enums, indexes, constraints, views, functions, triggers, extensions, RLS).")
    boolean schema;

    @Option(names = "--no-seeds", description = "Leave the seed files and the admin out: check the migrations (another app's Prisma history, say) and the Data API exposure only.")
    boolean noSeeds;

    @Option(names = "--exposed-schemas", paramLabel = "LIST", defaultValue = "public", split = ",", description = "Schemas Supabase's Data API serves (default: public): its advisor's security checks run there, and what anon and authenticated reach is read as them.")
    List<String> exposedSchemas;

    public static void main(String[] args) {
        System.exit(Cli.main(new status(), args));
    }

    @Override
    public Integer call() {
        Console console = console();
        // a .env line the app would skip is a finding of the report, unless it looks like it holds the URL
        Settings settings = Settings.forReport(environment, envFile, dir, console::warn);
        StatusReport.Section dotenv = StatusEnv.section(settings);
        Database database = database(settings, "rc-dbkit status", TransactionPooler.Policy.WORK_THROUGH);
        // the folders are checked before connecting: a missing or unreadable one is a bad request, not a database state
        MigrationFormat format = MigrationFormat.of(dir, prismaDir); // --prisma DIR, or migrations/ in Prisma's layout, or Flyway's migrations/
        // the seeds are this kit's: left out on request, or when --dir has no seeds/ folder (another app's history)
        String seedsSkipped = noSeeds ? "--no-seeds" : java.nio.file.Files.isDirectory(dir.resolve("seeds")) ? null
                : "no seeds/ folder in " + dir.toAbsolutePath().normalize();
        Path seedsRoot = seedsSkipped == null ? SeedFile.root(dir) : null;
        StatusReport report = new StatusReport(console);
        String reading = "the target";
        Connection c = database.connect();
        try {
            // asked before the read-only transaction starts: inside one, a pooler pins the session
            boolean pooler = TransactionPooler.behind(database, c);
            c.setAutoCommit(false);
            c.setReadOnly(true); // the driver begins with BEGIN READ ONLY, sent with the first query
            // the Target and Migrations parts are shown once the flight below is answered, so that the round trip said is
            // the shortest of the single round trips timed on the way; or as soon as a read fails, with what was read before it
            StatusTarget head = StatusTarget.read(c, database, pooler);
            StatusMigrations migrated = null;
            StatusSeeds seeds = null;
            Supplier<StatusReport.Section> seedRows, admin, security;
            try {
                reading = "the migrations";
                migrated = migrations(c, format, head);
                reading = "the seeds";
                seeds = seedsSkipped != null ? StatusSeeds.skipped(seedsSkipped)
                        : StatusSeeds.read(c, seedsRoot, settings, secrets::add, migrated.currentVersion() != null, migrated.pending());
                // the seed rows, the admin and the Data API exposure are asked in one flight: one round trip for the three
                Flight flight = new Flight();
                seedRows = seeds.rows(flight);
                admin = seeds.admin(flight, c);
                security = StatusSecurity.ask(flight, c, exposedSchemas, console.verbose);
                reading = "the seeds, the admin and the Data API exposure";
                flight.send(c);
                head.saw(flight.micros());
            } catch (SQLException | RuntimeException e) {
                report.show(head.section());
                report.show(dotenv);
                if (migrated != null) report.show(migrated.section());
                if (seeds != null && e instanceof SQLException) report.show(seeds.unread()); // the files and what the catalog said of them stand
                throw e;
            }
            report.show(head.section());
            report.show(dotenv);
            report.show(migrated.section());
            report.show(seedRows.get());
            report.show(admin.get());
            report.show(security.get());
            if (schema) {
                reading = "the schema";
                long t = System.nanoTime();
                List<String> differences = SchemaDrift.check(c, migrated.currentVersion(), format, console);
                report.show(StatusDrift.section(differences, Durations.since(t)));
            }
        } catch (SQLException e) {
            if ("42501".equals(e.getSQLState())) throw StatusReport.notPermitted(database.target.user(), reading, e); // asking again changes nothing
            report.lost(database.target.hostAndPort(), reading, e);
        } finally {
            // closing ends the read-only transaction on the server: no ROLLBACK round trip
            try {
                c.close();
            } catch (SQLException gone) {
                // the session is over either way
            }
        }
        return report.finish();
    }

    /**
     * The history, as the format reads it, in one round trip (one the Target part times) with a
     * migrate running now, and the settings that end status's transaction if its client goes.
     */
    private StatusMigrations migrations(Connection c, MigrationFormat format, StatusTarget head) throws SQLException {
        Flight flight = new Flight();
        SessionLimits.inTransaction(flight, SessionLimits.READER, pid -> WatchedConnection.serverPid(c, pid));
        Supplier<MigrateInFlight> inFlight = MigrateInFlight.ask(flight);
        Supplier<MigrationHistory> history = format.history(flight, console(), inFlight);
        flight.send(c);
        head.saw(flight.micros());
        return StatusMigrations.of(history.get(), inFlight.get());
    }
}
