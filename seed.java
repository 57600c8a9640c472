///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Seed the operational data in seeds/*.json (admin, feature flags, point configs, email templates), idempotently.
//JAVA 17+
//SOURCES lib/DatabaseCli.java lib/SeedFile.java lib/SeedValue.java lib/SeedCatalog.java lib/Seeder.java lib/SeedUpsert.java lib/SeedTransaction.java lib/SeedRules.java lib/PasswordHasher.java lib/SqlScript.java lib/Interruption.java
//RUNTIME_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -Xmx96m -Xlog:disable -Xlog:all=error:stderr
//JAVAC_OPTIONS -XDstringConcat=inline
//CDS

import java.nio.file.Path;
import java.time.Duration;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "seed", mixinStandardHelpOptions = true, version = Cli.VERSION,
        description = "Seed the rows in seeds/*.json, in file-name order, in one transaction: rows that exist are left alone (insert-missing) or brought back to the file (upsert).",
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
            "0:done, or nothing to do",
            "2:bad option, no URL, an invalid seed file, a missing or weak secret, or --reset-admin-password in a run without the admin's seed file",
            "3:the database could not be reached or refused the login, or the link went silent mid-run (nothing was written), or the connection was lost while committing (the sentence says whether the run was committed)",
            "4:a seed statement failed, or another seed held the lock past --lock-wait; the whole run was rolled back",
            "5:a seed table or column does not exist in the database (run migrate first)",
            "130:interrupted (Ctrl-C, SIGTERM): the running statement was cancelled on the server, the lock released, and nothing written (or, while committing, what was found out)"})
public class seed extends DatabaseCli {

    @Option(names = "--dry-run", description = "Do the whole run, then roll it back: an exact preview.")
    boolean dryRun;

    @Option(names = "--dev", description = "Also seed seeds/dev/ (test admin and members); only for a database on this machine.")
    boolean dev;

    @Option(names = "--only", paramLabel = "NAME", description = "Seed only this file (e.g. 02_feature_flags or feature_flags); repeatable.")
    List<String> only = new ArrayList<>();

    @Option(names = "--skip", paramLabel = "NAME", description = "Leave this file out; repeatable.")
    List<String> skip = new ArrayList<>();

    @Option(names = "--reset-admin-password", description = "Set the admin's password again from ADMIN_SEED_PASSWORD (a new argon2id hash) when the admin exists with another; without it an admin that exists keeps its password.")
    boolean resetAdminPassword;

    @Option(names = "--lock-wait", paramLabel = "DURATION", defaultValue = "60s",
            description = "How long to wait for another seed that holds seed's lock (default 60s; 0s gives up at once).")
    Duration lockWait;

    public static void main(String[] args) {
        System.exit(Cli.main(new seed(), args));
    }

    @Override
    public Integer call() {
        try {
            return seed();
        } catch (KitException e) {
            throw Secrets.scrub(e, secrets); // a sentence may quote a value that came from a secret variable
        }
    }

