///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Apply the schema migrations in migrations/ (recorded in Flyway's history) or a Prisma migrations folder, through the direct connection.
//JAVA 17+
//SOURCES lib/ExitCode.java lib/KitException.java lib/Durations.java lib/Secrets.java
//SOURCES lib/Settings.java lib/DatabaseTarget.java lib/Database.java lib/Console.java
//SOURCES lib/Cli.java lib/DatabaseCli.java lib/MigrationHistory.java lib/Migrations.java lib/MigrationLint.java
//SOURCES lib/PrismaMigrations.java lib/Exposure.java lib/DirectMigrations.java
//RUNTIME_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -Xmx128m -Xlog:disable -Xlog:all=error:stderr
//JAVAC_OPTIONS -XDstringConcat=inline
//CDS

import java.nio.file.Files;
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
        description = "Apply the pending migrations in migrations/ (or a Prisma migrations folder) to the database, each in its own transaction, under an advisory lock.",
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
            "0:done, or nothing to do",
            "2:bad option, no URL, a transaction pooler, no migrations folder, a data-losing statement without --allow-destructive, or no confirmation",
            "3:the database could not be reached or refused the login",
            "4:a migration failed; it was rolled back",
            "5:an applied migration was edited, is missing here, or is recorded as failed; or an unmanaged schema for Prisma"})
public class migrate extends DatabaseCli {

    @Option(names = "--target", paramLabel = "VERSION", description = "Apply migrations up to and including VERSION only (Flyway; for Prisma the folder name).")
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

    private long started;
    private final Map<String, Object> doc = new LinkedHashMap<>();

    public static void main(String[] args) {
        System.exit(Cli.main(new migrate(), args));
    }

    @Override
    public Integer call() throws SQLException {
        started = System.nanoTime();
        Console console = console();
        Settings settings = settings();
        DatabaseTarget target = target(settings);
        refuseTransactionPooler(target);
        Path prisma = prismaFolder();
        if (prisma == null && (resolveApplied != null || resolveRolledBack != null || baselinePrisma != null)) {
            throw KitException.usage("--resolve-applied, --resolve-rolled-back and --baseline-prisma are for Prisma migrations; add --prisma DIR.");
        }
        Database database = new Database(target, "rc-dbkit migrate", wait, console)
                .withSetting("lock_timeout", lockTimeout.toMillis() + "ms")
                .withSetting("statement_timeout", statementTimeout.toMillis() + "ms");

        // one session for the whole run: version, pooler check, lint, the no-op check, bookkeeping
        try (Connection first = database.connect()) {
            String server = Database.serverVersion(first);
            if (database.sharesServerProcesses(first)) {
                throw KitException.usage(target.source() + " leads to a transaction pooler (two sessions were given the same server process), which cannot run migrations; set DIRECT_URL to the direct connection to the server.");
            }
            console.line("Target   " + target.masked() + " (" + server + ")");
            doc.put("ok", true);
            doc.put("target", target.masked());
            doc.put("server", server);
            doc.put("dryRun", dryRun);
            int code = prisma != null ? prisma(database, prisma, first) : flyway(database, first);
            if (!dryRun) protectBookkeeping(first);
            return code;
        } catch (SQLException e) {
            throw KitException.unreachable("lost the connection to " + target.hostAndPort() + ": " + Database.firstLine(e.getMessage()), e);
        }
    }

    /** The history tables must not be readable through Supabase's Data API either. */
    private void protectBookkeeping(Connection c) {
        try {
            Exposure.protectBookkeeping(c);
        } catch (SQLException e) {
            console().warn("could not enable row-level security on the history table (" + Database.firstLine(e.getMessage()) + "); status will report it if it is exposed.");
        }
    }

    /** --prisma DIR, or migrations/ itself when it is in Prisma's layout. */
    private Path prismaFolder() {
        if (prismaDir != null) return PrismaMigrations.folder(prismaDir.isAbsolute() ? prismaDir : dir.resolve(prismaDir));
        Path migrations = dir.resolve("migrations");
        return Files.isDirectory(migrations) && PrismaMigrations.isPrismaLayout(migrations) ? PrismaMigrations.folder(migrations) : null;
    }

