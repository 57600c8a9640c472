//SOURCES MigrationFormat.java MigrationEngine.java MigrationFile.java ShadowServer.java ShadowSetup.java Phase.java Throwaway.java Database.java Console.java KitException.java
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The target's applied migrations, built on the shadow's database (set up by {@link ShadowSetup})
 * by the engine a real run uses: once the plan is read and before anything is applied, an
 * extension one of them creates that the shadow lacks is refused; then "building the copy: n/N
 * migrations" is said as a phase. An applied migration that does not rebuild there is not a
 * migration's failure (it applied on the target): it says the copy cannot be the target's, exit 5,
 * or exit 2 when the shadow lacks an extension the target has.
 */
final class ShadowBuild implements MigrationEngine.Progress {
    private final ShadowServer server;
    private final ShadowSetup setup;
    private final Set<String> available;
    private final Console console;
    private Phase phase;
    private MigrationFile current;
    private int done;

    ShadowBuild(ShadowServer server, ShadowSetup setup, Set<String> available, Console console) {
        this.server = server;
        this.setup = setup;
        this.available = available;
        this.console = console;
    }

    void apply(MigrationFormat format, String version) {
        try {
            format.applyTo(server.target("shadow"), "rc-dbkit shadow", version, MigrationFormat.Options.throwaway(Duration.ofMinutes(1), Duration.ZERO), this);
            if (phase != null) phase.done();
        } catch (KitException | SQLException e) {
            Throwaway.holdIfLeaving();
            if (e instanceof KitException k && (current == null || k.exitCode == ExitCode.USAGE)) throw k;
            throw notRebuilt(e);
        } finally {
            if (phase != null) phase.close();
        }
    }

    /** The plan on the shadow's empty database: every applied migration; one that creates an extension the shadow lacks is refused before it runs. */
    @Override
    public void planned(MigrationEngine.Plan plan) {
        try {
            setup.refuseMissingExtensions(available, plan.pending(), List.of());
        } catch (SQLException e) {
            throw KitException.unreachable("lost the connection to the target while reading its extensions: " + Database.firstLine(e.getMessage()), e);
        }
        phase = Phase.counting(console, "building the copy", plan.pending().size(), plan.pending().size() == 1 ? "migration" : "migrations");
    }

    @Override
    public void applying(MigrationFile m) {
        current = m;
    }

    @Override
    public void applied(MigrationFile m, long ms) {
        phase.step(++done);
    }

    /** The sentence for an applied migration that failed on the shadow: why the copy cannot be the target's, and what to do. */
    private KitException notRebuilt(Exception e) {
        Throwable cause = e instanceof SQLException ? e : e.getCause();
        String why = cause instanceof SQLException s ? Database.firstLine(s.getMessage()) : Database.firstLine(e.getMessage());
        String which = current == null ? "the applied migrations" : current.name + ", applied on the target,";
        List<String> lacking = setup.lackedExtensions(available);
        if (!lacking.isEmpty()) {
            return KitException.usage(which + " did not apply on " + server.describe() + " (" + why + "), which lacks the target's extension"
                    + (lacking.size() == 1 ? " " : "s ") + String.join(", ", lacking) + ": " + server.remedy() + ".");
        }
        return KitException.drift(which + " did not apply on " + server.describe() + " (" + why + "), so the copy cannot be the target's: the target had, before"
                + " that migration, something no migration makes here (an object made by hand, or the platform's, such as Supabase's auth schema)."
                + (server instanceof ShadowServer.Embedded ? " For the platform's, give --shadow-url a PostgreSQL that has it (such as the local database of `supabase start`)." : ""));
    }
}
