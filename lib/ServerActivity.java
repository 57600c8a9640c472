//SOURCES Console.java Durations.java
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the server says a session is doing, in one expression of one query: its state, the lock it
 * waits for and the sessions holding it (pg_blocking_pids, with their application, role, client,
 * state and for how long), and the progress of a CREATE INDEX, CLUSTER or VACUUM FULL, VACUUM,
 * ANALYZE or COPY. Names of relations, roles and applications only: never a query's text, which may
 * carry row values.
 */
final class ServerActivity {

    /** A session that holds what another waits for. state null: hidden from this role (pg_read_all_stats shows it). */
    record Holder(int pid, String application, String role, String client, String state, double stateSeconds, String since) {
        String describe() {
            String head = process(pid, application, role, client, null);
            if (state == null) return head + ", its state hidden from this role (pg_read_all_stats shows it)";
            String how = state.equals("active") ? "running a statement" : state;
            return head + ", " + how + " for " + seconds(stateSeconds) + (since == null ? "" : " (since " + since + " UTC)");
        }

        /** One of the kit's own sessions: application rc-dbkit ... */
        boolean kits() {
            return application != null && application.startsWith("rc-dbkit");
        }
    }

    /** The lock a session waits for. */
    record Lock(String type, String relation, String mode, long key) {
        String describe() {
            return switch (type) {
                case "relation" -> mode + " on " + named(relation);
                case "transactionid", "tuple" -> "a row lock (another transaction holds rows it must change)";
                case "advisory" -> key == 72707369L ? "Prisma's migration lock" : "an advisory lock";
                default -> mode + " (" + type + ")";
            };
        }
    }

    /** A progress view's row: done of total in its unit, and rows where the view counts them. */
    record Progress(String command, String relation, String phase, long done, long total, String unit, long tuplesDone, long tuplesTotal) {
        String describe() {
            String what = command + (relation == null ? "" : " on " + named(relation));
            String phase = this.phase == null ? "" : "; " + this.phase;
            if (tuplesTotal > 0) return what + " " + percent() + "% (" + tuplesDone + " of " + tuplesTotal + " rows" + phase + ")";
            if (total > 0) return what + " " + percent() + "% (" + done + " of " + total + " " + unit + phase + ")";
            return what + " (" + (tuplesDone > 0 ? tuplesDone + " rows" + phase : this.phase == null ? "started" : this.phase) + ")";
        }

        /** Per cent done, rows where counted, else the unit; -1 when the view gives no total yet. */
        int percent() {
            if (tuplesTotal > 0) return (int) Math.min(100, tuplesDone * 100 / tuplesTotal);
            return total > 0 ? (int) Math.min(100, done * 100 / total) : -1;
        }
    }

    /** What was read of a session; present false: the server has no session with that process id. */
    record Seen(boolean present, String state, double stateSeconds, Lock lock, List<Holder> holders, Progress progress) {
        static final Seen GONE = new Seen(false, null, 0, null, List.of(), null);

        /** What the session does, for the live line: the lock and who holds it, the progress, or that it runs. */
        String report() {
            if (lock != null) return "waiting for " + lock.describe() + (holders.isEmpty() ? "" : ", held by " + holdersSaid());
            if (progress != null) return progress.describe();
            if (idle()) return "no reply yet, though the server says the session has been " + state + " for " + seconds(stateSeconds);
            return "running";
        }

        String holdersSaid() {
            return String.join("; ", holders.stream().map(Holder::describe).toList());
        }

        /** Idle, with or without a transaction: the server is not working on a statement of this session. */
        boolean idle() {
            return state != null && state.startsWith("idle");
        }
    }

