//SOURCES Flight.java SecurityCatalog.java Console.java
import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Proof with the API roles' own eyes: every relation of a Data API schema that anon or authenticated
 * may read is read as that role, the way the Data API reads for a request without a signed-in user,
 * and the answer is only whether a row came back (LIMIT 1; never a value).
 *
 * <p>It rides in the caller's flight, inside status's read-only transaction: one DO block takes on
 * each role in turn (SET LOCAL ROLE, through set_config), with the JWT claims empty, so auth.uid(),
 * auth.role() and auth.jwt() are null: for anon, what the public key reads; for authenticated, what
 * every signed-in user reads whoever they are (rows a policy gives one user by auth.uid() are not
 * tried). Each read runs in a subtransaction, so one that fails is said (by its SQLSTATE only: an
 * error's text may quote a value) and the others go on; all of them together run under a short
 * statement timeout, and those the time did not reach are said not proven. A role that is not a
 * member of anon or authenticated cannot take it on: its proofs are said not made.
 */
final class ApiRoleProof {
    /** All the reads together, and the wait for one relation's lock. */
    static final Duration BUDGET = Duration.ofSeconds(3), LOCK = Duration.ofSeconds(1);

    /** One relation read as one role: rows 1 or 0, or null with why it was not proven. */
    record Read(String role, String schema, String relation, Integer rows, String notProven) {
        boolean rowsCame() {
            return rows != null && rows > 0;
        }
    }

    private static final String SETUP = """
            select set_config('rc_dbkit.exposed', ?::text[]::text, true),
                   set_config('rc_dbkit.timeouts', current_setting('statement_timeout') || ' ' || current_setting('lock_timeout'), true),
                   set_config('statement_timeout', '%d', true)""".formatted(BUDGET.toMillis());

    // no question mark in here: the driver would take it for a parameter
    private static final String READS = """
            do $rc_dbkit$
            declare
              r record;
              n int;
              said jsonb := '[]';
              back text := current_setting('role');
              out_of_time boolean := false;
            begin
              for r in
                select k.rolname::text as role, s.nspname::text as schema, c.relname::text as name,
                       quote_ident(s.nspname) || '.' || quote_ident(c.relname) as rel, pg_has_role(current_user, k.oid, 'MEMBER') as may
                from pg_roles k cross join pg_class c join pg_namespace s on s.oid = c.relnamespace
                where k.rolname in ('anon', 'authenticated') and c.relkind in ('r', 'p', 'v', 'm', 'f') and %s
                  and s.nspname = any(current_setting('rc_dbkit.exposed')::text[])
                  and has_schema_privilege(k.oid, s.oid, 'USAGE')
                  and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
                              and has_column_privilege(k.oid, c.oid, a.attnum, 'select'))
                order by 2, 3, 1
              loop
                if not r.may then
                  said := said || jsonb_build_object('role', r.role, 'schema', r.schema, 'name', r.name, 'not', 'member');
                elsif out_of_time then
                  said := said || jsonb_build_object('role', r.role, 'schema', r.schema, 'name', r.name, 'not', 'time');
                else
                  begin
                    perform set_config('lock_timeout', '%d', true);
                    perform set_config('request.jwt.claims', '', true), set_config('request.jwt.claim.sub', '', true),
                            set_config('request.jwt.claim.role', '', true), set_config('request.jwt.claim.email', '', true);
                    perform set_config('role', r.role, true);
                    execute 'select count(*) from (select from ' || r.rel || ' limit 1) s' into n;
                    perform set_config('role', back, true);
                    said := said || jsonb_build_object('role', r.role, 'schema', r.schema, 'name', r.name, 'rows', n);
                  exception
                    when query_canceled then
                      out_of_time := true;
                      said := said || jsonb_build_object('role', r.role, 'schema', r.schema, 'name', r.name, 'not', 'time');
                    when others then
                      said := said || jsonb_build_object('role', r.role, 'schema', r.schema, 'name', r.name, 'not', sqlstate);
                  end;
                end if;
              end loop;
              perform set_config('rc_dbkit.proof', said::text, true);
            end
            $rc_dbkit$;
            select set_config('statement_timeout', split_part(current_setting('rc_dbkit.timeouts'), ' ', 1), true),
                   set_config('lock_timeout', split_part(current_setting('rc_dbkit.timeouts'), ' ', 2), true),
                   current_setting('rc_dbkit.proof', true), current_user::text""".formatted(SecurityCatalog.OWN_SCHEMA.formatted("s"), LOCK.toMillis());

    /** The reads, added to a flight the caller sends (inside a read-only transaction); what each showed once it has been sent. */
    static Supplier<List<Read>> ask(Flight flight, Connection c, List<String> exposedSchemas) throws SQLException {
        flight.add(SETUP, rs -> {}, c.createArrayOf("text", exposedSchemas.toArray()));
        return flight.ask(READS, rs -> {
            rs.next();
            String who = rs.getString(4);
            List<Read> reads = new ArrayList<>();
            try {
                for (JsonNode n : Console.JSON.readTree(rs.getString(3))) {
                    String role = n.get("role").asText();
                    reads.add(new Read(role, n.get("schema").asText(), n.get("name").asText(), n.has("rows") ? n.get("rows").asInt() : null,
                            n.has("not") ? why(n.get("not").asText(), role, who) : null));
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new SQLException("the API roles' reads could not be read back: " + e.getOriginalMessage(), e);
            }
            return reads;
        });
    }

    private static String why(String not, String role, String who) {
        return switch (not) {
            case "member" -> "role " + who + " is not a member of " + role + ", so it cannot read as " + role + " (run status as postgres)";
            case "time" -> "the reads' " + BUDGET.toSeconds() + " s ran out first";
            case "55P03" -> "its lock was held by another session for longer than " + LOCK.toSeconds() + " s";
            case "42501" -> "reading it as " + role + " was refused (permission denied on something it reads)";
            default -> "reading it as " + role + " failed (SQLSTATE " + not + ")";
        };
    }

    private ApiRoleProof() {}
}