    private Integer seed() {
        long started = System.nanoTime();
        Console console = console();
        Settings settings = settings();
        for (String variable : List.of("ADMIN_SEED_PASSWORD", "ADMIN_SEED_EMAIL")) {
            if (settings.get(variable) != null) secrets.add(settings.get(variable)); // swapped, the e-mail variable holds the password
        }
        Database database = database(settings, "rc-dbkit seed", TransactionPooler.Policy.WORK_THROUGH);
        DatabaseTarget target = database.target;
        if (dev && !target.isLocal()) {
            throw KitException.usage("--dev seeds test accounts with known passwords, so it only runs against a database on this machine, not " + target.hostAndPort() + ".");
        }
        Path root = SeedFile.root(dir);
        List<SeedFile> files = new ArrayList<>();
        SeedValue.Budget budget = new SeedValue.Budget(); // one for the whole run: all its files are held until the commit
        for (Path path : SeedRules.select(SeedFile.list(root, dev), root, only, skip)) {
            SeedFile file = SeedFile.load(path, root, settings, secrets::add, budget);
            SeedRules.checkSecrets(file, file.name().startsWith("dev/"));
            files.add(file);
        }
        if (files.isEmpty()) throw KitException.usage("no seed files to apply in " + root + " (after --only/--skip).");
        if (resetAdminPassword && files.stream().noneMatch(SeedUpsert::setsAdminPasswords)) {
            throw KitException.usage("--reset-admin-password sets the admin's password from the seed file for \"" + SeedUpsert.ADMIN_TABLE
                    + "\", and no file of this run sets one (after --only/--skip); seed that file too, or leave the option out.");
        }
        console.debug("read and checked " + files.size() + " seed files in " + Durations.since(started));

        console.line("Target   " + target.masked() + " (" + target.origin() + (target.looksLikeTransactionPooler() ? ", transaction pooler)" : ")"));
        List<Seeder.Outcome> outcomes = new ArrayList<>();
        try (Connection c = database.connect()) {
            SeedTransaction run = new SeedTransaction(database, c);
            SeedFile current = null;
            try (Interruption watching = Interruption.watch(database, console, run::interrupted)) {
                long checking = System.nanoTime();
                List<SeedCatalog.Checked> checked = run.begin(files, lockWait, console::note);
                console.debug("locked and checked the files against the catalog in " + Durations.since(checking));
                Seeder seeder = new Seeder(c, new PasswordHasher(), checked, resetAdminPassword);
                for (SeedCatalog.Checked each : checked) {
                    current = each.file();
                    Watcher.doing(current.name()); // the live line of a write that waits
                    long t = System.nanoTime();
                    Seeder.Outcome o = seeder.apply(each);
                    outcomes.add(o);
                    console.line(String.format("%-8s %-28s %-16s %s (%s)", dryRun ? "Would" : "Seeded", o.file().name(), "\"" + o.file().table() + "\"",
                            counts(o.inserted(), o.updated(), o.unchanged()), Durations.since(t)));
                    passwords(o);
                }
                current = null;
                long committing = System.nanoTime();
                if (dryRun) c.rollback(); else run.commit(console, target.hostAndPort());
                console.debug((dryRun ? "rolled back" : "committed") + " in " + Durations.since(committing));
            } catch (SQLException e) {
                Database.rollbackQuietly(c);
                String where = current == null ? "checking the seed tables" : current.name();
                if (e instanceof WatchedConnection.SilentLink link) throw KitException.unreachable(where + " was cut off: " + link.getMessage()
                        + (link.inTransaction ? "; the whole run was rolled back and nothing was written." : "; the server had ended the transaction, so run status to see whether the rows were written."), e);
                throw KitException.failed(where + " failed: " + Secrets.scrub(Database.firstLine(e.getMessage()), secrets)
                        + "; the whole run was rolled back and nothing was written.", e);
            } catch (RuntimeException e) {
                Database.rollbackQuietly(c);
                throw e;
            }
        } catch (SQLException e) {
            throw KitException.unreachable("lost the connection to " + target.hostAndPort() + ": " + Database.firstLine(e.getMessage()) + "; nothing was written.", e);
        }

        int inserted = outcomes.stream().mapToInt(Seeder.Outcome::inserted).sum();
        int updated = outcomes.stream().mapToInt(Seeder.Outcome::updated).sum();
        int unchanged = outcomes.stream().mapToInt(Seeder.Outcome::unchanged).sum();
        console.line((dryRun ? "Dry run, rolled back: would have " : "Done: ") + counts(inserted, updated, unchanged)
                + " across " + outcomes.size() + " file" + (outcomes.size() == 1 ? "" : "s") + " in " + Durations.since(started)
                + (dryRun ? "; nothing was written." : (inserted + updated == 0 ? "; nothing needed changing." : ".")));
        if (console.json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("ok", true);
            doc.put("target", target.masked());
            doc.put("targetSource", target.origin());
            doc.put("dryRun", dryRun);
            List<Map<String, Object>> list = new ArrayList<>();
            for (Seeder.Outcome o : outcomes) {
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("file", o.file().name());
                f.put("table", o.file().table());
                f.put("mode", o.file().mode() == SeedFile.Mode.UPSERT ? "upsert" : "insert-missing");
                f.put("inserted", o.inserted());
                f.put("updated", o.updated());
                f.put("unchanged", o.unchanged());
                if (o.file().rows().stream().anyMatch(SeedFile.Row::hashes)) f.put("otherPasswords", o.otherPasswords());
                list.add(f);
            }
            doc.put("files", list);
            doc.put("inserted", inserted);
            doc.put("updated", updated);
            doc.put("unchanged", unchanged);
            doc.put("elapsedMs", (System.nanoTime() - started) / 1_000_000);
            console.document(doc);
        }
        return ExitCode.OK;
    }

    /** What became of the passwords of rows that existed: kept (said, so a changed ADMIN_SEED_PASSWORD is not taken for a reset), or set again. */
    private void passwords(Seeder.Outcome o) {
        boolean reset = resetAdminPassword && SeedUpsert.setsAdminPasswords(o.file());
        int n = o.otherPasswords();
        String passwords = n == 1 ? "1 password" : n + " passwords";
        if (reset && n > 0) {
            console().line("         " + o.file().name() + ": " + passwords + " set again from the seed file with a new argon2id hash, as --reset-admin-password asks"
                    + (dryRun ? " (rolled back: dry run)" : "") + ".");
        } else if (reset) {
            console().line("         " + o.file().name() + ": --reset-admin-password: the password already is the seed file's (its hash verifies); kept.");
        } else if (n > 0) {
            console().note(o.file().name() + ": " + passwords + " in \"" + o.file().table() + "\" " + (n == 1 ? "is" : "are")
                    + " not the seed file's (changed since it was seeded, in the app perhaps); seed keeps " + (n == 1 ? "it" : "them")
                    + (o.file().table().equals(SeedUpsert.ADMIN_TABLE) ? ": seed --reset-admin-password sets the admin's again." : "."));
        }
    }

    private String counts(int inserted, int updated, int unchanged) {
        return inserted + " " + (dryRun ? "to insert" : "inserted") + ", " + updated + " " + (dryRun ? "to update" : "updated") + ", " + unchanged + " unchanged";
    }

}
