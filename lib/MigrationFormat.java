//SOURCES FlywayEngine.java PrismaEngine.java PrismaMigrations.java MigrationHistory.java HistoryTable.java MigrationEngine.java MigrationFile.java
//SOURCES Database.java DatabaseTarget.java Console.java KitException.java Flight.java MigrateInFlight.java TransactionControl.java
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The migration format of a run, resolved once from --dir and --prisma: Flyway's migrations/
 * (V<version>__<description>.sql) or a Prisma history (<name>/migration.sql). What differs between
 * the two is asked of this value: the connection its engine needs, the engine itself (built here
 * only, for migrate, the rehearsal and the drift check alike), the history as status reads it, the
 * notes the format owes the operator, and its bookkeeping.
 */
sealed interface MigrationFormat {

    /**
     * How an engine runs: the timeouts of its sessions (said in a failure's sentence too), how long it
     * waits for the migration lock another run holds, and whether it takes that lock at all (a
     * rehearsal only reads the target, so it never keeps a real deploy waiting).
     */
    record Options(Duration lockTimeout, Duration statementTimeout, Duration lockWait, boolean takeLock) {
        /** How long a run waits for the migration lock when the command gives no --lock-wait. */
        static final Duration DEFAULT_LOCK_WAIT = Duration.ofSeconds(60);

        /** On a throwaway server (a rehearsal's copy, a shadow database) the lock is free: taken, with the default wait. */
        static Options throwaway(Duration lockTimeout, Duration statementTimeout) {
            return new Options(lockTimeout, statementTimeout, DEFAULT_LOCK_WAIT, true);
        }
    }

    /** --resolve-applied, --resolve-rolled-back and --baseline-prisma: Prisma's bookkeeping, as `prisma migrate resolve` keeps it. */
    record Bookkeeping(String resolveApplied, String resolveRolledBack, String baseline) {
        boolean asked() {
            return resolveApplied != null || resolveRolledBack != null || baseline != null;
        }
    }

    /** --prisma DIR (relative to --dir), or migrations/ when it has Prisma's layout, else Flyway's migrations/, which must exist. */
    static MigrationFormat of(Path dir, Path prismaDir) {
        if (prismaDir != null) return new Prisma(Prisma.checked(prismaDir.isAbsolute() ? prismaDir : dir.resolve(prismaDir)));
        Path migrations = dir.resolve("migrations");
        if (Files.isDirectory(migrations) && PrismaMigrations.isPrismaLayout(migrations)) return new Prisma(Prisma.checked(migrations));
        return new Flyway(MigrationHistory.folder(dir));
    }

    /** The folder the migrations are read from. */
    Path folder();

    /** The run's timeouts on every session `database` opens, and what the format's engine asks of the connection. */
    default Database prepare(Database database, Options options) {
        return connection(database).withSetting("lock_timeout", options.lockTimeout().toMillis() + "ms")
                .withSetting("statement_timeout", options.statementTimeout().toMillis() + "ms");
    }

    /** What the engine asks of the connection itself, set on `database` before it connects. */
    Database connection(Database database);

    /** The engine that plans and applies on session `c`, which `database` opened; it holds the migration lock (as options say) until closed. */
    MigrationEngine open(Database database, Connection c, Console console, Options options) throws SQLException;

    /**
     * Where the database stands against the folder, read-only, as status shows it, in status's flight
     * after `inFlight` (a migrate running now): the history says its table, how its entries are named,
     * and (Prisma) which migration another session has recorded and is applying.
     */
    java.util.function.Supplier<MigrationHistory> history(Flight flight, Console console, java.util.function.Supplier<MigrateInFlight> inFlight);

    /** What the operator should know of the pending migrations beside the lint's findings. */
    List<String> notes(List<MigrationFile> pending);

    /** Whether m runs as written, statement by statement, outside the one transaction a migration gets: cut short, it may be partly applied. */
    boolean runsAsWritten(MigrationFile m);

    /** What to do about a migration cut short while it ran as written, said after "so it may be partly applied". */
    String settleCutShort();

    /**
     * Refuses, before anything runs, a pending file the format's engine cannot apply and record
     * truthfully: text that is not UTF-8 or holds a NUL, or transaction control that splits it
     * ({@link TransactionControl}: none in a Flyway migration, balanced BEGIN ... COMMIT on the Prisma path).
     */
    default void judge(List<MigrationFile> pending) {
        for (MigrationFile m : pending) {
            m.checkText();
            TransactionControl.check(m, runsOwnTransactions());
        }
    }

    /** Whether a file with its own BEGIN ... COMMIT runs as written (Prisma, as Prisma runs it) rather than inside the engine's one transaction (Flyway). */
    boolean runsOwnTransactions();

    /** Refuses bookkeeping that is not this format's (Flyway writes its own history). */
    void accept(Bookkeeping bookkeeping);

