///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Say, read-only, where a database stands: connection, migrations, seeds.
//JAVA 17+
//SOURCES lib/DatabaseCli.java lib/MigrationFormat.java lib/SchemaDrift.java lib/SeedFile.java lib/Flight.java lib/Interruption.java
//SOURCES lib/StatusReport.java lib/StatusTarget.java lib/StatusEnv.java lib/StatusMigrations.java lib/StatusSeeds.java lib/StatusSecurity.java lib/StatusDrift.java
//SOURCES lib/SessionLimits.java lib/MigrateInFlight.java
//RUNTIME_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -Xmx128m -Xlog:disable -Xlog:all=error:stderr
//JAVAC_OPTIONS -XDstringConcat=inline
//CDS

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "status", mixinStandardHelpOptions = true, version = Cli.VERSION,
        description = "Report, read-only, where the database stands: the target, every migration, every seed file, and a verdict.",
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
            "0:everything is up to date",
            "1:work is pending: migrations to apply or seed rows missing; or a migrate is running now (its own verdict names it)",
            "2:bad option, no URL, a migration history or table this role may not read (privileges or row-level security: run as their owner), or (--schema) a shadow that cannot install an extension the target has, or a --shadow-url that is the target itself; or, as a finding of the report, a seed file seed refuses, a misnamed migration file, a link in migrations/ that loops or leads nowhere, a Prisma folder without migration.sql, or a .env line the app would skip or read otherwise",
            "3:the database could not be reached or refused the login, the connection was lost (or went silent) before the report was complete, row-level security hides seed rows from this role, or (--schema) a read of the schema waited past --lock-timeout",
            "5:the database disagrees with this repository: an edited, missing or failed migration, a seed table or column that does not exist, or (--schema) schema drift, or applied migrations that do not rebuild on the shadow",
            "6:a security finding: an error of Supabase's advisor's checks, such as a table its Data API exposes to anon or authenticated without row-level security (the fix is printed)",
            "130:(--schema) interrupted (Ctrl-C, SIGTERM): the shadow was removed; the target was only read",
            "When several apply, the most severe wins: 6, then 5, then 3, then 2, then 1."})
public class status extends DatabaseCli {

    @Option(names = "--prisma", paramLabel = "DIR", description = "Compare _prisma_migrations with the Prisma migrations in DIR (<name>/migration.sql).")
    Path prismaDir;

    @Option(names = "--schema", description = "Also compare the schema with the migrations, applied to a throwaway shadow PostgreSQL (tables, columns, enums, indexes, constraints, views, sequences, functions, triggers, extensions, RLS, policies, owners, privileges).")
    boolean schema;

    @Option(names = "--no-seeds", description = "Leave the seed files and the admin out: check the migrations (another app's Prisma history, say) and the Data API exposure only.")
    boolean noSeeds;

    @Option(names = "--shadow-url", paramLabel = "URL", description = "With --schema: build the shadow in a throwaway database on this PostgreSQL of the target's major version (where the kit may create and drop databases, such as `supabase start`'s) instead of an embedded one.")
    String shadowUrl;

    @Option(names = "--lock-timeout", paramLabel = "DURATION", defaultValue = "5s", description = "With --schema: give up reading the target's schema when it waits longer than this for a lock (default 5s).")
    Duration lockTimeout;

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
        if (shadowUrl != null && !schema) throw KitException.usage("--shadow-url is where --schema builds its shadow: add --schema, or leave --shadow-url out.");
        DatabaseTarget shadow = ShadowUrl.option(shadowUrl, secrets, console);
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
                // a folder migrate would refuse (PROBLEM lines above) builds no shadow either: said, and the report stands
                boolean invalid = migrated.section().findings().stream().anyMatch(f -> f.severity() == StatusReport.Severity.INVALID);
                report.show(invalid ? StatusDrift.notCompared("the migrations folder holds what migrate refuses (above), so no shadow was built from it",
                        new StatusReport.Finding(StatusReport.Severity.INVALID, "the schema was not compared until the migrations folder is fixed"))
                        : schemaPart(database, c, migrated.currentVersion(), format, shadow));
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
     * The Schema part: drift against a shadow, reads of the target bounded by --lock-timeout (a read
     * that waits longer is a report cut short, naming the lock's holder), an interrupt said as such.
     */
    private StatusReport.Section schemaPart(Database database, Connection c, String version, MigrationFormat format, DatabaseTarget shadow) throws SQLException {
        long t = System.nanoTime();
        try (Interruption watching = Interruption.watch(database, console(), SchemaDrift::interrupted)) {
            return StatusDrift.section(SchemaDrift.check(c, version, format, console(), shadow, lockTimeout), Durations.since(t));
        } catch (SQLException e) {
            if (!"55P03".equals(e.getSQLState())) throw e;
            String why = SchemaDrift.lockTimedOut(c, lockTimeout);
            console().error(why);
            return StatusDrift.notCompared(why);
        }
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