    private int flyway(Database database, Connection first) throws SQLException {
        Console console = console();
        // Nothing to do is the common case: read the history without starting Flyway, and hand
        // over to Flyway as soon as anything is pending, unusual or disagrees.
        Path folder = MigrationHistory.folder(dir);
        if (MigrationHistory.onlyVersionedFiles(folder)) {
            MigrationHistory quick = MigrationHistory.read(first, folder);
            // Flyway's validation refuses a renamed file too, but its message does not say which
            stopOnDrift(quick.renamed.stream().map(MigrationHistory.Renamed::sentence).toList());
            if (targetVersion == null && quick.historyExists && !quick.entries.isEmpty()
                    && quick.entries.stream().allMatch(e -> e.state() == MigrationHistory.State.APPLIED)) {
                return nothingApplied(List.of(), quick.currentVersion());
            }
            DirectMigrations.Plan plan = dryRun || targetVersion != null ? null : DirectMigrations.plan(first, folder, quick);
            if (plan != null && !plan.pending().isEmpty()) return direct(database, first, folder, plan);
        }
        Migrations migrations = new Migrations(dir, database, console);
        List<Map<String, Object>> applied = new ArrayList<>();
        Flyway flyway = migrations.flyway(targetVersion, Migrations.progress(
                m -> applying(Migrations.fileName(m)),
                (m, ms) -> applied.add(appliedLine(Migrations.fileName(m), String.valueOf(m.getVersion()), ms))));

        MigrationInfoService info = unwrap(() -> flyway.info());
        stopOnDrift(Migrations.drift(info.all(), migrations.folder));
        MigrationInfo[] pending = info.pending();
        String current = info.current() == null ? "none" : info.current().getVersion().toString();
        List<Path> files = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (MigrationInfo m : pending) {
            if (m.getPhysicalLocation() != null) files.add(Path.of(m.getPhysicalLocation()));
            names.add(Migrations.fileName(m));
        }
        int findings = checkBeforeApplying(first, files, names);
        for (int i = 0; i < files.size(); i++) {
            if (MigrationLint.needsNoTransaction(files.get(i))) {
                console.note(names.get(i) + " runs outside a transaction (CREATE INDEX CONCURRENTLY cannot run inside one): if it fails, drop any INVALID index it left before running again.");
            }
        }
        if (dryRun || pending.length == 0) return nothingApplied(names, current);

        confirm(database.target, names, findings);
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
        return done(applied, result.migrationsExecuted, now);
    }

    /** How long a run waits for another migrate (or Flyway) that holds the migration lock. */
    static final Duration LOCK_PATIENCE = Duration.ofSeconds(60);

