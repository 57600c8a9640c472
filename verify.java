///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Run the whole flow (migrate, seed, seed again, status) on a throwaway embedded PostgreSQL.
//JAVA 17+
//SOURCES migrate.java seed.java status.java lib/EmbeddedServer.java lib/Phase.java

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "verify", mixinStandardHelpOptions = true, version = Cli.VERSION,
        description = "Start a throwaway PostgreSQL, then run the real migrate, seed, seed again (must change nothing) and status (must be up to date) against it.",
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
            "0:every check held",
            "2:bad option",
            "4:a step failed (named in the output)",
            "5:a step found the repository and the database disagreeing"})
public class verify extends Cli {

    @Option(names = "--pg-version", paramLabel = "MAJOR", defaultValue = "17", description = "PostgreSQL major version: 15, 16 or 17 (default 17).")
    int pgVersion;

    @Option(names = "--keep", description = "Keep the throwaway server's folder (readable by you alone) and say how to open it.")
    boolean keep;

    private final List<String> failures = new ArrayList<>();

    public static void main(String[] args) {
        System.exit(Cli.main(new verify(), args));
    }

    @Override
    public Integer call() throws Exception {
        long started = System.nanoTime();
        Console console = console();
        Settings settings = settings();
        Map<String, String> env = new HashMap<>(environment);
        boolean generated = false;
        if (settings.get("ADMIN_SEED_EMAIL") == null || settings.get("ADMIN_SEED_PASSWORD") == null) {
            env.put("ADMIN_SEED_EMAIL", "verify-admin@example.com");
            env.put("ADMIN_SEED_PASSWORD", Base64.getUrlEncoder().withoutPadding().encodeToString(new SecureRandom().generateSeed(18)));
            generated = true;
        }
        secrets.add(env.get("ADMIN_SEED_PASSWORD"));

        long t = System.nanoTime();
        EmbeddedServer server;
        try (Phase phase = Phase.start(console, "starting the throwaway PostgreSQL " + pgVersion)) {
            server = EmbeddedServer.start(pgVersion, console::note);
            phase.done();
        }
        try (server) {
            secrets.addAll(server.secrets());
            String url = server.createDatabase("verify");
            env.put("DIRECT_URL", url);
            env.remove("DATABASE_URL");
            console.line(String.format("%-40s ok  (%s)", "Start PostgreSQL " + pgVersion + " on port " + server.port(), Durations.since(t)));
            if (generated) console.line("  (admin: verify-admin@example.com with a generated password)");

            String dirArg = dir.toString();
            int code = step("Migrate", new migrate(), env, "--dir", dirArg);
            if (code == 0) code = step("Seed", new seed(), env, "--dir", dirArg);
            if (code == 0) {
                String before = fingerprint(server);
                code = step("Seed again (must change nothing)", new seed(), env, "--dir", dirArg, "--json");
                int inserted = lastJson.path("inserted").asInt(), updated = lastJson.path("updated").asInt();
                if (code == 0 && inserted + updated > 0) {
                    fail("the second seed run changed rows (" + inserted + " inserted, " + updated + " updated)");
                    code = ExitCode.FAILED;
                } else if (code == 0 && !before.equals(fingerprint(server))) {
                    fail("the second seed run changed the data (the tables' checksums differ)");
                    code = ExitCode.FAILED;
                }
            }
            if (code == 0) {
                code = step("Status and schema drift (must be none)", new status(), env, "--dir", dirArg, "--json", "--schema");
                if (code != 0) fail("status says: " + lastJson.path("verdict").asText());
            }
            if (keep) keep(server);
            String verdict = code == 0
                    ? "Verified: the migrations and seeds in this kit work together (" + Durations.since(started) + ")."
                    : "Verification failed: " + String.join("; ", failures) + ".";
            console.line("");
            console.line(verdict);
            return code == 0 ? ExitCode.OK : code == ExitCode.DRIFT ? ExitCode.DRIFT : ExitCode.FAILED;
        }
    }

