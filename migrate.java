///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Apply the schema migrations in migrations/ (recorded in Flyway's history) or a Prisma migrations folder, through the direct connection.
//JAVA 17+
//SOURCES lib/ExitCode.java lib/KitException.java lib/Durations.java lib/Secrets.java
//SOURCES lib/Settings.java lib/DatabaseTarget.java lib/Database.java lib/Console.java
//SOURCES lib/Cli.java lib/DatabaseCli.java lib/TransactionPooler.java lib/Exposure.java lib/Flight.java lib/SqlScript.java lib/MigrationFile.java lib/Relations.java
//SOURCES lib/MigrationHistory.java lib/PrismaMigrations.java lib/MigrationLint.java lib/MigrationFailure.java
//SOURCES lib/AdvisoryLocks.java lib/MigrationEngine.java lib/FlywayEngine.java lib/PrismaEngine.java lib/MigrateReport.java lib/PlatformErrors.java
//SOURCES lib/SchemaSnapshot.java lib/SchemaDrift.java lib/EmbeddedServer.java lib/DataChecks.java lib/LockReport.java lib/Rehearsal.java
//RUNTIME_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -Xmx128m -Xlog:disable -Xlog:all=error:stderr
//JAVAC_OPTIONS -XDstringConcat=inline
//CDS

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "migrate", mixinStandardHelpOptions = true, version = Cli.VERSION,
        description = "Apply the pending migrations in migrations/ (or a Prisma migrations folder) to the database, each in its own transaction, under an advisory lock.",
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
            "0:done, or nothing to do",
            "2:bad option, no URL, a transaction pooler, no migrations folder, a misnamed migration file or two with one version, a --target that names no migration, a role without privileges on the history table, a data-losing statement without --allow-destructive, or no confirmation",
            "3:the database could not be reached or refused the login, or ended the session mid-run (re-running is safe)",
            "4:a migration failed (or timed out waiting for a lock); it was rolled back. Or another migrate held the migration lock past --lock-wait; nothing was applied. With --rehearse: a migration would fail on the copy or on the target's rows; nothing was applied",
            "5:an applied migration was edited, is missing here, or is recorded as failed; or an unmanaged schema for Prisma; with --rehearse, the target's schema differs from its applied migrations",
            "130:interrupted (Ctrl-C, SIGTERM): the running statement was cancelled on the server and the lock released"})
public class migrate extends DatabaseCli {

    @Option(names = "--target", paramLabel = "VERSION", description = "Apply migrations up to and including VERSION only (Flyway; for Prisma the folder name).")
    String targetVersion;

    @Option(names = "--dry-run", description = "List what would be applied and what the lint finds; change nothing (not even the history table).")
    boolean dryRun;

    @Option(names = "--rehearse", description = "Try the pending migrations on a copy of the target's schema (a shadow PostgreSQL built from the applied migrations) and ask the target's rows, read-only, which statements would fail; say what each statement locks. Changes nothing on the target.")
    boolean rehearse;

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

