//SOURCES Flight.java SecurityCatalog.java ApiRoleProof.java SecurityFinding.java SecurityLint.java RelationLints.java PolicyLints.java RoutineLints.java
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

/**
 * Every security check of Supabase's advisor, in one place: status asks it in its flight, with the
 * API roles' reads; migrate --rehearse asks it of the copy, from the catalog alone.
 */
final class SecurityAdvisor {

    /** What the checks found: the API roles present (none: not Supabase), the findings most severe first, the reads, the platform's schemas left out. */
    record Advice(List<String> apiRoles, List<SecurityFinding> findings, List<ApiRoleProof.Read> reads, List<String> platformSchemas) {
        boolean supabase() {
            return !apiRoles.isEmpty();
        }

        List<SecurityFinding> at(SecurityLint.Level level) {
            return findings.stream().filter(f -> f.level() == level).toList();
        }
    }

    /** Status's questions, added to a flight the caller sends inside its read-only transaction: the catalog's and the API roles' reads. */
    static Supplier<Advice> ask(Flight flight, Connection c, List<String> exposedSchemas) throws SQLException {
        Supplier<List<String>> roles = apiRoles(flight);
        Supplier<SecurityCatalog.Facts> facts = SecurityCatalog.ask(flight, c, exposedSchemas);
        Supplier<List<ApiRoleProof.Read>> reads = ApiRoleProof.ask(flight, c, exposedSchemas);
        return () -> advise(roles.get(), facts.get(), reads.get(), exposedSchemas);
    }

    /** The checks on a database whose rows prove nothing (the rehearsal's copy): the catalog's questions, in one round trip. */
    static Advice check(Connection c, List<String> exposedSchemas) throws SQLException {
        Flight flight = new Flight();
        Supplier<List<String>> roles = apiRoles(flight);
        Supplier<SecurityCatalog.Facts> facts = SecurityCatalog.ask(flight, c, exposedSchemas);
        flight.send(c);
        return advise(roles.get(), facts.get(), List.of(), exposedSchemas);
    }

    private static Supplier<List<String>> apiRoles(Flight flight) {
        return flight.ask("select rolname::text from pg_roles where rolname in ('anon', 'authenticated') order by 1", rs -> {
            List<String> roles = new ArrayList<>();
            while (rs.next()) roles.add(rs.getString(1));
            return roles;
        });
    }

    private static Advice advise(List<String> roles, SecurityCatalog.Facts facts, List<ApiRoleProof.Read> reads, List<String> exposedSchemas) {
        List<String> platform = facts.facts("platform schema").stream().map(SecurityCatalog.Fact::schema).toList();
        if (roles.isEmpty()) return new Advice(roles, List.of(), List.of(), platform);
        List<SecurityFinding> findings = new ArrayList<>(new RelationLints(facts, reads, exposedSchemas).check());
        findings.addAll(PolicyLints.check(facts));
        findings.addAll(RoutineLints.check(facts));
        findings.sort(Comparator.comparing(SecurityFinding::level)); // stable: each level keeps the catalog's order
        return new Advice(roles, List.copyOf(findings), reads, platform);
    }

    private SecurityAdvisor() {}
}