    /**
     * Ordinary pending migrations applied in this session, with Flyway's bookkeeping written as
     * Flyway writes it (see DirectMigrations): linted and confirmed as always, then under
     * Flyway's lock each migration and its history row in one transaction.
     */
    private int direct(Database database, Connection c, Path folder, DirectMigrations.Plan plan) throws SQLException {
        List<String> names = plan.pending().stream().map(DirectMigrations.Pending::script).toList();
        int findings = checkBeforeApplying(c, names.stream().map(folder::resolve).toList(), names);
        confirm(database.target, names, findings);
        String schema = plan.schema();
        DirectMigrations.lock(c, schema, LOCK_PATIENCE);
        try {
            // the history as it is now that no one else is migrating: another run may have applied some
            DirectMigrations.Plan now = DirectMigrations.plan(c, folder, MigrationHistory.read(c, folder));
            if (now == null || !names.containsAll(now.pending().stream().map(DirectMigrations.Pending::script).toList())) {
                throw KitException.drift("the applied migrations changed while migrate was starting (another tool wrote to " + DirectMigrations.TABLE + "); nothing was applied. Run migrate again.");
            }
            if (now.pending().isEmpty()) return done(List.of(), 0, now.current());
            console().debug("applying " + plural(now.pending().size(), "migration") + " in this session, each with its row in " + DirectMigrations.TABLE + " as Flyway writes it");
            if (!now.historyExists()) DirectMigrations.createHistory(c, schema);
            DirectMigrations.Bookkeeping bookkeeping = DirectMigrations.bookkeeping(c, schema);
            int rank = bookkeeping.nextRank();
            List<Map<String, Object>> applied = new ArrayList<>();
            for (DirectMigrations.Pending p : now.pending()) {
                applying(p.script());
                DirectMigrations.Statement running = null;
                long t = System.nanoTime();
                c.setAutoCommit(false);
                try {
                    try (var st = c.createStatement()) {
                        for (DirectMigrations.Statement s : p.statements()) {
                            running = s;
                            st.execute(s.sql());
                        }
                    }
                    int ms = (int) ((System.nanoTime() - t) / 1_000_000);
                    DirectMigrations.record(c, schema, rank++, p, bookkeeping.installedBy(), ms);
                    c.commit();
                    applied.add(appliedLine(p.script(), p.version(), ms));
                } catch (SQLException e) {
                    Database.rollbackQuietly(c);
                    if (!console().json) console().out.println();
                    String statement = running == null ? null : running.sql().substring(Math.max(0, DirectMigrations.firstWord(running.sql())));
                    throw Migrations.failure(p.script(), running == null ? 0 : running.line(), statement, e, e.getMessage(), true, lockTimeout, statementTimeout, e);
                } finally {
                    try {
                        c.setAutoCommit(true);
                    } catch (SQLException gone) {
                        // reported above
                    }
                }
            }
            return done(applied, applied.size(), now.pending().get(now.pending().size() - 1).version());
        } finally {
            DirectMigrations.unlock(c, schema);
        }
    }

    private int prisma(Database database, Path folder, Connection c) throws SQLException {
        Console console = console();
        List<PrismaMigrations.Migration> all = PrismaMigrations.list(folder, console::note);
        // Prisma's own lock: the kit and a `prisma migrate deploy` cannot both apply
        try (var st = c.createStatement()) {
            st.execute("select pg_advisory_lock(" + PrismaMigrations.PRISMA_LOCK + ")");
        }
        try {
            return prismaLocked(c, database, folder, all);
        } finally {
            try (var st = c.createStatement()) {
                if (!c.getAutoCommit()) c.rollback();
                c.setAutoCommit(true);
                st.execute("select pg_advisory_unlock(" + PrismaMigrations.PRISMA_LOCK + ")");
            } catch (SQLException ignored) {
                // the lock goes with the session
            }
        }
    }