    /**
     * --keep: the folder stays, stopped with this run, readable by this user alone; what it is and how
     * to open it again: its own pg_ctl, the socket in the data folder, the superuser's password in a
     * pgpass file beside it (never printed).
     */
    private void keep(EmbeddedServer server) throws java.io.IOException {
        Path pgpass = server.keep();
        Path data = server.folder().resolve("data");
        // PostgreSQL will not start as root; zonky runs it in a user namespace of its own there (unshare -U), and so may you
        String bin = ("root".equals(System.getProperty("user.name")) ? "unshare -U " : "") + (server.binaries() == null ? "" : server.binaries() + "/");
        console().line("Kept " + server.folder() + " (readable by you alone): a PostgreSQL " + pgVersion + " data folder, stopped with this run. To look inside,"
                + " start it with its socket in that folder (" + bin + "pg_ctl -D " + data + " -o \"-p 5433 -k " + data + "\" start) and connect as the superuser " + EmbeddedServer.SUPERUSER
                + ", whose password is in " + pgpass + " (PGPASSFILE=" + pgpass + " psql -h " + data + " -p 5433 -U " + EmbeddedServer.SUPERUSER + " verify)."
                + " No later run removes it; delete the folder when done.");
    }

    private JsonNode lastJson = Console.JSON.createObjectNode();

    /** Runs one of the kit's own scripts in-process, exactly as its main would; what it says on stderr is passed on as it says it. */
    private int step(String name, Cli command, Map<String, String> env, String... args) throws Exception {
        StringWriter out = new StringWriter();
        long t = System.nanoTime();
        int code;
        try (Phase phase = Phase.start(console(), name.toLowerCase(java.util.Locale.ROOT).replaceAll(" \\(.*", "")); PrintWriter err = new PrintWriter(new Indented(console().err, secrets), true)) {
            code = Cli.run(command, env, new PrintWriter(out), err, args);
            if (code == 0) phase.done();
        }
        boolean json = List.of(args).contains("--json");
        if (json && !out.toString().isBlank()) lastJson = Console.JSON.readTree(out.toString());
        console().line(String.format("%-40s %s (%s)", name, code == 0 ? "ok " : "FAILED, exit " + code, Durations.since(t)));
        if (!json || console().verbose || code != 0) {
            for (String line : out.toString().split("\n")) if (!line.isBlank() && !json) console().line("    " + line);
        }
        if (code != 0) fail(name.toLowerCase(java.util.Locale.ROOT).replaceAll(" \\(.*", "") + " exited with " + code);
        return code;
    }

    /** A step's stderr, line by line as it comes, indented under verify's own and with every known secret hidden. */
    private static final class Indented extends java.io.Writer {
        private final PrintWriter to;
        private final List<String> secrets;
        private final StringBuilder line = new StringBuilder();

        Indented(PrintWriter to, List<String> secrets) {
            this.to = to;
            this.secrets = secrets;
        }

        @Override
        public synchronized void write(char[] chars, int off, int len) {
            for (int i = off; i < off + len; i++) {
                if (chars[i] != '\n') {
                    line.append(chars[i]);
                    continue;
                }
                if (!line.toString().isBlank()) to.println("    " + Secrets.scrub(line.toString(), secrets));
                to.flush();
                line.setLength(0);
            }
        }

        @Override
        public void flush() {}

        @Override
        public synchronized void close() {
            write(new char[] {'\n'}, 0, 1);
        }
    }

    private void fail(String why) {
        failures.add(why);
    }

    /** md5 of every app table's rows, to prove a re-run left them byte for byte as they were. */
    private static String fingerprint(EmbeddedServer server) throws Exception {
        StringBuilder sb = new StringBuilder();
        try (Connection c = server.admin("verify"); var st = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("select quote_ident(tablename) from pg_tables where schemaname = 'public' order by 1")) {
                while (rs.next()) tables.add(rs.getString(1));
            }
            for (String table : tables) {
                try (ResultSet rs = st.executeQuery("select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from " + table + " t")) {
                    rs.next();
                    sb.append(table).append('=').append(rs.getString(1)).append(';');
                }
            }
        }
        return sb.toString();
    }
}
