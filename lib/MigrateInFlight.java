//SOURCES Flight.java ServerActivity.java MigrationHistory.java MigrationFile.java
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A migrate running now, as status sees it without taking anything: the session that holds a
 * migration lock (Prisma's advisory lock, held by `migrate --prisma` or `prisma migrate deploy`; or
 * an advisory lock held by a session of `rc-dbkit migrate`, which is how the kit's Flyway run holds
 * Flyway's), who it is and since when, what it does now ({@link ServerActivity}: a lock it waits for
 * and who holds that, or its progress), and which migration it applies: found from what it runs (its
 * query's text, matched against the pending files and never shown: it may carry row values), else
 * the first pending migration, which a migrate applies first.
 */
record MigrateInFlight(int pid, String application, String role, String client, /** ISO, UTC */ String since, boolean prisma, String query, ServerActivity.Seen seen) {

    private static final String PRISMA_LOCK = "l.locktype = 'advisory' and l.classid = 0 and l.objid = 72707369 and l.objsubid = 1";

    private static final String QUERY = """
            select a.pid, nullif(a.application_name, ''), a.usename, host(a.client_addr), to_char(a.backend_start at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                   exists (select 1 from pg_locks l where l.pid = a.pid and l.granted and %1$s), left(a.query, 4000), %2$s
            from pg_stat_activity a
            where a.pid <> pg_backend_pid() and a.datname = current_database()
              and exists (select 1 from pg_locks l where l.pid = a.pid and l.granted and l.locktype = 'advisory'
                          and (%1$s or a.application_name = 'rc-dbkit migrate'))
            order by a.backend_start limit 1""".formatted(PRISMA_LOCK, ServerActivity.JSON);

    /** The read, in the caller's flight (status: with the history, one round trip); null when no migrate is running. */
    static Supplier<MigrateInFlight> ask(Flight flight) {
        return flight.ask(QUERY, rs -> rs.next() ? new MigrateInFlight(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getBoolean(6), rs.getString(7), ServerActivity.read(rs.getString(8))) : null);
    }

    /**
     * The version (Prisma: the folder name) of the migration being applied: one that Prisma recorded as
     * started (`underWay`), else the pending one whose name or text is in what the holder runs, else
     * the first pending one.
     */
    String migration(MigrationHistory history) {
        if (history.underWay != null) return history.underWay;
        List<MigrationHistory.Entry> pending = history.entries.stream().filter(e -> e.state() == MigrationHistory.State.PENDING).toList();
        if (pending.isEmpty()) return null;
        String running = query == null ? "" : query.strip();
        if (running.endsWith(";")) running = running.substring(0, running.length() - 1).strip();
        if (running.length() >= 8) {
            for (MigrationHistory.Entry e : pending) {
                MigrationFile f = file(history, e);
                if (running.contains("'" + e.version() + "'") && history.namedByFolder || f != null && f.text.contains(running)) return e.version();
            }
        }
        return pending.get(0).version();
    }

    private static MigrationFile file(MigrationHistory history, MigrationHistory.Entry e) {
        MigrationFile f = history.file(e.script());
        if (f != null) return f;
        return history.files.stream().filter(m -> m.version.equals(e.version())).findFirst().orElse(null);
    }

    /** "process 1116 (application "rc-dbkit migrate", role kit, client 10.0.0.7, since 22:09:43 UTC)" */
    String who() {
        return ServerActivity.process(pid, application, role, client, since == null ? null : since.substring(11, 19));
    }

    /** What it does now: the lock it waits for and who holds it, its progress, or nothing to say. */
    String doing() {
        if (seen == null || !seen.present() || seen.lock() == null && seen.progress() == null) return null;
        return seen.report();
    }

    Map<String, Object> json(String migration) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("migration", migration);
        m.put("pid", pid);
        m.put("application", application);
        m.put("role", role);
        m.put("client", client);
        m.put("since", since);
        m.put("lock", prisma ? "Prisma's migration lock" : "Flyway's advisory lock");
        m.put("doing", doing());
        return m;
    }
}
