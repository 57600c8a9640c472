//SOURCES Cli.java Settings.java DatabaseTarget.java Database.java TransactionPooler.java KitException.java
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * A script that talks to a database: --url and --wait, and the one way every script takes from its
 * command line to the server: the URL found and parsed ({@link DatabaseTarget}), a transaction
 * pooler refused at once where the script cannot work through one ({@link TransactionPooler}), then
 * a {@link Database} that connects, bounded and retried, and checks each session it opens from the
 * server side as the same policy says.
 */
abstract class DatabaseCli extends Cli {
    @Option(names = "--url", paramLabel = "URL", description = "Database URL (postgresql://, postgres:// or jdbc:postgresql://). Default: DIRECT_URL, then DATABASE_URL, each from the environment, else from .env.")
    String url;

    @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "0s", description = "Keep retrying until the database answers, up to DURATION (e.g. 60s).")
    Duration wait;

    /** The database the script works on, under `policy`: nothing is connected yet. */
    Database database(Settings settings, String applicationName, TransactionPooler.Policy policy) {
        Watcher.doing(null); // this run's live lines start unnamed (a test thread may have run another script)
        DatabaseTarget target = target(settings);
        TransactionPooler.check(target, policy);
        return new Database(target, applicationName, wait, console(), policy);
    }

    /**
     * The first that is set of --url, DIRECT_URL, DATABASE_URL; the target's source says which,
     * and {@link DatabaseTarget#origin()} where it came from ("DIRECT_URL from .env") for the target line.
     */
    DatabaseTarget target(Settings settings) {
        String text;
        String source;
        if (url != null && !url.isBlank()) {
            text = url;
            source = "--url";
        } else if (settings.isSet("DIRECT_URL")) {
            text = settings.get("DIRECT_URL");
            source = "DIRECT_URL";
        } else if (settings.isSet("DATABASE_URL")) {
            text = settings.get("DATABASE_URL");
            source = "DATABASE_URL";
        } else {
            throw KitException.usage("no database URL: --url is not given, and " + settings.notSet("DIRECT_URL and DATABASE_URL") + "; "
                    + (settings.dotenvExists() ? "add DIRECT_URL=postgresql://... to it, set it in the environment, or pass --url."
                            : "run from the folder that holds .env, pass --dir or --env-file, or set DIRECT_URL in the environment."));
        }
        // each variable is read from the environment, then .env: DIRECT_URL from .env comes before DATABASE_URL from the environment
        if (source.equals("DIRECT_URL") && !settings.inEnvironment("DIRECT_URL") && settings.inEnvironment("DATABASE_URL")) {
            console().note("DATABASE_URL is set in the environment, but DIRECT_URL from " + settings.origin("DIRECT_URL")
                    + " comes first (each variable is read from the environment, then from .env); this run uses DIRECT_URL.");
        }
        DatabaseTarget target = DatabaseTarget.parse(text, source, source.equals("--url") ? null : settings.origin(source));
        if (target.password() != null) secrets.add(target.password());
        if (source.equals("--url") && target.password() != null) {
            console().note("the password in --url is visible in the process list; set DIRECT_URL or put it in .env to keep it private.");
        }
        return target;
    }
}
