///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Apply the schema migrations in migrations/ (recorded in Flyway's history) or a Prisma migrations folder, through the direct connection.
//JAVA 17+
//SOURCES lib/DatabaseCli.java lib/MigrationFormat.java lib/MigrationEngine.java lib/MigrateReport.java lib/Interruption.java lib/Rehearsal.java
//SOURCES lib/PendingLint.java lib/Exposure.java lib/SessionLimits.java
//RUNTIME_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -Xmx128m -Xlog:disable -Xlog:all=error:stderr
//JAVAC_OPTIONS -XDstringConcat=inline
//CDS

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "migrate", mixinStandardHelpOptions = true, version = Cli.VERSION,
        description = "Apply the pending migrations in migrations/ (or a Prisma migrations folder) to the database, each in its own transaction, under an advisory lock.",
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
            "0:done, or nothing to do; with --rehearse: every pending statement is proven on the copy (it ran there with the target's rows, or its check of the target's rows completed)",
            "1:with --rehearse only: nothing is predicted to fail, but a statement is not proven (named: its rows were not copied and no check covers it, or its check timed out; or a read of the target waited on a lock the live app holds)",
            "2:bad option, no URL, a transaction pooler, no migrations folder, a misnamed migration file or two with one version, a link in migrations/ that loops or leads nowhere, a Prisma folder without migration.sql, a file that is not UTF-8 text or holds transaction control the engine cannot record, a --target that names no migration, a role without privileges on the history table or a policy that hides part of it, a data-losing statement without --allow-destructive, or no confirmation; with --rehearse, a shadow that cannot install an extension the target has, or a --shadow-url that is the target itself",
            "3:the database could not be reached or refused the login, or ended the session mid-run, or the link went silent (the kit ended its session; re-running is safe; when a commit was in flight, the sentence says whether that migration was applied)",
            "4:a migration failed (or timed out waiting for a lock: the sentence names its holder); it was rolled back. Or another migrate held the migration lock past --lock-wait; nothing was applied. With --rehearse: a migration fails on the copy with the target's rows, or a check of the target's rows predicts a failure; nothing was applied",
            "5:an applied migration was edited, renamed, is missing here, or is recorded as failed; or an unmanaged schema for Prisma; with --rehearse, the target's schema differs from its applied migrations, or they do not rebuild on the shadow",
            "6:with --rehearse: the pending migrations would expose data through Supabase's Data API (an error of its advisor's checks, on the copy); nothing was applied",
            "130:interrupted (Ctrl-C, SIGTERM): the running statement was cancelled on the server and the lock released"})
public class migrate extends DatabaseCli {

    @Option(names = "--target", paramLabel = "VERSION", description = "Apply migrations up to and including VERSION only (Flyway; for Prisma the folder name).")
    String targetVersion;

    @Option(names = "--dry-run", description = "List what would be applied and what the lint finds; change nothing (not even the history table).")
    boolean dryRun;

    @Option(names = "--rehearse", description = "Try the pending migrations on a copy of the target (a shadow PostgreSQL built from the applied migrations, with the target's rows copied read-only from one snapshot); say what each statement locks, for how long, and destroys, and whether each is proven. Changes nothing on the target.")
    boolean rehearse;

    @Mixin
    RehearsalOptions rows;

    @Option(names = "--shadow-url", paramLabel = "URL", description = "With --rehearse: build the copy in a throwaway database on this PostgreSQL of the target's major version (such as `supabase start`'s) instead of an embedded one.")
    String shadowUrl;

    @Option(names = "--lock-timeout", paramLabel = "DURATION", defaultValue = "5s", description = "Give up a migration that waits longer than this for a lock held by live traffic (default 5s).")
    Duration lockTimeout;

    @Option(names = "--lock-wait", paramLabel = "DURATION", defaultValue = "60s",
            description = "How long to wait for another migrate (or prisma migrate deploy) that holds the migration lock (default 60s; 0s gives up at once).")
    Duration lockWait;

    @Option(names = "--statement-timeout", paramLabel = "DURATION", defaultValue = "0s", description = "Give up a statement that runs longer than this (default: no limit).")
    Duration statementTimeout;