    private int prismaLocked(Connection c, Database database, Path folder, List<PrismaMigrations.Migration> all) throws SQLException {
        Console console = console();
        boolean table = PrismaMigrations.tableExists(c);
        if (resolveApplied != null || resolveRolledBack != null) return resolve(c, all, table);
        if (!table) {
            List<String> tables = userTables(c);
            if (baselinePrisma != null) return baseline(c, all);
            if (!tables.isEmpty()) {
                throw KitException.drift("the database already has tables (" + String.join(", ", tables.subList(0, Math.min(5, tables.size())))
                        + (tables.size() > 5 ? ", ..." : "") + ") but no _prisma_migrations table, so Prisma never migrated it"
                        + (tables.contains("flyway_schema_history") ? " (the kit's Flyway migrations did)" : "")
                        + ": if it already has the schema of the migrations up to some NAME, run again with --baseline-prisma NAME to mark those applied without running them.");
            }
        } else if (baselinePrisma != null) {
            throw KitException.usage("the database already has a _prisma_migrations table, so there is nothing to baseline; run migrate without --baseline-prisma.");
        }

        MigrationHistory history = PrismaMigrations.history(all, PrismaMigrations.rows(c), table);
        List<String> failed = history.entries.stream().filter(e -> e.state() == MigrationHistory.State.FAILED).map(MigrationHistory.Entry::version).toList();
        if (!failed.isEmpty()) {
            String name = failed.get(0);
            throw KitException.drift("migration " + name + " failed in an earlier run and is recorded as failed in _prisma_migrations (Prisma's P3009); "
                    + "either undo what it left behind and run migrate --prisma " + folder + " --resolve-rolled-back " + name + " (it is then applied again), "
                    + "or finish it by hand and run --resolve-applied " + name + ".");
        }
        List<String> drift = new ArrayList<>();
        for (MigrationHistory.Entry e : history.entries) {
            if (e.state() == MigrationHistory.State.EDITED) {
                drift.add(e.script() + " was edited after it was applied (its checksum differs from the one in _prisma_migrations): restore the file as it was applied and put the change in a new migration.");
            } else if (e.state() == MigrationHistory.State.MISSING) {
                drift.add("migration " + e.version() + " is applied in the database but its folder is missing from " + folder + ": restore it, or check that --prisma points at the right folder.");
            }
        }
        stopOnDrift(drift);

        List<PrismaMigrations.Migration> pending = new ArrayList<>();
        for (PrismaMigrations.Migration m : all) {
            boolean isPending = history.entries.stream().anyMatch(e -> e.version().equals(m.name()) && e.state() == MigrationHistory.State.PENDING);
            if (isPending && (targetVersion == null || m.name().compareTo(targetVersion) <= 0)) pending.add(m);
        }
        List<String> names = pending.stream().map(m -> m.name() + "/migration.sql").toList();
        int findings = checkBeforeApplying(c, pending.stream().map(PrismaMigrations.Migration::script).toList(), names);
        String current = history.currentVersion() == null ? "none" : history.currentVersion();
        if (dryRun || pending.isEmpty()) return nothingApplied(names, current);

        confirm(database.target, names, findings);
        if (!table) {
            try (var st = c.createStatement()) {
                st.execute(PrismaMigrations.CREATE_TABLE);
            }
        }
        List<Map<String, Object>> applied = new ArrayList<>();
        for (PrismaMigrations.Migration m : pending) {
            applying(m.name() + "/migration.sql");
            long t = System.nanoTime();
            applyPrisma(c, m);
            applied.add(appliedLine(m.name() + "/migration.sql", m.name(), (System.nanoTime() - t) / 1_000_000));
        }
        return done(applied, applied.size(), pending.get(pending.size() - 1).name());
    }

    /**
     * One migration. Wrapped in a transaction with its bookkeeping row, so a failure leaves
     * nothing; a script that manages its own transaction (or needs none, for CREATE INDEX
     * CONCURRENTLY) runs as written, and a failure is then recorded as failed, as Prisma does.
     */
    private void applyPrisma(Connection c, PrismaMigrations.Migration m) throws SQLException {
        String script = new String(m.bytes(), java.nio.charset.StandardCharsets.UTF_8);
        boolean noTransaction = MigrationLint.needsNoTransaction(script);
        boolean asWritten = noTransaction || PrismaMigrations.ownsTransaction(script);
        String name = m.name() + "/migration.sql";
        if (!asWritten) {
            try {
                Database.inTransaction(c, st -> {
                    String id = PrismaMigrations.recordStarted(c, m);
                    st.execute(script);
                    PrismaMigrations.recordFinished(c, id);
                });
            } catch (SQLException e) {
                throw failure(name, e, true);
            }
            return;
        }
        console().note(name + (noTransaction
                ? " runs outside a transaction (CREATE INDEX CONCURRENTLY cannot run inside one)."
                : " manages its own transaction (BEGIN ... COMMIT), so it runs as written."));
        String id = PrismaMigrations.recordStarted(c, m);
        try (var st = c.createStatement()) {
            for (MigrationLint.Statement s : MigrationLint.split(script)) st.execute(s.sql());
        } catch (SQLException e) {
            if (!c.getAutoCommit()) c.rollback();
            try (var st = c.createStatement()) {
                st.execute("rollback"); // leave any transaction the script opened
            } catch (SQLException ignored) {
                // none was open
            }
            PrismaMigrations.recordFailed(c, id, Database.firstLine(e.getMessage()));
            throw failure(name, e, false);
        }
        PrismaMigrations.recordFinished(c, id);
    }