    /**
     * The migrations up to `version` applied to a throwaway database (a rehearsal's copy, a shadow)
     * by the engine a real run uses, saying nothing; `progress` is told of the plan, then of each.
     */
    default void applyTo(DatabaseTarget copy, String applicationName, String version, Options options, MigrationEngine.Progress progress) throws SQLException {
        Console quiet = new Console(new PrintWriter(Writer.nullWriter()), new PrintWriter(Writer.nullWriter()), false, false);
        Database database = prepare(new Database(copy, applicationName, Duration.ZERO, quiet), options);
        try (Connection c = database.connect(); MigrationEngine engine = open(database, c, quiet, options)) {
            MigrationEngine.Plan plan = engine.plan(version);
            progress.planned(plan);
            engine.apply(plan, progress);
        }
    }

    /** migrations/, applied by Flyway, which alone writes flyway_schema_history. */
    record Flyway(Path folder) implements MigrationFormat {
        public Database connection(Database database) {
            return database;
        }

        public MigrationEngine open(Database database, Connection c, Console console, Options options) {
            return new FlywayEngine(folder, database, c, console, options);
        }

        public java.util.function.Supplier<MigrationHistory> history(Flight flight, Console console, java.util.function.Supplier<MigrateInFlight> inFlight) {
            return MigrationHistory.read(flight, folder);
        }

        public List<String> notes(List<MigrationFile> pending) {
            return List.of();
        }

        public boolean runsAsWritten(MigrationFile m) {
            return m.needsNoTransaction();
        }

        public boolean runsOwnTransactions() {
            return false;
        }

        public String settleCutShort() {
            return ": check what it left behind";
        }

        public void accept(Bookkeeping bookkeeping) {
            if (bookkeeping.asked()) throw KitException.usage("--resolve-applied, --resolve-rolled-back and --baseline-prisma are for Prisma migrations; add --prisma DIR.");
        }
    }

    /** A Prisma history, applied as Prisma's schema engine applies it and recorded in _prisma_migrations as it records it. */
    record Prisma(Path folder) implements MigrationFormat {
        static Path checked(Path given) {
            Path folder = given.toAbsolutePath().normalize();
            if (!Files.isDirectory(folder)) throw KitException.usage("the Prisma migrations folder " + folder + " does not exist; pass the folder that holds <name>/migration.sql, such as prisma/migrations.");
            if (!PrismaMigrations.isPrismaLayout(folder)) throw KitException.usage(folder + " is not a Prisma migrations folder: it has no migration_lock.toml and no <name>/migration.sql.");
            return folder;
        }

        /** pgjdbc's simple query protocol (a public connection property): a migration goes as one Query message, unsplit, as Prisma's engine sends it. */
        public Database connection(Database database) {
            return database.withProperty("preferQueryMode", "simple");
        }

        public MigrationEngine open(Database database, Connection c, Console console, Options options) throws SQLException {
            return new PrismaEngine(folder, database, c, console, options);
        }

        public java.util.function.Supplier<MigrationHistory> history(Flight flight, Console console, java.util.function.Supplier<MigrateInFlight> inFlight) {
            List<String> problems = new ArrayList<>();
            List<MigrationFile> migrations = PrismaMigrations.list(folder, problems::add);
            java.util.function.Supplier<MigrationHistory> read = PrismaMigrations.history(flight, migrations, inFlight);
            return () -> read.get().withProblems(problems);
        }

        /**
         * Prisma's engine sends a migration.sql whole, as one query, which PostgreSQL runs as one
         * transaction: a statement that cannot run in one (CREATE INDEX CONCURRENTLY, ...) fails there
         * unless it is the file's only statement. The kit runs such a file statement by statement and
         * succeeds, so it says where `prisma migrate deploy` would not.
         */
        public List<String> notes(List<MigrationFile> pending) {
            List<String> notes = new ArrayList<>();
            for (MigrationFile m : pending) {
                if (m.statements().size() < 2 || m.ownsTransaction()) continue;
                m.statements().stream().filter(MigrationFile::needsNoTransaction).findFirst().ifPresent(s -> notes.add(m.name + " line " + s.line() + " (" + s.shown()
                        + ") cannot run in a transaction, and the file has other statements: the kit runs them one by one, but `prisma migrate deploy` sends the file whole"
                        + " and PostgreSQL would refuse it there; a migration of its own keeps the two in step."));
            }
            return notes;
        }

        /** A file with its own BEGIN/COMMIT runs as written too. */
        public boolean runsAsWritten(MigrationFile m) {
            return m.needsNoTransaction() || m.ownsTransaction();
        }

        public boolean runsOwnTransactions() {
            return true;
        }

        public String settleCutShort() {
            return " and " + HistoryTable.PRISMA + " records it as started, not finished: check what it left behind, then use --resolve-rolled-back or --resolve-applied";
        }

        public void accept(Bookkeeping bookkeeping) {
            // Prisma's own: the engine keeps it
        }
    }
}