    @Option(names = "--allow-destructive", description = "Apply migrations that drop tables or columns, truncate, or delete/update every row.")
    boolean allowDestructive;

    @Option(names = "--yes", description = "Do not ask for confirmation before migrating a remote database from a terminal.")
    boolean yes;

    @Option(names = "--exposed-schemas", paramLabel = "LIST", defaultValue = "public", split = ",",
            description = "Schemas Supabase's Data API serves (default: public): --dry-run and --rehearse say what the pending migrations open there.")
    List<String> exposedSchemas;

    @Option(names = "--prisma", paramLabel = "DIR", description = "Apply the Prisma migrations in DIR (<name>/migration.sql) and record them in _prisma_migrations as Prisma does.")
    Path prismaDir;

    @Option(names = "--resolve-applied", paramLabel = "NAME", description = "Prisma: mark migration NAME as applied without running it (as prisma migrate resolve --applied).")
    String resolveApplied;

    @Option(names = "--resolve-rolled-back", paramLabel = "NAME", description = "Prisma: mark the failed migration NAME as rolled back (as prisma migrate resolve --rolled-back).")
    String resolveRolledBack;

    @Option(names = "--baseline-prisma", paramLabel = "NAME", description = "Prisma: on a database that already has the schema, mark the migrations up to NAME as applied without running them.")
    String baselinePrisma;

    /** Asks the operator a question at a terminal; null when there is no terminal (SSH command, CI). */
    java.util.function.Function<String, String> terminal = question -> {
        java.io.Console tty = System.console();
        return tty == null ? null : tty.readLine("%s", question);
    };

    public static void main(String[] args) {
        System.exit(Cli.main(new migrate(), args));
    }

    // the run's choices, resolved once by call() before anything connects
    private MigrationFormat format;
    private MigrationFormat.Options options;
    private Interruption interruption;

    @Override
    public Integer call() {
        Database database = database(settings(), "rc-dbkit migrate", TransactionPooler.Policy.REFUSE); // a transaction pooler is refused here and on connecting
        format = MigrationFormat.of(dir, prismaDir); // --prisma DIR, or migrations/ itself in Prisma's layout, or Flyway's migrations/
        MigrationFormat.Bookkeeping bookkeeping = new MigrationFormat.Bookkeeping(resolveApplied, resolveRolledBack, baselinePrisma);
        format.accept(bookkeeping);
        rows.check(rehearse);
        if (rehearse && (dryRun || bookkeeping.asked())) {
            throw KitException.usage("--rehearse changes nothing on the target already; run it without --dry-run, --resolve-applied, --resolve-rolled-back or --baseline-prisma.");
        }
        if (shadowUrl != null && !rehearse) throw KitException.usage("--shadow-url is where --rehearse builds its copy: add --rehearse, or leave --shadow-url out.");
        options = new MigrationFormat.Options(lockTimeout, statementTimeout, lockWait, !rehearse);
        format.prepare(database, options);
        // the sessions end themselves once migrate is gone; a rehearsal's read-only copy may take long (no idle limit there)
        SessionLimits.onEverySession(database, rehearse ? null : SessionLimits.WRITER);
        database.watcher().observeWithin(lockTimeout); // a lock's holder is read while the wait lasts
        // a rehearsal's every session on the target is read-only: the server refuses any write
        if (rehearse) database.withSetting("default_transaction_read_only", "on");
        MigrateReport report = new MigrateReport(console(), dryRun || rehearse, format).rehearsing(rehearse);
        try (Interruption watching = Interruption.watch(database, console(), report::interrupted)) {
            interruption = watching;
            return run(database, bookkeeping, report);
        }
    }

