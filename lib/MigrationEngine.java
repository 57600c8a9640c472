//SOURCES MigrationFile.java MigrationFormat.java
import java.sql.SQLException;
import java.util.List;

/**
 * What the kit asks of a migration format's engine (Flyway's or Prisma's): read the plan, then
 * apply it, telling a listener as each migration starts and ends. The command on top does the
 * pre-flight (lint, confirmation) between the two. {@link MigrationFormat#open} builds one.
 */
interface MigrationEngine extends AutoCloseable {

    /** Where the database stands: the migrations to apply, in order, and the version it is at (null: none). */
    record Plan(List<MigrationFile> pending, String current) {}

    /** What a run did: how many migrations it applied and the version the schema is at now. */
    record Outcome(int applied, String version) {}

    /** Told as each migration starts and ends. */
    interface Progress {
        /** The plan is read and nothing is applied yet (a throwaway copy refuses here what it cannot build, and counts). */
        default void planned(Plan plan) {}

        void applying(MigrationFile m);

        void applied(MigrationFile m, long ms);

        Progress SILENT = new Progress() {
            public void applying(MigrationFile m) {}
            public void applied(MigrationFile m, long ms) {}
        };
    }

    /**
     * Reads where the database stands, up to `target` (null: everything). An applied migration that
     * was edited, is missing here or is recorded as failed stops here (KitException, exit 5).
     */
    Plan plan(String target);

    /** Applies the pending migrations of the plan, in order; a failure is a KitException with the file and line. */
    Outcome apply(Plan plan, Progress progress);

    /** The format's bookkeeping, when asked for (Prisma's --resolve-*, --baseline-prisma): the line to print; null when there was none to do. */
    default String bookkeep(MigrationFormat.Bookkeeping asked, boolean dryRun) throws SQLException {
        return null;
    }

    /** Releases what the engine holds (a lock, a connection it opened). */
    @Override
    void close();

    /** Whether the history tables are known to have row-level security already, so that the run need not see to it again. */
    default boolean historyProtected() {
        return false;
    }
}