    @Override
    public Integer call() throws SQLException {
        Console console = console();
        Database database = database(settings(), "rc-dbkit migrate", TransactionPooler.Policy.REFUSE); // a transaction pooler is refused here and on connecting
        DatabaseTarget target = database.target;
        Path prisma = PrismaMigrations.folderFor(dir, prismaDir); // --prisma DIR, or migrations/ itself in Prisma's layout
        if (prisma == null && (resolveApplied != null || resolveRolledBack != null || baselinePrisma != null)) {
            throw KitException.usage("--resolve-applied, --resolve-rolled-back and --baseline-prisma are for Prisma migrations; add --prisma DIR.");
        }
        if (rehearse && (dryRun || resolveApplied != null || resolveRolledBack != null || baselinePrisma != null)) {
            throw KitException.usage("--rehearse changes nothing on the target already; run it without --dry-run, --resolve-applied, --resolve-rolled-back or --baseline-prisma.");
        }
        // Prisma's migrations go to the server as written, one simple-protocol query each
        if (prisma != null) PrismaEngine.simpleProtocol(database);
        database.withSetting("lock_timeout", lockTimeout.toMillis() + "ms").withSetting("statement_timeout", statementTimeout.toMillis() + "ms");
        // a rehearsal's every session on the target is read-only: the server refuses any write
        if (rehearse) database.withSetting("default_transaction_read_only", "on");
        MigrateReport report = new MigrateReport(console, dryRun || rehearse);
        // Ctrl-C or SIGTERM: cancel on the server, close the sessions (the lock goes with them), say what was applied, exit 130
        Thread hook = new Thread(() -> interrupted(database, report, prisma != null, console), "rc-dbkit interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return run(target, database, report, prisma, console);
        } catch (RuntimeException | SQLException | Error e) {
            if (interrupted) waitForTheHook();
            throw e;
        } finally {
            finished = true;
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook decides
            }
        }
    }

    private volatile boolean finished, interrupted;

    /**
     * The shutdown hook: does nothing once the run has ended; otherwise cancels the running
     * statement and closes the sessions (bounded at 5 s), prints one sentence (no URL, no secret)
     * and ends the JVM with 130.
     */
    private void interrupted(Database database, MigrateReport report, boolean prisma, Console console) {
        if (finished) return;
        interrupted = true;
        Thread closer = new Thread(database::cancelAndClose, "rc-dbkit cancel");
        closer.setDaemon(true);
        closer.start();
        try {
            closer.join(5000);
        } catch (InterruptedException ignored) {
            // say what is known
        }
        String sentence = report.interrupted(prisma);
        console.error(sentence);
        if (console.json) console.document(Map.of("exitCode", 130, "error", sentence));
        console.out.flush();
        Runtime.getRuntime().halt(130);
    }

    /** The main thread after an interrupt: the hook speaks and ends the JVM. */
    private static void waitForTheHook() {
        try {
            Thread.sleep(10_000);
        } catch (InterruptedException ignored) {
            // fall through
        }
    }

    private Integer run(DatabaseTarget target, Database database, MigrateReport report, Path prisma, Console console) throws SQLException {
        // one session for the whole run: version, pooler check, history, lint
        try (Connection c = database.connect()) {
            report.target(target.masked(), Database.serverVersion(c), target.origin());
            // the history tables get row-level security only once the run has written to them: a refusal writes nothing
            boolean wrote = false;
            boolean historyProtected = false; // the Prisma path knows, from its first read or from creating the table
            try (MigrationEngine engine = prisma != null
                    ? new PrismaEngine(prisma, c, console, lockTimeout, statementTimeout, lockWait, !rehearse)
                    : new FlywayEngine(dir, database, c, console, lockTimeout, statementTimeout, lockWait)) {
                try {
                    if (engine instanceof PrismaEngine p && (resolveApplied != null || resolveRolledBack != null)) {
                        String said = p.resolve(resolveApplied, resolveRolledBack, dryRun);
                        wrote = !dryRun;
                        return report.said(said);
                    }
                    if (engine instanceof PrismaEngine p && baselinePrisma != null) {
                        String said = p.baseline(baselinePrisma, dryRun);
                        wrote = !dryRun;
                        return report.said(said);
                    }
                    MigrationEngine.Plan plan = engine.plan(targetVersion);
                    int findings = lint(c, plan.pending(), prisma != null, report);
                    report.howTheyRun(plan.pending(), prisma != null);
                    if (rehearse) return report.rehearsed(new Rehearsal(c, dir, prisma, console, lockTimeout, statementTimeout).run(plan, targetVersion));
                    if (dryRun || plan.pending().isEmpty()) {
                        wrote = !dryRun;
                        return report.nothingApplied(plan.pending(), plan.current(), dryRun);
                    }
                    confirm(target, plan.pending().stream().map(m -> m.name).toList(), findings);
                    try {
                        MigrationEngine.Outcome outcome = engine.apply(plan, report);
                        wrote = true;
                        return report.done(outcome);
                    } catch (KitException e) {
                        wrote = report.appliedCount() > 0;
                        if (!interrupted) report.failed();
                        throw report.withApplied(e);
                    }
                } finally {
                    historyProtected = engine.historyProtected();
                }
            } finally {
                if (wrote && !interrupted && !historyProtected) protectBookkeeping(c, report.appliedCount() == 0);
            }
        } catch (SQLException e) {
            throw KitException.unreachable("lost the connection to " + target.hostAndPort() + ": " + Database.firstLine(e.getMessage()), e);
        }
    }

    /** The lint: data loss stops the run unless allowed, the rest are warnings; returns how many findings. */
    private int lint(Connection c, List<MigrationFile> pending, boolean prismaPath, MigrateReport report) throws SQLException {
        if (pending.isEmpty()) return 0;
        // read-only, before anything runs: which relations the migrations touch exist and hold rows
        Map<String, String> existing = Relations.existing(c, MigrationLint.touched(pending));
        MigrationLint.Result lint = MigrationLint.check(pending, new MigrationLint.Before(existing.keySet(), Relations.holdingRows(c, existing)));
        List<MigrationLint.Finding> findings = lint.findings();
        List<String> notes = new java.util.ArrayList<>(lint.notes());
        if (prismaPath) notes.addAll(prismaWouldRefuse(pending));
        report.findings(findings, notes, allowDestructive);
        long destructive = findings.stream().filter(MigrationLint.Finding::losesData).count();
        if (destructive > 0 && !allowDestructive && rehearse) {
            console().warn(MigrateReport.plural((int) destructive, "statement") + " in the pending migrations would lose data: a real run stops there unless given --allow-destructive.");
        } else if (destructive > 0 && !allowDestructive) {
            throw KitException.usage(MigrateReport.plural((int) destructive, "statement") + " in the pending migrations would lose data, so nothing was applied"
                    + (dryRun ? " (and a real run would stop here too)" : "") + ": review them, then run again with --allow-destructive.");
        }
        return findings.size();
    }

    /**
     * Prisma's engine sends a migration.sql whole, as one query, which PostgreSQL runs as one
     * transaction: a statement that cannot run in one (CREATE INDEX CONCURRENTLY, ...) fails there
     * unless it is the file's only statement. The kit runs such a file statement by statement and
     * succeeds, so it says where `prisma migrate deploy` would not.
     */
    static List<String> prismaWouldRefuse(List<MigrationFile> pending) {
        List<String> notes = new java.util.ArrayList<>();
        for (MigrationFile m : pending) {
            if (m.statements().size() < 2 || m.ownsTransaction()) continue;
            m.statements().stream().filter(MigrationFile::needsNoTransaction).findFirst().ifPresent(s -> notes.add(m.name + " line " + s.line() + " (" + s.shown()
                    + ") cannot run in a transaction, and the file has other statements: the kit runs them one by one, but `prisma migrate deploy` sends the file whole"
                    + " and PostgreSQL would refuse it there; a migration of its own keeps the two in step."));
        }
        return notes;
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

    /** The history tables must not be readable through Supabase's Data API either. */
    private void protectBookkeeping(Connection c, boolean appliedNothing) {
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