    /**
     * The expression, for the pg_stat_activity row `a` of the session: one json document. Relations
     * are named by regclass, so as the session's search path shows them.
     */
    static final String JSON = """
            json_build_object('state', a.state, 'stateSeconds', extract(epoch from clock_timestamp() - a.state_change),
              'lock', (select json_build_object('type', l.locktype, 'relation', l.relation::regclass::text, 'mode', l.mode,
                         'key', (coalesce(l.classid, 0)::bigint << 32) | coalesce(l.objid, 0)::bigint)
                       from pg_locks l where l.pid = a.pid and not l.granted limit 1),
              'holders', (select json_agg(json_build_object('pid', b.pid, 'application', nullif(b.application_name, ''), 'role', b.usename,
                           'client', host(b.client_addr), 'state', b.state, 'stateSeconds', extract(epoch from clock_timestamp() - b.state_change),
                           'since', to_char(b.state_change at time zone 'UTC', 'HH24:MI:SS')) order by b.pid)
                          from pg_stat_activity b where b.pid = any(pg_blocking_pids(a.pid))),
              'progress', coalesce(
                (select json_build_object('command', p.command, 'relation', p.relid::regclass::text, 'phase', p.phase, 'done', p.blocks_done,
                   'total', p.blocks_total, 'unit', 'blocks', 'tuplesDone', p.tuples_done, 'tuplesTotal', p.tuples_total)
                 from pg_stat_progress_create_index p where p.pid = a.pid),
                (select json_build_object('command', p.command, 'relation', p.relid::regclass::text, 'phase', p.phase, 'done', p.heap_blks_scanned,
                   'total', p.heap_blks_total, 'unit', 'blocks', 'tuplesDone', p.heap_tuples_written)
                 from pg_stat_progress_cluster p where p.pid = a.pid),
                (select json_build_object('command', 'VACUUM', 'relation', p.relid::regclass::text, 'phase', p.phase, 'done', p.heap_blks_scanned,
                   'total', p.heap_blks_total, 'unit', 'blocks') from pg_stat_progress_vacuum p where p.pid = a.pid),
                (select json_build_object('command', 'ANALYZE', 'relation', p.relid::regclass::text, 'phase', p.phase, 'done', p.sample_blks_scanned,
                   'total', p.sample_blks_total, 'unit', 'blocks') from pg_stat_progress_analyze p where p.pid = a.pid),
                (select json_build_object('command', p.command, 'relation', p.relid::regclass::text, 'phase', p.type, 'done', p.bytes_processed,
                   'total', p.bytes_total, 'unit', 'bytes', 'tuplesDone', p.tuples_processed) from pg_stat_progress_copy p where p.pid = a.pid)))::text""";

    /** One session, by its server process id (the one parameter): no row when the server has no such session. */
    static final String QUERY = "select " + JSON + " from pg_stat_activity a where a.pid = ?";

    /** Reads the document {@link #JSON} gave; null text: the session is gone. */
    static Seen read(String json) {
        if (json == null) return Seen.GONE;
        try {
            JsonNode n = Console.JSON.readTree(json);
            Lock lock = null;
            JsonNode l = n.get("lock");
            if (l != null && !l.isNull()) lock = new Lock(text(l, "type"), text(l, "relation"), text(l, "mode"), l.path("key").asLong());
            List<Holder> holders = new ArrayList<>();
            for (JsonNode h : n.path("holders")) {
                holders.add(new Holder(h.path("pid").asInt(), text(h, "application"), text(h, "role"), text(h, "client"), text(h, "state"),
                        h.path("stateSeconds").asDouble(), text(h, "since")));
            }
            Progress progress = null;
            JsonNode p = n.get("progress");
            if (p != null && !p.isNull()) {
                progress = new Progress(text(p, "command"), text(p, "relation"), text(p, "phase"), p.path("done").asLong(), p.path("total").asLong(),
                        text(p, "unit"), p.path("tuplesDone").asLong(), p.path("tuplesTotal").asLong());
            }
            return new Seen(true, text(n, "state"), n.path("stateSeconds").asDouble(), lock, List.copyOf(holders), progress);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("the server's activity document did not parse", e);
        }
    }

    /** "process 4242 (application "billing-api", role app, client 10.0.0.7, since 22:09:43 UTC)": what is known of a session. */
    static String process(int pid, String application, String role, String client, String since) {
        List<String> who = new ArrayList<>();
        if (application != null) who.add("application \"" + application + "\"");
        if (role != null) who.add("role " + role);
        if (client != null) who.add("client " + client);
        if (since != null) who.add("since " + since + " UTC");
        return "process " + pid + (who.isEmpty() ? "" : " (" + String.join(", ", who) + ")");
    }

    /** A relation as regclass names it; only its number when another transaction created it and has not committed yet. */
    private static String named(String relation) {
        if (relation == null) return "a relation";
        return relation.chars().allMatch(Character::isDigit) ? "a table not yet committed" : relation;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** 3.2 s, 3 m 12 s: as the kit writes durations. */
    static String seconds(double s) {
        return Durations.format(Duration.ofMillis(Math.max(0, Math.round(s * 1000))));
    }

    private ServerActivity() {}
}
