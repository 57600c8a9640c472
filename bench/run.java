///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Benchmark: the kit against psql and Flyway's command line, medians and ratios in one run; writes bench/RESULTS.md.
//JAVA 17+
//SOURCES ../lib/EmbeddedServer.java ../lib/KitException.java ../lib/ExitCode.java

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * Runs each case several times on this machine against a local PostgreSQL, after a warm-up
 * (dependencies cached, scripts compiled, class archives written), and prints medians and ratios
 * against what an operator would otherwise use, measured in the same run.
 */
class run {
    static final Path KIT = Path.of("").toAbsolutePath().getFileName().toString().equals("bench") ? Path.of("..").toAbsolutePath().normalize() : Path.of("").toAbsolutePath();
    static final Path CORPORA = KIT.resolveSibling("shared").resolve("corpora");
    static final String FLYWAY_CLI = "12.4.0"; // the newest flyway-commandline whose dependencies Maven Central serves whole
    static int repeats = 5;
    static EmbeddedServer server;
    static int dbCounter;

    record Sample(double seconds, long rssKb, int exit, String output) {}

    record Row(String what, double median, long rssKb, String against, String target) {}

    static final List<Row> rows = new ArrayList<>();
    static final Map<String, Double> medians = new HashMap<>();

    public static void main(String[] args) throws Exception {
        if (args.length > 0) repeats = Integer.parseInt(args[0]);
        server = EmbeddedServer.start(17, null, true);
        try {
            benchmark();
        } finally {
            server.close();
        }
    }

    static String newDb() throws Exception {
        return server.createDatabase("b" + (++dbCounter));
    }