    /** One session for the whole run (the engine's lock, history, lint): plan, lint, then rehearse, dry-run, or confirm and apply. */
    private Integer run(Database database, MigrationFormat.Bookkeeping bookkeeping, MigrateReport report) {
        try (Connection c = connect(database, report); MigrationEngine engine = format.open(database, c, console(), options)) {
            String said = engine.bookkeep(bookkeeping, dryRun);
            if (said != null) return dryRun ? report.said(said) : wrote(report.said(said), c, engine, true);
            MigrationEngine.Plan plan = engine.plan(targetVersion);
            format.judge(plan.pending()); // text PostgreSQL cannot take, transaction control that splits a file: refused before anything runs
            int findings = new PendingLint(allowDestructive, dryRun, rehearse, exposedSchemas).check(database, c, format, plan.pending(), report, console());
            report.howTheyRun(plan.pending());
            if (rehearse) return new Rehearsal(c, format, console(), options, rows, exposedSchemas, ShadowUrl.option(shadowUrl, secrets, console())).run(plan, targetVersion).reportedBy(report);
            if (dryRun) return report.nothingApplied(plan.pending(), plan.current(), true);
            if (plan.pending().isEmpty()) return wrote(report.nothingApplied(plan.pending(), plan.current(), false), c, engine, true);
            confirm(database.target, plan.pending().stream().map(m -> m.name).toList(), findings);
            return wrote(report.done(apply(c, engine, plan, report)), c, engine, report.appliedCount() == 0);
        } catch (SQLException e) {
            throw KitException.unreachable("lost the connection to " + database.target.hostAndPort() + ": " + Database.firstLine(e.getMessage()), e);
        }
    }

    /** The run's session, checked against a transaction pooler, and the target line. */
    private static Connection connect(Database database, MigrateReport report) throws SQLException {
        Connection c = database.connect();
        report.target(database.target.masked(), Database.serverVersion(c), database.target.origin());
        return c;
    }

    /** Applies the plan; a failure names what this run applied before it, whose history is then protected too. */
    private MigrationEngine.Outcome apply(Connection c, MigrationEngine engine, MigrationEngine.Plan plan, MigrateReport report) {
        try {
            return engine.apply(plan, report);
        } catch (KitException e) {
            if (!interruption.happened()) report.failed();
            if (report.appliedCount() > 0) protectHistory(c, engine, false);
            throw report.withApplied(e);
        }
    }

    /** A remote database, from a terminal: show the plan and ask. Without a terminal, go on. */
    void confirm(DatabaseTarget target, List<String> pending, int findings) {
        if (yes || target.isLocal() || console().json) return;
        StringBuilder plan = new StringBuilder("About to apply " + MigrateReport.plural(pending.size(), "migration") + " to " + target.masked()
                + (findings > 0 ? " (" + MigrateReport.plural(findings, "lint finding") + " above)" : "") + ":\n");
        for (String name : pending) plan.append("  ").append(name).append('\n');
        String answer = terminal.apply(plan + "Apply them? [y/N] ");
        if (answer == null) return;
        if (!answer.strip().equalsIgnoreCase("y") && !answer.strip().equalsIgnoreCase("yes")) {
            throw KitException.usage("not confirmed, so nothing was applied; answer y to go on, or pass --yes in scripts.");
        }
        console().line("Confirmed.");
    }

    /** What a run that wrote to the history ends with: its exit code, once the history is protected. */
    private int wrote(int exitCode, Connection c, MigrationEngine engine, boolean appliedNothing) {
        protectHistory(c, engine, appliedNothing);
        return exitCode;
    }

    /**
     * The history tables get row-level security once the run has written to them (a refusal writes
     * nothing), unless they had it already: Supabase's Data API must not read them either.
     */
    private void protectHistory(Connection c, MigrationEngine engine, boolean appliedNothing) {
        if (interruption.happened() || engine.historyProtected()) return;
        try {
            List<String> enabled = Exposure.protectBookkeeping(c);
            // after a run that applied nothing, a table that lacked it had it turned off by someone: a change this run made, so said
            if (appliedNothing && !enabled.isEmpty()) {
                console().note("enabled row-level security on " + String.join(" and ", enabled) + " again (it was off), so Supabase's Data API cannot read the migration history.");
            }
        } catch (SQLException e) {
            console().warn("could not enable row-level security on the history table (" + Database.firstLine(e.getMessage()) + "); status will report it if it is exposed.");
        }
    }
}
