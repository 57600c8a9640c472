//SOURCES AdvisoryLocks.java SeedCatalog.java SeedFile.java SeedFlight.java SeedCopy.java SeedUpsert.java PasswordHasher.java
//SOURCES SessionLimits.java Flight.java WatchedConnection.java
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Writes seed files into the database inside the caller's transaction, each file the way that
 * costs the fewest round trips: small insert-missing files together in one flight (SeedFlight),
 * a large one through COPY (SeedCopy), upsert and hashed values a row at a time (SeedUpsert).
 * Identifiers come from the catalog and are quoted; values are bound.
 */
final class Seeder {
    /** Held for the caller's transaction, so two seeders (or a pooler) cannot interleave. */
    static final long ADVISORY_LOCK = 0x7263_6462_6b69_74L; // "rcdbkit"

    /** Above this many rows an insert-missing file takes the COPY path (one flight per file), below it the one flight for all such files. */
    static final int FLIGHT_ROWS = 1000;

    /**
     * What a file did; otherPasswords counts the rows that existed with a password ($argon2id value)
     * that is not the file's: kept, or set again when the run resets the admin's password.
     */
    record Outcome(SeedFile file, int inserted, int updated, int unchanged, int otherPasswords) {
        Outcome(SeedFile file, int inserted, int updated, int unchanged) {
            this(file, inserted, updated, unchanged, 0);
        }
    }

    private final Connection connection;
    /** Every file of this run, in order: a flight takes the small files that follow the one being applied. */
    private final List<SeedCatalog.Checked> run;
    private final SeedCopy copy;
    private final SeedUpsert upsert;
    /** What a flight of small insert-missing files already did, by file. */
    private final Map<SeedFile, Outcome> flown = new IdentityHashMap<>();
    private boolean flightFailed;

    /** resetAdminPassword: set the admin's password again where it exists with another (seed --reset-admin-password). */
    Seeder(Connection connection, PasswordHasher hasher, List<SeedCatalog.Checked> run, boolean resetAdminPassword) {
        this.connection = connection;
        this.run = List.copyOf(run);
        this.copy = new SeedCopy(connection);
        this.upsert = new SeedUpsert(connection, hasher, resetAdminPassword);
    }

    /**
     * Takes seed's lock for the caller's transaction. When another session holds it, says so at once
     * (and whose it is, as far as pg_stat_activity tells), then waits at most `wait`; a wait that
     * runs out is its own sentence, exit 4, with nothing written.
     */
    static void lock(Connection c, Duration wait, Consumer<String> say) throws SQLException {
        // first, in the same round trip: the transaction ends itself if seed's client goes (SessionLimits), and the session's server process is learnt
        Flight first = new Flight();
        SessionLimits.inTransaction(first, SessionLimits.WRITER, pid -> WatchedConnection.serverPid(c, pid));
        boolean[] locked = {false};
        first.add("select pg_try_advisory_xact_lock(?)", rs -> locked[0] = rs.next() && rs.getBoolean(1), ADVISORY_LOCK);
        first.send(c);
        if (locked[0]) return;
        AdvisoryLocks.take(c, ADVISORY_LOCK, true, "seed's lock", wait, say,
                "nothing was written: run seed again once it has finished, or wait longer with --lock-wait 5m.");
    }

    /**
     * One file of the run. The first small insert-missing file also inserts the small ones right after
     * it, in one flight; when that flight fails, each file goes its own way, so that the failure is
     * reported against its own file.
     */
    Outcome apply(SeedCatalog.Checked checked) throws SQLException {
        SeedFile file = checked.file();
        Outcome done = flown.get(file);
        if (done != null) return done;
        if (small(checked) && !flightFailed) {
            int from = 0;
            while (run.get(from) != checked) from++;
            int to = from;
            while (to < run.size() && small(run.get(to))) to++;
            Map<SeedFile, Outcome> outcomes = SeedFlight.insert(connection, run.subList(from, to));
            if (outcomes != null) {
                flown.putAll(outcomes);
                return outcomes.get(file);
            }
            flightFailed = true;
        }
        boolean hashes = file.rows().stream().anyMatch(SeedFile.Row::hashes);
        return file.mode() == SeedFile.Mode.INSERT_MISSING && !hashes ? copy.insert(checked) : upsert.apply(checked);
    }

    /** An insert-missing file without hashes and at most FLIGHT_ROWS rows. */
    private static boolean small(SeedCatalog.Checked checked) {
        SeedFile file = checked.file();
        return file.mode() == SeedFile.Mode.INSERT_MISSING && file.rows().size() <= FLIGHT_ROWS && file.rows().stream().noneMatch(SeedFile.Row::hashes);
    }
}