    static Map<String, String> env(String url) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.remove("DATABASE_URL");
        env.put("DIRECT_URL", url);
        env.put("ADMIN_SEED_EMAIL", "bench@example.com");
        env.put("ADMIN_SEED_PASSWORD", "bench-passphrase-long-enough");
        env.put("PGPASSWORD", server.password);
        env.put("FLYWAY_URL", "jdbc:postgresql://localhost:" + server.port() + "/" + url.substring(url.lastIndexOf('/') + 1));
        env.put("FLYWAY_USER", EmbeddedServer.USER);
        env.put("FLYWAY_PASSWORD", server.password);
        return env;
    }

    /** One timed run: wall clock, and the peak resident memory of the process (VmHWM, polled). */
    static Sample time(Map<String, String> env, Path dir, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(env);
        Path out = Files.createTempFile("bench", ".out");
        pb.redirectOutput(out.toFile());
        long t = System.nanoTime();
        Process p = pb.start();
        long peak = 0;
        Path status = Path.of("/proc", String.valueOf(p.pid()), "status");
        while (p.isAlive()) {
            try {
                String text = Files.readString(status);
                int at = text.indexOf("VmHWM:");
                if (at >= 0) peak = Math.max(peak, Long.parseLong(text.substring(at + 6, text.indexOf('k', at)).strip()));
            } catch (IOException | RuntimeException gone) {
                // exited between the check and the read
            }
            Thread.sleep(20);
        }
        double seconds = (System.nanoTime() - t) / 1e9;
        String output = Files.readString(out);
        Files.delete(out);
        return new Sample(seconds, peak, p.exitValue(), output);
    }

    /** What each kit case must print, so that a run that quietly did nothing cannot pass for a fast one. */
    static final Map<String, String> DID_THE_WORK = Map.of(
            "status (up to date) through ./jbang", "Database is up to date.",
            "status, also verifying the admin's argon2id hash", "Database is up to date.",
            "migrate, nothing to do, through ./jbang", "nothing to apply",
            "migrate --prisma: documenso's 163 migrations", "Applied 163 migrations",
            "migrate: the same SQL as Flyway-named files", "Applied 163 migrations",
            "Flyway " + FLYWAY_CLI + " command line migrate", "Successfully applied 163 migrations",
            "seed: production seeds (23 rows, one argon2id hash)", "Done: 23 inserted",
            "seed: 50,000 generated rows", "50000 inserted",
            "verify, end to end", "Verified:");

    /** The median of several runs; prepare() makes each run's database (not timed). */
    static Sample median(String what, Supplier<String> prepare, CommandFor command) throws Exception {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < repeats; i++) {
            String url = prepare.get();
            Sample s = command.run(url);
            if (s.exit() != 0) throw new IllegalStateException(what + " failed (exit " + s.exit() + "):\n" + s.output());
            String expected = DID_THE_WORK.get(what);
            if (expected != null && !s.output().contains(expected)) {
                throw new IllegalStateException(what + " exited 0 without saying \"" + expected + "\", so its time measures nothing:\n" + s.output());
            }
            samples.add(s);
        }
        samples.sort((a, b) -> Double.compare(a.seconds(), b.seconds()));
        Sample mid = samples.get(samples.size() / 2);
        long rss = samples.stream().mapToLong(Sample::rssKb).max().orElse(0);
        medians.put(what, mid.seconds());
        System.out.printf(Locale.ROOT, "  %-58s %7.2f s  %6.0f MiB%n", what, mid.seconds(), rss / 1024.0);
        return new Sample(mid.seconds(), rss, 0, mid.output());
    }

    interface CommandFor {
        Sample run(String url) throws Exception;
    }

    static void row(String what, Sample s, String against) {
        row(what, s, against, "");
    }

    /** A measured case with the target issue 8 sets for it, and whether this run met it. */
    static void row(String what, Sample s, String against, String target) {
        rows.add(new Row(what, s.seconds(), s.rssKb(), against, target));
    }

    static final double MIB = 1024.0;

    /** At most `seconds` wall (NaN: no limit), at most `rssMib` peak memory (0: none), no slower than `than` (NaN: no comparison). */
    static String target(Sample s, double seconds, double rssMib, double than, String thanWhat) {
        List<String> parts = new ArrayList<>();
        boolean met = true;
        if (!Double.isNaN(seconds)) {
            parts.add(String.format(Locale.ROOT, "≤ %.2f s", seconds));
            met &= s.seconds() <= seconds;
        }
        if (rssMib > 0) {
            parts.add(String.format(Locale.ROOT, "≤ %.0f MiB", rssMib));
            met &= s.rssKb() / MIB <= rssMib;
        }
        if (!Double.isNaN(than)) {
            parts.add("faster than " + thanWhat);
            met &= s.seconds() <= than;
        }
        return (met ? "met: " : "NOT met: ") + String.join(", ", parts);
    }

    static String ratio(String a, String b) {
        return String.format(Locale.ROOT, "%.2f× %s", medians.get(a) / medians.get(b), b);
    }

    static Supplier<String> fresh() {
        return () -> {
            try {
                return newDb();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }

    static String jbang() {
        return KIT.resolve("jbang").toString();
    }

    static void benchmark() throws Exception {
        Path flyway = flywayCli();
        Path documenso = CORPORA.resolve("documenso");
        if (!Files.isDirectory(documenso)) throw new IllegalStateException("the Prisma corpora are expected in " + CORPORA);
        Path work = Files.createTempDirectory("bench-");
        Path flywayNamed = flywayNamedCopy(documenso, work.resolve("flyway-migrations"));
        Path oneFile = work.resolve("documenso.sql");
        concatenate(documenso, oneFile);
        Path bigSeedKit = bigSeedKit(work.resolve("big"), 50_000);

        // a database that is up to date, for status and a no-op migrate
        String upToDate = newDb();
        System.out.println("Warming up (dependencies, compiled scripts, class archives)...");
        for (int i = 0; i < 3; i++) {
            for (String script : List.of("migrate.java", "seed.java", "status.java")) time(env(upToDate), KIT, jbang(), script);
        }
        time(env(upToDate), KIT, "java", "-cp", flyway + "/*", "org.flywaydb.commandline.Main", "info", "-locations=filesystem:" + KIT.resolve("migrations"));
        time(env(upToDate), KIT, jbang(), "verify.java");

        System.out.println("Measuring, median of " + repeats + ":");
        Supplier<String> same = () -> upToDate;
        Sample psqlSelect = median("psql -c 'select 1' (the floor)", same, url -> time(env(url), KIT, "psql", "-h", "localhost", "-p", "" + server.port(), "-U", "kit", "-d", dbName(url), "-qAtc", "select 1"));
        Sample status = median("status (up to date) through ./jbang", same, url -> time(withoutSecrets(env(url)), KIT, jbang(), "status.java"));
        Sample statusHash = median("status, also verifying the admin's argon2id hash", same, url -> time(env(url), KIT, jbang(), "status.java"));
        Sample flywayInfo = median("Flyway " + FLYWAY_CLI + " command line info", same, url -> time(env(url), KIT, "java", "-cp", flyway + "/*", "org.flywaydb.commandline.Main", "info", "-locations=filesystem:" + KIT.resolve("migrations")));
        Sample noop = median("migrate, nothing to do, through ./jbang", same, url -> time(env(url), KIT, jbang(), "migrate.java"));
        row("status, up to date", status, ratio("status (up to date) through ./jbang", "psql -c 'select 1' (the floor)") + "; " + ratio("status (up to date) through ./jbang", "Flyway " + FLYWAY_CLI + " command line info"),
                target(status, 1.0, 160, flywayInfo.seconds(), "Flyway's info"));
        row("status, up to date, verifying the admin's hash (ADMIN_SEED_PASSWORD set)", statusHash, ratio("status, also verifying the admin's argon2id hash", "Flyway " + FLYWAY_CLI + " command line info"),
                target(statusHash, Double.NaN, 160, flywayInfo.seconds(), "Flyway's info") + " (argon2id's cost is by design)");
        row("migrate, nothing to do", noop, ratio("migrate, nothing to do, through ./jbang", "Flyway " + FLYWAY_CLI + " command line info"),
                target(noop, 1.0, 160, flywayInfo.seconds(), "Flyway's info"));
        row("psql -c 'select 1'", psqlSelect, "the floor");
        row("Flyway command line info", flywayInfo, "");

        Sample psqlHistory = median("psql -1 -f: documenso's 163 migrations, one session", fresh(), url -> time(env(url), KIT, "psql", "-h", "localhost", "-p", "" + server.port(), "-U", "kit", "-d", dbName(url), "-q", "-v", "ON_ERROR_STOP=1", "-1", "-f", oneFile.toString()));
        Sample prisma = median("migrate --prisma: documenso's 163 migrations", fresh(), url -> time(env(url), KIT, jbang(), "migrate.java", "--prisma", documenso.toString()));
        Sample flywayNamedRun = median("migrate: the same SQL as Flyway-named files", fresh(), url -> time(env(url), work.resolve("flyway-kit"), jbang(), KIT.resolve("migrate.java").toString(), "--allow-destructive"));
        Sample flywayMigrate = median("Flyway " + FLYWAY_CLI + " command line migrate", fresh(), url -> time(env(url), KIT, "java", "-cp", flyway + "/*", "org.flywaydb.commandline.Main", "migrate", "-locations=filesystem:" + flywayNamed));
        double historyBudget = 1.3 * psqlHistory.seconds() + 1.0;
        row("migrate --prisma, 163 real migrations", prisma, ratio("migrate --prisma: documenso's 163 migrations", "psql -1 -f: documenso's 163 migrations, one session")
                + "; " + ratio("migrate --prisma: documenso's 163 migrations", "Flyway " + FLYWAY_CLI + " command line migrate"),
                target(prisma, historyBudget, 160, flywayMigrate.seconds(), "Flyway's migrate") + " (1.3× psql + 1 s)");
        row("migrate, same SQL as Flyway files", flywayNamedRun, ratio("migrate: the same SQL as Flyway-named files", "psql -1 -f: documenso's 163 migrations, one session")
                + "; " + ratio("migrate: the same SQL as Flyway-named files", "Flyway " + FLYWAY_CLI + " command line migrate"),
                target(flywayNamedRun, historyBudget, 160, flywayMigrate.seconds(), "Flyway's migrate") + " (1.3× psql + 1 s)");
        row("psql -1 -f, same SQL", psqlHistory, "the floor");
        row("Flyway command line migrate", flywayMigrate, "");

        Supplier<String> migrated = () -> {
            try {
                String url = newDb();
                Sample s = time(env(url), KIT, jbang(), "migrate.java");
                if (s.exit() != 0) throw new IllegalStateException(s.output());
                return url;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        Sample seed = median("seed: production seeds (23 rows, one argon2id hash)", migrated, url -> time(env(url), KIT, jbang(), "seed.java"));
        Sample big = median("seed: 50,000 generated rows", migrated, url -> time(env(url), bigSeedKit, jbang(), KIT.resolve("seed.java").toString(), "--only", "50_generated"));
        Path csv = bigSeedKit.resolve("rows.csv");
        Sample copy = median("psql \\copy of the same 50,000 rows", migrated, url -> time(env(url), KIT, "psql", "-h", "localhost", "-p", "" + server.port(), "-U", "kit", "-d", dbName(url), "-q", "-c",
                "\\copy \"FeatureFlag\" (key, enabled, category, description) from '" + csv + "' with (format csv)"));
        row("seed, production seeds", seed, "", target(seed, Double.NaN, 160, Double.NaN, ""));
        row("seed, 50,000 rows", big, ratio("seed: 50,000 generated rows", "psql \\copy of the same 50,000 rows"),
                target(big, 3 * copy.seconds(), 160, Double.NaN, "") + " (3× \\copy)");
        row("psql \\copy, 50,000 rows", copy, "the floor");

        Sample verify = median("verify, end to end", () -> "", url -> time(env(upToDate), KIT, jbang(), "verify.java"));
        row("verify, end to end", verify, "", target(verify, 12, 0, Double.NaN, ""));
        write();
    }

    /** As a deploy gate runs status: the URL, no admin password (so no argon2 verification). */
    static Map<String, String> withoutSecrets(Map<String, String> env) {
        Map<String, String> copy = new HashMap<>(env);
        copy.remove("ADMIN_SEED_PASSWORD");
        return copy;
    }

    static String dbName(String url) {
        return url.substring(url.lastIndexOf('/') + 1);
    }

    /** org.flywaydb:flyway-commandline with its dependencies, fetched with mvn into the user cache once. */
    static Path flywayCli() throws Exception {
        // Maven's nearest-wins would pick an older jackson-annotations than the Jackson 3 inside needs
        Path dir = Path.of(System.getProperty("user.home"), ".cache", "rc-dbkit", "flyway-commandline-" + FLYWAY_CLI + "-annotations-2.21");
        if (Files.isRegularFile(dir.resolve("ready"))) return dir.resolve("lib");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("pom.xml"), """
                <project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
                <groupId>local.rc-dbkit</groupId><artifactId>flyway-cli</artifactId><version>1</version><dependencies>
                <dependency><groupId>org.flywaydb</groupId><artifactId>flyway-commandline</artifactId><version>%1$s</version></dependency>
                <dependency><groupId>org.flywaydb</groupId><artifactId>flyway-database-postgresql</artifactId><version>%1$s</version></dependency>
                <dependency><groupId>org.postgresql</groupId><artifactId>postgresql</artifactId><version>42.7.14</version></dependency>
                <dependency><groupId>com.fasterxml.jackson.core</groupId><artifactId>jackson-annotations</artifactId><version>2.21</version></dependency>
                </dependencies></project>""".formatted(FLYWAY_CLI));
        System.out.println("Fetching Flyway's command line " + FLYWAY_CLI + " from Maven Central (once)...");
        Process p = new ProcessBuilder("mvn", "-q", "-B", "-f", dir.resolve("pom.xml").toString(), "dependency:copy-dependencies", "-DoutputDirectory=" + dir.resolve("lib"))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (p.waitFor() != 0) throw new IllegalStateException("mvn could not fetch flyway-commandline " + FLYWAY_CLI);
        Files.writeString(dir.resolve("ready"), "");
        return dir.resolve("lib");
    }

    static List<Path> migrationFiles(Path prismaFolder) throws IOException {
        try (var s = Files.list(prismaFolder)) {
            return s.filter(d -> Files.isRegularFile(d.resolve("migration.sql"))).sorted().map(d -> d.resolve("migration.sql")).toList();
        }
    }

    static Path flywayNamedCopy(Path prismaFolder, Path to) throws IOException {
        Files.createDirectories(to);
        int v = 0;
        for (Path f : migrationFiles(prismaFolder)) {
            Files.copy(f, to.resolve("V" + (++v) + "__" + f.getParent().getFileName().toString().replaceAll("[^A-Za-z0-9]", "_") + ".sql"));
        }
        Path kit = to.resolveSibling("flyway-kit");
        Files.createDirectories(kit);
        Files.createSymbolicLink(kit.resolve("migrations"), to);
        Files.createDirectories(kit.resolve("seeds"));
        return to;
    }

    static void concatenate(Path prismaFolder, Path to) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Path f : migrationFiles(prismaFolder)) sb.append(Files.readString(f)).append("\n;\n");
        Files.writeString(to, sb.toString());
    }

    /** A seed file of n feature flags, and the same rows as CSV for psql's \copy. */
    static Path bigSeedKit(Path dir, int n) throws IOException {
        Files.createDirectories(dir.resolve("seeds"));
        Files.createSymbolicLink(dir.resolve("migrations"), KIT.resolve("migrations"));
        StringBuilder json = new StringBuilder("{\"table\": \"FeatureFlag\", \"key\": [\"key\"], \"rows\": [\n");
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < n; i++) {
            json.append(i == 0 ? "" : ",\n").append("{\"key\": \"flag_").append(i).append("\", \"enabled\": ").append(i % 2 == 0)
                    .append(", \"category\": \"bench\", \"description\": \"Generated flag number ").append(i).append("\"}");
            csv.append("flag_").append(i).append(',').append(i % 2 == 0).append(",bench,Generated flag number ").append(i).append('\n');
        }
        Files.writeString(dir.resolve("seeds/50_generated.json"), json.append("\n]}\n").toString());
        Files.writeString(dir.resolve("rows.csv"), csv.toString());
        return dir;
    }

    static void write() throws Exception {
        StringBuilder md = new StringBuilder();
        md.append("# Benchmark results\n\n");
        md.append("Written by `./jbang bench/run.java` on ").append(java.time.LocalDate.now()).append(": medians of ").append(repeats)
                .append(" runs after a warm-up, against an embedded PostgreSQL ").append(serverVersion()).append(" on loopback.\n\n");
        md.append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ").append(memory()).append(", ").append(cpu())
                .append("; Java ").append(System.getProperty("java.version")).append("; JBang 0.132.1; Flyway command line ").append(FLYWAY_CLI)
                .append("; ").append(psqlVersion()).append(".\n\n");
        md.append("| case | median | peak RSS | ratio | target (issue 8) |\n|---|---:|---:|---|---|\n");
        for (Row r : rows) {
            md.append(String.format(Locale.ROOT, "| %s | %.2f s | %.0f MiB | %s | %s |%n", r.what(), r.median(), r.rssKb() / 1024.0, r.against(), r.target()));
        }
        md.append("\nTargets (issue 8): status and a no-op migrate at most 1.0 s and no slower than Flyway's `info`; ")
                .append("a long history at most 1.3× the psql floor plus 1 s and faster than Flyway; 50,000 rows within 3× `\\copy`; ")
                .append("verify at most 12 s; peak RSS of migrate, seed and status at most 160 MiB.\n");
        System.out.println();
        System.out.print(md);
        Files.writeString(KIT.resolve("bench/RESULTS.md"), md.toString());
    }

    static String serverVersion() throws Exception {
        Properties p = new Properties();
        p.setProperty("user", EmbeddedServer.USER);
        p.setProperty("password", server.password);
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + server.port() + "/postgres", p); var rs = c.createStatement().executeQuery("show server_version")) {
            rs.next();
            return rs.getString(1);
        }
    }

    static String memory() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemTotal:")) return Math.round(Long.parseLong(line.replaceAll("\\D", "")) / 1024.0 / 1024.0) + " GiB";
        }
        return "?";
    }

    static String cpu() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).strip();
        }
        return "?";
    }

    static String psqlVersion() throws Exception {
        Process p = new ProcessBuilder("psql", "--version").redirectErrorStream(true).start();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    }
}