    private KitException failure(String name, SQLException e, boolean rolledBack) {
        if (!console().json) console().out.println();
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.equals("55P03")) {
            return KitException.failed(Migrations.lockWait(name, lockTimeout) + "; "
                    + (rolledBack ? "it was rolled back and nothing from it was applied. Re-running later is safe; --lock-timeout waits longer."
                    : "it ran as written and is recorded as failed: check what it left behind, then use --resolve-rolled-back or --resolve-applied."), e);
        }
        return KitException.failed(name + " failed: " + Database.firstLine(e.getMessage()) + (rolledBack
                ? "; it was rolled back and nothing from it was applied. Fix it and run migrate again."
                : "; it ran as written (outside the kit's transaction) and is recorded as failed in _prisma_migrations: check what it left behind, then use --resolve-rolled-back or --resolve-applied."), e);
    }

    private int resolve(Connection c, List<PrismaMigrations.Migration> all, boolean table) throws SQLException {
        String name = resolveApplied != null ? resolveApplied : resolveRolledBack;
        if (resolveApplied != null && resolveRolledBack != null) throw KitException.usage("give either --resolve-applied or --resolve-rolled-back, not both.");
        if (!table) throw KitException.usage("there is no _prisma_migrations table, so there is nothing to resolve.");
        PrismaMigrations.Migration m = all.stream().filter(x -> x.name().equals(name)).findFirst()
                .orElseThrow(() -> KitException.usage("there is no migration called \"" + name + "\" in the Prisma folder."));
        List<PrismaMigrations.Row> rows = PrismaMigrations.rows(c).stream().filter(r -> r.name().equals(name)).toList();
        if (resolveRolledBack != null) {
            if (rows.stream().noneMatch(PrismaMigrations.Row::failed)) {
                throw KitException.usage("migration " + name + " is not recorded as failed, so it cannot be marked rolled back.");
            }
            if (!dryRun) PrismaMigrations.markRolledBack(c, name);
            console().line((dryRun ? "Would mark " : "Marked ") + name + " as rolled back; the next migrate applies it again.");
        } else {
            if (rows.stream().anyMatch(PrismaMigrations.Row::applied)) {
                throw KitException.usage("migration " + name + " is already recorded as applied.");
            }
            if (!dryRun) PrismaMigrations.markApplied(c, m);
            console().line((dryRun ? "Would mark " : "Marked ") + name + " as applied without running it.");
        }
        if (console().json) console().document(doc);
        return ExitCode.OK;
    }

    private int baseline(Connection c, List<PrismaMigrations.Migration> all) throws SQLException {
        if (all.stream().noneMatch(m -> m.name().equals(baselinePrisma))) {
            throw KitException.usage("there is no migration called \"" + baselinePrisma + "\" in the Prisma folder to baseline up to.");
        }
        List<PrismaMigrations.Migration> upTo = all.stream().filter(m -> m.name().compareTo(baselinePrisma) <= 0).toList();
        if (!dryRun) {
            Database.inTransaction(c, st -> {
                st.execute(PrismaMigrations.CREATE_TABLE);
                for (PrismaMigrations.Migration m : upTo) PrismaMigrations.markApplied(c, m);
            });
        }
        console().line((dryRun ? "Would mark " : "Marked ") + plural(upTo.size(), "migration") + " up to " + baselinePrisma
                + " as applied without running them; the next migrate applies the rest.");
        if (console().json) console().document(doc);
        return ExitCode.OK;
    }

    private static List<String> userTables(Connection c) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (var st = c.createStatement(); var rs = st.executeQuery("select tablename from pg_tables where schemaname = current_schema() order by 1")) {
            while (rs.next()) tables.add(rs.getString(1));
        }
        return tables;
    }

    // ---- what both kinds of migration share ----

    private void stopOnDrift(List<String> drift) {
        if (drift.isEmpty()) return;
        for (int i = 0; i < drift.size() - 1; i++) console().error(drift.get(i));
        throw KitException.drift(drift.get(drift.size() - 1));
    }

    /** The lint: data loss stops the run unless allowed, the rest are warnings; returns how many findings. */
    private int checkBeforeApplying(Connection c, List<Path> files, List<String> names) {
        Console console = console();
        List<MigrationLint.Finding> findings = lint(c, files);
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
        return findings.size();
    }

    private int nothingApplied(List<String> pending, String current) {
        Console console = console();
        doc.put("schemaVersion", current);
        if (dryRun) {
            for (String name : pending) console.line("Would apply " + name);
            doc.put("pending", pending);
            console.line(pending.isEmpty()
                    ? "Database is up to date at version " + current + "; nothing would be applied."
                    : "Dry run: " + plural(pending.size(), "migration") + " would be applied; nothing was changed.");
        } else {
            doc.put("applied", List.of());
            console.line("Database is up to date at version " + current + "; nothing to apply.");
        }
        if (console.json) console.document(doc);
        return ExitCode.OK;
    }

    private void applying(String name) {
        if (!console().json) {
            console().out.print("Applying " + name + " ... ");
            console().out.flush();
        }
    }

    private Map<String, Object> appliedLine(String name, String version, long ms) {
        console().line("applied in " + ms + " ms");
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("version", version);
        e.put("file", name);
        e.put("ms", ms);
        return e;
    }

    private int done(List<Map<String, Object>> applied, int count, String now) {
        doc.put("applied", applied);
        doc.put("schemaVersion", now);
        doc.put("elapsedMs", (System.nanoTime() - started) / 1_000_000);
        console().line(count == 0
                ? "Database is up to date at version " + now + "; another run applied the pending migrations first."
                : "Applied " + plural(count, "migration") + " in " + Durations.since(started) + "; the schema is now at version " + now + ".");
        if (console().json) console().document(doc);
        return ExitCode.OK;
    }

    /** Migrations need a session of their own; a transaction pooler hands it to other clients mid-way. */
    private void refuseTransactionPooler(DatabaseTarget target) {
        if (!target.looksLikeTransactionPooler()) return;
        String why = target.port() == DatabaseTarget.TRANSACTION_POOLER_PORT ? "port 6543" : "pgbouncer=true";
        StringBuilder sentence = new StringBuilder(target.source() + " points at a transaction pooler (" + why + "), which cannot run migrations; set DIRECT_URL to the direct connection");
        if (target.isSupabasePooler()) {
            sentence.append(", for Supabase the session pooler: ").append(target.sessionModeTarget().masked());
        }
        sentence.append('.');
        throw KitException.usage(sentence.toString());
    }

    private List<MigrationLint.Finding> lint(Connection c, List<Path> files) {
        if (files.isEmpty()) return List.of();
        try (var ps = c.prepareStatement("select to_regclass(quote_ident(current_schema()) || '.' || quote_ident(?)) is not null")) {
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
    void confirm(DatabaseTarget target, List<String> pending, int findings) {
        if (yes || target.isLocal() || console().json) return;
        StringBuilder plan = new StringBuilder("About to apply " + plural(pending.size(), "migration") + " to " + target.masked()
                + (findings > 0 ? " (" + plural(findings, "lint finding") + " above)" : "") + ":\n");
        for (String name : pending) plan.append("  ").append(name).append('\n');
        String answer = terminal.apply(plan + "Apply them? [y/N] ");
        if (answer == null) return;
        if (!answer.strip().equalsIgnoreCase("y") && !answer.strip().equalsIgnoreCase("yes")) {
            throw KitException.usage("not confirmed, so nothing was applied; answer y to go on, or pass --yes in scripts.");
        }
        console().line("Confirmed.");
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
            String message = e.getMessage() == null ? "" : e.getMessage();
            if (message.startsWith("Found more than one migration with version")) {
                List<String> files = new ArrayList<>();
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("-> (\\S+)").matcher(message);
                while (m.find()) files.add(Path.of(m.group(1)).getFileName().toString());
                throw KitException.usage("two migrations have the same version " + Database.firstLine(message).replaceAll(".* ", "")
                        + (files.isEmpty() ? "" : " (" + String.join(", ", files) + ")") + "; give each migration a version of its own. Nothing was applied.");
            }
            throw KitException.failed("Flyway could not read the migration state: " + Database.firstLine(message), e);
        }
    }
}
