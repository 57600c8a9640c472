///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Benchmark: the kit beside psql, Flyway's command line and dbmate, over TLS with SCRAM, on loopback and through a 20 ms delay proxy; round trips per command; writes bench/RESULTS.md.
//JAVA 17+
//SOURCES ../lib/EmbeddedServer.java ../lib/KitException.java ../lib/ExitCode.java DelayProxy.java ProtocolTrace.java RehearsalCases.java

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Runs each case against one PostgreSQL that connects as production does (TLS with a certificate
 * the bench makes, SCRAM-SHA-256 password login, pg_hba hostssl only), at two link delays:
 * loopback, and 20 ms each way through {@link DelayProxy}. The round trips of a case are what the
 * delay added, divided by 40 ms. Peers (psql, Flyway's command line, dbmate) doing the same job run
 * the same way in the same run.
 *
 * {@code ./jbang bench/run.java [repeats]} measures; {@code ./jbang bench/run.java rehearse [repeats]}
 * measures the rehearsal's cases only ({@link RehearsalCases}) and prints them; {@code ./jbang bench/run.java trace} instead
 * runs each kit case once through a decoding proxy (plain TCP, SCRAM) and prints, per connection,
 * each round trip with the statements sent in it; {@code ./jbang bench/run.java bundle} measures the
 * bundle alone (its sizes, bin/status's start beside ./jbang status.java's).
 */
class run {
    static final Path KIT = Path.of("").toAbsolutePath().getFileName().toString().equals("bench") ? Path.of("..").toAbsolutePath().normalize() : Path.of("").toAbsolutePath();
    static final Path CORPORA = KIT.resolveSibling("shared").resolve("corpora");
    static final String FLYWAY_CLI = "12.4.0"; // the newest flyway-commandline whose dependencies Maven Central serves whole
    static final String DBMATE = "2.36.0";
    static final long ONE_WAY_MS = 20;
    static final double ROUND_TRIP_S = 2 * ONE_WAY_MS / 1000.0;
    static final String HOST = "127.0.0.1";

    static int repeats = 3;
    static boolean trace;
    static boolean startupOnly;
    /** `./jbang bench/run.java bundle`: only the bundle's cases, written into RESULTS.md's bundle section. */
    static boolean bundleOnly;
    static final List<String> bundleRows = new ArrayList<>();
    static boolean rehearseOnly;
    static final Path JAVA_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");
    static final List<String> startupRows = new ArrayList<>();
    static EmbeddedServer server;
    static DelayProxy delayed;
    static ProtocolTrace tracer;
    static int dbCounter;
    static Path work;
    static Path flyway;
    static Path dbmate;

    record Sample(double seconds, int exit, String output) {}

    /** A command to time: the database it runs against (by name), on the given port. */
    interface Command {
        Sample run(String db, int port) throws Exception;
    }

    /** One case: how to make its database before each run (not timed), what to run, what it must print. */
    record Case(String group, String name, String tool, Supplier<String> prepare, Command command, String mustSay, int expectedExit, boolean longRun) {}

    /** @param counted round trips the delay proxy counted on the wire (median over the runs at the delay) */
    record Result(Case c, double loopback, double delayed, int counted) {
        double roundTrips() {
            return (delayed - loopback) / ROUND_TRIP_S;
        }
    }

    record Timing(double seconds, int counted) {}

    static final List<Result> results = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("trace")) trace = true;
        else if (args.length > 0 && args[0].equals("startup")) startupOnly = true;
        else if (args.length > 0 && args[0].equals("bundle")) bundleOnly = true;
        else if (args.length > 0 && args[0].equals("rehearse")) rehearseOnly = true;
        if (args.length > 0 && args[args.length - 1].matches("\\d+")) repeats = Integer.parseInt(args[args.length - 1]);
        work = Files.createTempDirectory("bench-");
        Path certs = certificates(work.resolve("certs"));
        Map<String, String> config = new LinkedHashMap<>();
        config.put("ssl", "on");
        config.put("ssl_cert_file", certs.resolve("server.crt").toString());
        config.put("ssl_key_file", certs.resolve("server.key").toString());
        server = EmbeddedServer.start(17, null, true, config);
        try {
            productionLogins(trace);
            if (trace) {
                tracer = new ProtocolTrace();
                delayed = new DelayProxy(0, server.port(), 0, 3600, tracer);
            } else {
                delayed = new DelayProxy(0, server.port(), ONE_WAY_MS, 3600, null);
            }
            benchmark();
        } finally {
            if (delayed != null) delayed.close();
            server.close();
        }
    }

    /** A self-signed certificate for localhost, made with openssl; the key readable by its owner only, as PostgreSQL requires. */
    static Path certificates(Path dir) throws Exception {
        Files.createDirectories(dir);
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                "-keyout", dir.resolve("server.key").toString(), "-out", dir.resolve("server.crt").toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (p.waitFor() != 0) throw new IllegalStateException("openssl could not make the bench's certificate");
        Files.setPosixFilePermissions(dir.resolve("server.key"), PosixFilePermissions.fromString("rw-------"));
        return dir;
    }

    /**
     * The login role may come in over TLS with a SCRAM-SHA-256 password only (hostssl), as on
     * Supabase; the set-up superuser logs in with its own password (the embedded server trusts nobody). Tracing needs to read the protocol, so
     * it allows plain TCP (still SCRAM).
     */
    static void productionLogins(boolean plain) throws Exception {
        try (Connection c = server.admin("postgres"); Statement st = c.createStatement()) {
            String hba;
            try (var rs = st.executeQuery("show hba_file")) {
                rs.next();
                hba = rs.getString(1);
            }
            String kind = plain ? "host" : "hostssl";
            Files.writeString(Path.of(hba), String.join("\n",
                    "host all postgres 127.0.0.1/32 scram-sha-256",
                    "host all postgres ::1/128 scram-sha-256",
                    kind + " all all 127.0.0.1/32 scram-sha-256",
                    kind + " all all ::1/128 scram-sha-256", ""));
            st.execute("select pg_reload_conf()");
        }
    }

    static String newDb() {
        try {
            String url = server.createDatabase("b" + (++dbCounter));
            return url.substring(url.lastIndexOf('/') + 1);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String sslmode() {
        return trace ? "disable" : "require";
    }

    /** Everything a child needs, secrets in the environment only. */
    static Map<String, String> env(String db, int port, String password) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.remove("DATABASE_URL");
        env.put("DIRECT_URL", "postgresql://" + EmbeddedServer.USER + ":" + password + "@" + HOST + ":" + port + "/" + db + "?sslmode=" + sslmode());
        env.put("ADMIN_SEED_EMAIL", "bench@example.com");
        env.put("ADMIN_SEED_PASSWORD", "bench-passphrase-long-enough");
        env.put("PGHOST", HOST);
        env.put("PGPORT", String.valueOf(port));
        env.put("PGUSER", EmbeddedServer.USER);
        env.put("PGDATABASE", db);
        env.put("PGPASSWORD", password);
        env.put("PGSSLMODE", sslmode());
        env.put("FLYWAY_URL", "jdbc:postgresql://" + HOST + ":" + port + "/" + db + "?sslmode=" + sslmode());
        env.put("FLYWAY_USER", EmbeddedServer.USER);
        env.put("FLYWAY_PASSWORD", password);
        // dbmate reads its URL from the environment; the password stays off its command line
        env.put("DATABASE_URL", "postgres://" + EmbeddedServer.USER + ":" + password + "@" + HOST + ":" + port + "/" + db + "?sslmode=" + sslmode());
        return env;
    }

    static Map<String, String> env(String db, int port) {
        return env(db, port, server.password);
    }

    static Sample time(Map<String, String> env, Path dir, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(env);
        Path out = Files.createTempFile(work, "out", ".txt");
        pb.redirectOutput(out.toFile());
        long t = System.nanoTime();
        Process p = pb.start();
        int exit = p.waitFor();
        double seconds = (System.nanoTime() - t) / 1e9;
        String output = Files.readString(out);
        Files.delete(out);
        return new Sample(seconds, exit, output);
    }

    static String jbang() {
        return KIT.resolve("jbang").toString();
    }

    static Sample kit(Map<String, String> env, Path dir, String script, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(jbang(), KIT.resolve(script).toString()));
        command.addAll(List.of(args));
        return time(env, dir, command.toArray(String[]::new));
    }

    static Sample flywayCli(Map<String, String> env, String verb, Path locations) throws Exception {
        return time(env, work, "java", "-cp", flyway + "/*", "org.flywaydb.commandline.Main", verb, "-locations=filesystem:" + locations);
    }

    static Sample dbmate(Map<String, String> env, Path migrations, String verb) throws Exception {
        return time(env, work, dbmate.toString(), "--no-dump-schema", "--migrations-dir", migrations.toString(), verb);
    }

    static Sample psql(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1"));
        command.addAll(List.of(args));
        return time(env, work, command.toArray(String[]::new));
    }

    static Supplier<String> fixed(String db) {
        return () -> db;
    }

    static void benchmark() throws Exception {
        if (bundleOnly) {
            buildScripts();
            bundleCases(upToDate());
            writeBundleSection();
            return;
        }
        Path documenso = CORPORA.resolve("documenso");
        if (!Files.isDirectory(documenso)) throw new IllegalStateException("the Prisma corpora are expected in " + CORPORA);
        if (!trace) {
            flyway = flywayCli();
            dbmate = dbmate();
        }
        Path kitMigrations = KIT.resolve("migrations");
        Path threeKit = kitDir(work.resolve("three-kit"), kitMigrations, 3);
        Path flywayNamed = flywayNamedCopy(documenso, work.resolve("flyway-named"));
        Path flywayNamedKit = kitDir(work.resolve("flyway-named-kit"), flywayNamed, Integer.MAX_VALUE);
        Path dbmateKit = dbmateCopy(kitMigrations, work.resolve("dbmate-kit"));
        Path dbmateDocumenso = dbmateCopyOfPrisma(documenso, work.resolve("dbmate-documenso"));
        Path oneFile = work.resolve("documenso.sql");
        concatenate(documenso, oneFile);
        Path bigSeedKit = bigSeedKit(work.resolve("big"), 50_000);

        buildScripts();
        // an up-to-date database, and one dbmate keeps
        String upToDate = upToDate();
        String dbmateUpToDate = newDb();
        if (!trace) must(dbmate(env(dbmateUpToDate, server.port()), dbmateKit, "up"), "dbmate up");

        Supplier<String> fresh = run::newDb;
        Supplier<String> migrated = () -> {
            String db = newDb();
            try {
                must(kit(env(db, server.port()), KIT, "migrate.java"), "migrate");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return db;
        };

        List<Case> cases = new ArrayList<>();
        String g = "status";
        cases.add(new Case(g, "psql `select 1` (connect, TLS, SCRAM, one query: the floor)", "psql", fixed(upToDate), (db, port) -> psql(env(db, port), "-Atc", "select 1"), "1", 0, false));
        cases.add(new Case(g, "status, up to date", "kit", fixed(upToDate), (db, port) -> kit(withoutAdminPassword(env(db, port)), KIT, "status.java"), "Database is up to date.", 0, false));
        cases.add(new Case(g, "Flyway command line `info`", "flyway", fixed(upToDate), (db, port) -> flywayCli(env(db, port), "info", kitMigrations), "Schema version", 0, false));
        cases.add(new Case(g, "dbmate `status`", "dbmate", fixed(dbmateUpToDate), (db, port) -> dbmate(env(db, port), dbmateKit, "status"), "Applied: 4", 0, false));
        g = "migrate, nothing to do";
        cases.add(new Case(g, "migrate, nothing to do", "kit", fixed(upToDate), (db, port) -> kit(env(db, port), KIT, "migrate.java"), "nothing to apply", 0, false));
        cases.add(new Case(g, "Flyway command line `migrate`, nothing to do", "flyway", fixed(upToDate), (db, port) -> flywayCli(env(db, port), "migrate", kitMigrations), "is up to date", 0, false));
        cases.add(new Case(g, "dbmate `up`, nothing to do", "dbmate", fixed(dbmateUpToDate), (db, port) -> dbmate(env(db, port), dbmateKit, "up"), "", 0, false));
        g = "seed";
        cases.add(new Case(g, "seed, nothing to change", "kit", fixed(upToDate), (db, port) -> kit(env(db, port), KIT, "seed.java"), "nothing needed changing", 0, false));
        cases.add(new Case(g, "seed of a fresh database (4 files, 23 rows, one argon2id hash)", "kit", migrated, (db, port) -> kit(env(db, port), KIT, "seed.java"), "Done: 23 inserted", 0, false));
        cases.add(new Case(g, "seed, 50,000 generated rows", "kit", migrated, (db, port) -> kit(env(db, port), bigSeedKit, "seed.java", "--only", "50_generated"), "50000 inserted", 0, false));
        Path csv = bigSeedKit.resolve("rows.csv");
        cases.add(new Case(g, "psql `\\copy` of the same 50,000 rows", "psql", migrated, (db, port) -> psql(env(db, port), "-c",
                "\\copy \"FeatureFlag\" (key, enabled, category, description) from '" + csv + "' with (format csv)"), "", 0, false));
        g = "a 3-migration Flyway deploy";
        cases.add(new Case(g, "migrate: 3 Flyway migrations on a fresh database", "kit", fresh, (db, port) -> kit(env(db, port), threeKit, "migrate.java"), "Applied 3 migrations", 0, false));
        cases.add(new Case(g, "Flyway command line `migrate`: the same 3", "flyway", fresh, (db, port) -> flywayCli(env(db, port), "migrate", threeKit.resolve("migrations")), "Successfully applied 3 migrations", 0, false));
        g = "a real Prisma history (documenso, 163 migrations)";
        cases.add(new Case(g, "migrate --prisma: 163 migrations on a fresh database", "kit", fresh, (db, port) -> kit(env(db, port), KIT, "migrate.java", "--prisma", documenso.toString()), "Applied 163 migrations", 0, true));
        cases.add(new Case(g, "psql -1 -f: the same SQL, one session, statement by statement", "psql", fresh, (db, port) -> psql(env(db, port), "-1", "-f", oneFile.toString()), "", 0, true));
        cases.add(new Case(g, "dbmate `up`: the same 163 files", "dbmate", fresh, (db, port) -> dbmate(env(db, port), dbmateDocumenso, "up"), "", 0, true));
        g = "a long Flyway-named history (the same 163 files as V1..V163): Flyway's own cost";
        cases.add(new Case(g, "migrate: 163 Flyway-named migrations", "kit", fresh, (db, port) -> kit(env(db, port), flywayNamedKit, "migrate.java", "--allow-destructive"), "Applied 163 migrations", 0, true));
        cases.add(new Case(g, "Flyway command line `migrate`: the same 163", "flyway", fresh, (db, port) -> flywayCli(env(db, port), "migrate", flywayNamed), "Successfully applied 163 migrations", 0, true));
        g = "failing fast (one attempt, one sentence)";
        cases.add(new Case(g, "status, wrong password", "kit", fixed(upToDate), (db, port) -> kit(withoutAdminPassword(env(db, port, "not-the-password")), KIT, "status.java"), "password authentication failed", 3, false));
        cases.add(new Case(g, "psql, wrong password", "psql", fixed(upToDate), (db, port) -> psql(env(db, port, "not-the-password"), "-Atc", "select 1"), "password authentication failed", 2, false));
        // on loopback the port refuses; at the delay the proxy accepts and hangs up, having nothing behind it (the kit says which)
        cases.add(new Case(g, "status, closed port (at the delay: a proxy with nothing behind it)", "kit", fixed(upToDate), (db, port) -> kit(withoutAdminPassword(env(db, closedPort(port))), KIT, "status.java"), "refused the connection|accepted the connection and closed it", 3, false));

        if (!trace) {
            if (rehearseOnly) cases.clear();
            cases.addAll(RehearsalCases.cases(work, documenso));
        }
        if (trace) {
            traceCases(cases);
            return;
        }
        if (startupOnly) {
            startup(upToDate);
            return;
        }

        System.out.println("Warming up (dependencies, compiled scripts, class archives)...");
        for (int i = 0; i < 2; i++) {
            for (String script : List.of("migrate.java", "seed.java", "status.java")) kit(env(upToDate, server.port()), KIT, script);
        }
        flywayCli(env(upToDate, server.port()), "info", kitMigrations);

        System.out.println("Measuring: medians of " + repeats + " on loopback and at " + ONE_WAY_MS + " ms each way (long cases: 1 run at the delay)");
        for (Case c : cases) {
            if (c.tool().equals("flyway") && flyway == null || c.tool().equals("dbmate") && dbmate == null) continue;
            double loop = median(c, server.port(), repeats).seconds();
            Timing slow = median(c, delayed.port(), c.longRun() ? 1 : repeats);
            Result r = new Result(c, loop, slow.seconds(), slow.counted());
            results.add(r);
            System.out.printf(Locale.ROOT, "  %-70s %7.2f s %8.2f s %6.1f RT %5d counted%n", c.name(), loop, slow.seconds(), r.roundTrips(), r.counted());
            if (!rehearseOnly) write(); // a run cut short still leaves what it measured
        }
        RehearsalCases.copied.forEach((what, line) -> System.out.println("  copy, " + what + ": " + line));
        if (rehearseOnly) return;
        startup(upToDate);
        bundleCases(upToDate);
        write();
    }

    /**
     * JBang's jar cache is shared by every checkout on the machine and has been seen to hand out a
     * jar built from other sources under the current key: the scripts are built afresh.
     */
    static void buildScripts() throws Exception {
        for (String script : List.of("migrate.java", "seed.java", "status.java")) {
            Map<String, String> env = new HashMap<>(System.getenv());
            env.put("JBANG_LAUNCHER_NO_CACHE", "1");
            must(time(env, KIT, jbang(), "build", "--fresh", script), "building " + script);
        }
    }

    /** A database migrated and seeded by the kit. */
    static String upToDate() throws Exception {
        String db = newDb();
        must(kit(env(db, server.port()), KIT, "migrate.java"), "migrate");
        must(kit(env(db, server.port()), KIT, "seed.java"), "seed");
        return db;
    }

    /**
     * The bundle as bundle.java makes it and an operator unpacks it: its tarballs and unpacked sizes,
     * with and without the optional PostgreSQL part; then, on loopback, bin/status and bin/migrate
     * beside ./jbang status.java and ./jbang migrate.java (the launcher's cached command and the
     * script's class-data archive), and --version (no database: the JVM, picocli, the class archive).
     */
    static void bundleCases(String upToDate) throws Exception {
        Path dist = work.resolve("dist");
        System.out.println("Making the bundle (./jbang bundle.java --out " + dist + ")...");
        Sample made = time(new HashMap<>(System.getenv()), KIT, jbang(), "bundle.java", "--out", dist.toString());
        must(made, "bundle.java");
        String name;
        try (var s = Files.list(dist)) {
            name = s.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".tar.gz") && !f.endsWith("-postgres.tar.gz")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("bundle.java made no tarball:\n" + made.output())).replace(".tar.gz", "");
        }
        Path unpacked = Files.createDirectories(work.resolve("unpacked"));
        must(time(System.getenv(), unpacked, "tar", "xzf", dist.resolve(name + ".tar.gz").toString()), "unpacking the bundle");
        Path bundle = unpacked.resolve(name);
        long without = size(bundle);
        must(time(System.getenv(), unpacked, "tar", "xzf", dist.resolve(name + "-postgres.tar.gz").toString()), "unpacking the PostgreSQL part");
        long with = size(bundle);
        long archives = 0;
        try (var s = Files.list(bundle.resolve("lib"))) {
            for (Path p : s.filter(p -> p.toString().endsWith(".jsa")).toList()) archives += Files.size(p);
        }
        bundleRows.add("| size | without PostgreSQL | with PostgreSQL (the optional part) |\n|---|---:|---:|");
        bundleRows.add(String.format(Locale.ROOT, "| tarball (`%s.tar.gz`, and `-postgres.tar.gz`) | %s | %s |", name,
                mb(Files.size(dist.resolve(name + ".tar.gz"))), mb(Files.size(dist.resolve(name + ".tar.gz")) + Files.size(dist.resolve(name + "-postgres.tar.gz")))));
        bundleRows.add(String.format(Locale.ROOT, "| unpacked | %s | %s |", mb(without), mb(with)));
        bundleRows.add(String.format(Locale.ROOT, "| of which `runtime/` (jlink) | %s | |", mb(size(bundle.resolve("runtime")))));
        bundleRows.add(String.format(Locale.ROOT, "| of which the class-data archives (`lib/*.jsa`) | %s | |", mb(archives)));
        bundleRows.add("");
        int saved = repeats;
        repeats = Math.max(repeats, 5);
        Map<String, String> env = withoutAdminPassword(env(upToDate, server.port()));
        bundleRows.add("| start-up, loopback, median of " + repeats + " | `./jbang SCRIPT.java` (Java 17, JBang's //CDS archive) | `bin/SCRIPT` (the bundle) |\n|---|---:|---:|");
        for (String[] job : List.of(new String[] {"status", "Database is up to date."}, new String[] {"migrate", "nothing to apply"},
                new String[] {"status --version", "rc-dbkit"})) {
            List<String> args = List.of(job[0].split(" "));
            List<String> viaJbang = new ArrayList<>(List.of(jbang(), KIT.resolve(args.get(0) + ".java").toString()));
            viaJbang.addAll(args.subList(1, args.size()));
            List<String> viaBundle = new ArrayList<>(List.of(bundle.resolve("bin").resolve(args.get(0)).toString()));
            viaBundle.addAll(args.subList(1, args.size()));
            double j = startupMedian(env, job[1], viaJbang.toArray(String[]::new));
            double b = startupMedian(env, job[1], viaBundle.toArray(String[]::new));
            String what = job[0].equals("status") ? "status, up to date" : job[0].equals("migrate") ? "migrate, nothing to do" : "`status --version` (no database)";
            String row = String.format(Locale.ROOT, "| %s | %.2f s | %.2f s |", what, j, b);
            bundleRows.add(row);
            System.out.println("  " + row);
        }
        // what the class-data archives buy: the same launcher with class-data sharing off
        Path off = bundle.resolve("bin/status-without-class-data");
        Files.writeString(off, Files.readString(bundle.resolve("bin/status")).replace("\"-Xshare:auto\"", "\"-Xshare:off\""));
        off.toFile().setExecutable(true);
        String row = String.format(Locale.ROOT, "| status, up to date, `bin/status` with class-data sharing off (`-Xshare:off`) | | %.2f s |",
                startupMedian(env, "Database is up to date.", off.toString()));
        bundleRows.add(row);
        System.out.println("  " + row);
        repeats = saved;
    }

    static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    static long size(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    static String bundleSection() {
        return "## The bundle (bundle.java)\n\nMade by `./jbang bundle.java` on this machine (" + cpuLine() + "), unpacked with `tar xzf` as an operator does. "
                + "Start-up against the up-to-date database above, over TLS with SCRAM, no admin password (as a deploy gate runs status).\n\n"
                + String.join("\n", bundleRows) + "\n";
    }

    static String cpuLine() {
        try {
            return Runtime.getRuntime().availableProcessors() + " cores, " + cpu() + "; Java " + System.getProperty("java.version") + "; " + java.time.LocalDate.now() + ", at commit " + commit();
        } catch (Exception e) {
            return "?";
        }
    }

    /** `bundle` alone: its section of RESULTS.md replaced (or added), the rest of the file as it was. */
    static void writeBundleSection() throws IOException {
        Path file = KIT.resolve("bench/RESULTS.md");
        String md = Files.readString(file);
        int at = md.indexOf("## The bundle (bundle.java)");
        if (at >= 0) {
            int next = md.indexOf("\n## ", at + 1);
            md = md.substring(0, at) + (next < 0 ? "" : md.substring(next + 1));
        }
        md = md.stripTrailing() + "\n\n" + bundleSection();
        System.out.println();
        System.out.print(bundleSection());
        Files.writeString(file, md);
    }

    /**
     * Start-up on loopback: each script through ./jbang on Java 17 with its class-data archive
     * (//CDS), beside the same jar and classpath on Java 25, plain and with an ahead-of-time cache
     * (JEP 483/514/515) made by one training run of that very command.
     */
    static void startup(String upToDate) throws Exception {
        if (!Files.isExecutable(JAVA_25)) {
            startupRows.add("| (no Java 25 at " + JAVA_25 + ") | | | |");
            return;
        }
        System.out.println("Start-up, Java 17 + CDS against Java 25 with an AOT cache, medians of " + repeats + " on loopback:");
        for (String[] job : List.of(new String[] {"status.java", "Database is up to date."}, new String[] {"migrate.java", "nothing to apply"})) {
            String script = job[0];
            Map<String, String> env = withoutAdminPassword(env(upToDate, server.port()));
            List<String> java25 = java25Command(script);
            Path aot = work.resolve(script + ".aot");
            List<String> training = new ArrayList<>(java25);
            training.add(1, "-XX:AOTCacheOutput=" + aot);
            must(time(env, KIT, training.toArray(String[]::new)), "training " + script + " on Java 25");
            List<String> withCache = new ArrayList<>(java25);
            withCache.add(1, "-XX:AOTCache=" + aot);
            double j17 = startupMedian(env, job[1], jbang(), KIT.resolve(script).toString());
            double j25 = startupMedian(env, job[1], java25.toArray(String[]::new));
            double j25aot = startupMedian(env, job[1], withCache.toArray(String[]::new));
            String row = String.format(Locale.ROOT, "| %s | %.2f s | %.2f s | %.2f s |", script.replace(".java", "") + (script.startsWith("migrate") ? ", nothing to do" : ", up to date"), j17, j25, j25aot);
            startupRows.add(row);
            System.out.println("  " + row);
        }
    }

    static double startupMedian(Map<String, String> env, String mustSay, String... command) throws Exception {
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < repeats; i++) {
            Sample s = time(env, KIT, command);
            if (s.exit() != 0 || !s.output().contains(mustSay)) throw new IllegalStateException(String.join(" ", command) + " did not say \"" + mustSay + "\":\n" + s.output());
            times.add(s.seconds());
        }
        times.sort(Double::compare);
        return times.get(times.size() / 2);
    }

    /** The script's jar and classpath as JBang resolved them, its //RUNTIME_OPTIONS, on Java 25. */
    static List<String> java25Command(String script) throws Exception {
        Process p = new ProcessBuilder("java", "-cp", Path.of(System.getProperty("user.home"), ".cache", "rc-dbkit", "jbang-0.132.1-gson-2.13.2").resolve("*").toString(),
                "dev.jbang.Main", "info", "tools", script).directory(KIT.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String json = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IllegalStateException("jbang info tools " + script + " failed");
        String jar = field(json, "applicationJar");
        String main = field(json, "mainClass");
        int from = json.indexOf("\"resolvedDependencies\"");
        String deps = json.substring(json.indexOf('[', from) + 1, json.indexOf(']', from));
        List<String> classpath = new ArrayList<>(List.of(jar));
        for (String d : deps.split(",")) if (!d.isBlank()) classpath.add(d.strip().replace("\"", ""));
        List<String> command = new ArrayList<>(List.of(JAVA_25.toString()));
        for (String line : Files.readAllLines(KIT.resolve(script))) {
            if (line.startsWith("//RUNTIME_OPTIONS ")) command.addAll(List.of(line.substring("//RUNTIME_OPTIONS ".length()).strip().split("\\s+")));
        }
        command.addAll(List.of("-cp", String.join(":", classpath), main));
        return command;
    }

    static String field(String json, String name) {
        var m = java.util.regex.Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
        if (!m.find()) throw new IllegalStateException("no " + name + " in jbang's answer");
        return m.group(1);
    }

    /** The closed port: the delayed proxy's own port stands for the server's, with nothing listening behind it. */
    static int closedPort(int port) {
        if (port == server.port()) return closedLoopback;
        return closedDelayed.port();
    }

    static int closedLoopback = freePort();
    static DelayProxy closedDelayed;

    static int freePort() {
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Timing median(Case c, int port, int n) throws Exception {
        if (c.name().startsWith("status, closed port") && closedDelayed == null) closedDelayed = new DelayProxy(0, closedLoopback, ONE_WAY_MS, 3600, null);
        DelayProxy proxy = c.name().startsWith("status, closed port") ? closedDelayed : delayed;
        List<Double> times = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String db = c.prepare().get();
            proxy.takeRoundTrips();
            Sample s = c.command().run(db, port);
            Thread.sleep(50); // the last answers reach the proxy's counter
            counts.add(proxy.takeRoundTrips());
            check(c, s);
            times.add(s.seconds());
        }
        times.sort(Double::compare);
        counts.sort(Integer::compare);
        return new Timing(times.get(times.size() / 2), counts.get(counts.size() / 2));
    }

    static void check(Case c, Sample s) {
        if (s.exit() != c.expectedExit()) {
            throw new IllegalStateException(c.name() + ": exit " + s.exit() + ", expected " + c.expectedExit() + ":\n" + s.output());
        }
        if (java.util.Arrays.stream(c.mustSay().split("\\|")).noneMatch(s.output()::contains)) {
            throw new IllegalStateException(c.name() + " did not say \"" + c.mustSay() + "\", so its time measures nothing:\n" + s.output());
        }
        if (c.expectedExit() != 0 && c.tool().equals("kit") && s.output().strip().lines().count() != 1) {
            throw new IllegalStateException(c.name() + " failed with more than one sentence:\n" + s.output());
        }
    }

    static void must(Sample s, String what) {
        if (s.exit() != 0) throw new IllegalStateException(what + " failed (exit " + s.exit() + "):\n" + s.output());
    }

    /** Each kit case once through the decoding proxy: its round trips, connection by connection. */
    static void traceCases(List<Case> cases) throws Exception {
        StringBuilder all = new StringBuilder("# Round trips per kit command, statement by statement\n\nWritten by `./jbang bench/run.java trace`: each kit case once through the bench's proxy, which reads the client side of the protocol (plain TCP with SCRAM, so that it can be read). Each numbered line is one round trip: what the client sent before it waited for the server.\n\n");
        for (Case c : cases) {
            if (!c.tool().equals("kit") || c.longRun() || c.name().startsWith("status, closed port") || c.name().contains("50,000")) continue;
            String db = c.prepare().get();
            tracer.reset();
            Sample s = c.command().run(db, delayed.port());
            check(c, s);
            Thread.sleep(200);
            String report = "## " + c.name() + "\n\n```\n" + tracer.report() + "```\n\n";
            System.out.print(report);
            all.append(report);
        }
        Files.writeString(KIT.resolve("bench/TRACE.md"), all.toString());
    }

    /** As a deploy gate runs status: the URL, no admin password (so no argon2 verification). */
    static Map<String, String> withoutAdminPassword(Map<String, String> env) {
        Map<String, String> copy = new HashMap<>(env);
        copy.remove("ADMIN_SEED_PASSWORD");
        return copy;
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
        if (p.waitFor() != 0) {
            System.out.println("mvn could not fetch flyway-commandline " + FLYWAY_CLI + "; its cases are left out.");
            return null;
        }
        Files.writeString(dir.resolve("ready"), "");
        return dir.resolve("lib");
    }

    /** dbmate's binary from its npm package, installed with npm into the user cache once. */
    static Path dbmate() throws Exception {
        Path dir = Path.of(System.getProperty("user.home"), ".cache", "rc-dbkit", "dbmate-" + DBMATE);
        Path binary = dir.resolve("node_modules/@dbmate/linux-x64/bin/dbmate");
        if (Files.isExecutable(binary)) return binary;
        Files.createDirectories(dir);
        System.out.println("Installing dbmate " + DBMATE + " from npm (once)...");
        Process p = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "dbmate@" + DBMATE).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (p.waitFor() != 0 || !Files.isExecutable(binary)) {
            System.out.println("npm could not install dbmate " + DBMATE + "; its cases are left out.");
            return null;
        }
        return binary;
    }

    static List<Path> migrationFiles(Path prismaFolder) throws IOException {
        try (var s = Files.list(prismaFolder)) {
            return s.filter(d -> Files.isRegularFile(d.resolve("migration.sql"))).sorted().map(d -> d.resolve("migration.sql")).toList();
        }
    }

    /** A kit folder: the first n files of a migrations folder, and no seeds. */
    static Path kitDir(Path dir, Path migrations, int n) throws IOException {
        Files.createDirectories(dir.resolve("migrations"));
        Files.createDirectories(dir.resolve("seeds"));
        try (var s = Files.list(migrations)) {
            for (Path f : s.filter(f -> f.getFileName().toString().endsWith(".sql")).sorted((a, b) -> version(a) - version(b)).limit(n).toList()) {
                Files.copy(f, dir.resolve("migrations").resolve(f.getFileName()));
            }
        }
        return dir;
    }

    static int version(Path flywayFile) {
        String name = flywayFile.getFileName().toString();
        return Integer.parseInt(name.substring(1, name.indexOf("__")));
    }

    static Path flywayNamedCopy(Path prismaFolder, Path to) throws IOException {
        Files.createDirectories(to);
        int v = 0;
        for (Path f : migrationFiles(prismaFolder)) {
            Files.copy(f, to.resolve("V" + (++v) + "__" + f.getParent().getFileName().toString().replaceAll("[^A-Za-z0-9]", "_") + ".sql"));
        }
        return to;
    }

    /** The kit's Flyway files in dbmate's form: <version>_<name>.sql under "-- migrate:up". */
    static Path dbmateCopy(Path flywayFolder, Path to) throws IOException {
        Files.createDirectories(to);
        try (var s = Files.list(flywayFolder)) {
            for (Path f : s.filter(f -> f.getFileName().toString().endsWith(".sql")).toList()) {
                String name = f.getFileName().toString();
                Files.writeString(to.resolve(version(f) + "_" + name.substring(name.indexOf("__") + 2)), "-- migrate:up\n" + Files.readString(f) + "\n-- migrate:down\n");
            }
        }
        return to;
    }

    static Path dbmateCopyOfPrisma(Path prismaFolder, Path to) throws IOException {
        Files.createDirectories(to);
        for (Path f : migrationFiles(prismaFolder)) {
            Files.writeString(to.resolve(f.getParent().getFileName() + ".sql"), "-- migrate:up\n" + Files.readString(f) + "\n-- migrate:down\n");
        }
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

    /** Budgets (issue 15), in round trips; null when a case has none. */
    static String budget(Result r) {
        String n = r.c().name();
        double rt = r.counted();
        return switch (n) {
            case "status, up to date" -> verdict(rt <= 12, "≤ 12") + startUp(r);
            case "migrate, nothing to do" -> verdict(rt <= 10, "≤ 10") + startUp(r);
            case "seed, nothing to change" -> verdict(rt <= 12, "≤ 12");
            case "seed of a fresh database (4 files, 23 rows, one argon2id hash)" -> verdict(rt <= 16, "≤ 16");
            case "migrate --prisma: 163 migrations on a fresh database" -> verdict(rt <= 3 * 163 + 10, "≤ 3 × 163 + 10 = 499");
            case "migrate: 3 Flyway migrations on a fresh database" -> {
                double flywayRt = roundTrips("Flyway command line `migrate`: the same 3");
                yield verdict(rt <= flywayRt, String.format(Locale.ROOT, "≤ Flyway's own %.0f", flywayRt));
            }
            case "migrate: 163 Flyway-named migrations" -> {
                double flywayRt = roundTrips("Flyway command line `migrate`: the same 163");
                yield String.format(Locale.ROOT, "Flyway's own cost: %.0f (kit) beside %.0f (Flyway's command line)", rt, flywayRt);
            }
            case "status, wrong password", "status, closed port (at the delay: a proxy with nothing behind it)" -> verdict(rt <= 7 && r.loopback() <= 1.0, "one attempt: ≤ 7, ≤ 1.0 s on loopback");
            default -> "";
        };
    }

    static String startUp(Result r) {
        return r.loopback() <= 1.0 ? "; start-up ≤ 1.0 s: met" : "; start-up ≤ 1.0 s: NOT met";
    }

    static double roundTrips(String name) {
        return results.stream().filter(r -> r.c().name().equals(name)).mapToDouble(Result::counted).findFirst().orElse(Double.NaN);
    }

    static String verdict(boolean met, String budget) {
        return (met ? "met: " : "NOT met: ") + budget;
    }

    static void write() throws Exception {
        StringBuilder md = new StringBuilder();
        md.append("# Benchmark results\n\n");
        md.append("Written by `./jbang bench/run.java` on ").append(java.time.LocalDate.now()).append(", at commit ").append(commit()).append(". One PostgreSQL ").append(server.major)
                .append(" that connects as production does: TLS (`sslmode=require`, a self-signed certificate made by the bench) and SCRAM-SHA-256 ")
                .append("password login (pg_hba `hostssl ... scram-sha-256` only). Each case runs on loopback and through the bench's own delay proxy ")
                .append("at ").append(ONE_WAY_MS).append(" ms each way (one round trip = ").append(Math.round(ROUND_TRIP_S * 1000))
                .append(" ms, and one more for each new connection's TCP handshake); medians of ").append(repeats)
                .append(" runs (the 163-migration cases: one run at the delay). Round trips from time = (time at the delay − time on loopback) / ")
                .append(Math.round(ROUND_TRIP_S * 1000)).append(" ms; round trips counted = what the proxy saw on the wire at the delay: one per connection ")
                .append("(TCP's handshake, or a refusal) and one each time the server answered after the client spoke. The count does not move with the ")
                .append("machine's load, which on this shared 2-core machine moves the time-derived figure by several round trips, so the budgets are judged on it; ")
                .append("the two agree when the machine is quiet. `./jbang bench/run.java trace` lists each command's round trips statement by statement (bench/TRACE.md).\n\n");
        md.append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ").append(cpu()).append("; Java ").append(System.getProperty("java.version"))
                .append("; Flyway command line ").append(FLYWAY_CLI).append(" (Maven Central `org.flywaydb:flyway-commandline`); dbmate ").append(DBMATE)
                .append(" (npm `dbmate`); ").append(version("psql", "--version")).append(".\n\n");
        String group = null;
        md.append("| case | loopback | ").append(ONE_WAY_MS).append(" ms each way | round trips from time | round trips counted | budget (issue 15, on the counted) |\n|---|---:|---:|---:|---:|---|\n");
        for (Result r : results) {
            if (!r.c().group().equals(group)) {
                group = r.c().group();
                md.append("| **").append(group).append("** | | | | | |\n");
            }
            String name = r.c().tool().equals("kit") ? r.c().name() : "*" + r.c().name() + "*";
            md.append(String.format(Locale.ROOT, "| %s | %.2f s | %.2f s | %.1f | %d | %s |%n", name, r.loopback(), r.delayed(), r.roundTrips(), r.counted(), budget(r)));
        }
        md.append("\nPeers in italics. Budgets: status up to date ≤ 12 round trips, migrate with nothing to do ≤ 10, seed with nothing to change ≤ 12, ")
                .append("seed of a fresh database ≤ 16, the Prisma path ≤ 3 per migration plus a fixed start (10), a Flyway deploy no more than Flyway's own command line; ")
                .append("status and a no-op migrate ≤ 1.0 s on loopback (Java 17); a wrong password or a closed port answers after one attempt. ")
                .append("The machine is shared: timings drift between runs, round trips much less.\n");
        if (!RehearsalCases.copied.isEmpty()) md.append("\nThe rehearsals' copies of the target's rows (MB/s = their size over their time):\n\n");
        RehearsalCases.copied.forEach((what, line) -> md.append("- ").append(what).append(": ").append(line).append('\n'));
        if (!startupRows.isEmpty()) {
            md.append("\n## Start-up: Java 17 with CDS, or Java 25 with its ahead-of-time cache\n\n")
                    .append("Loopback, medians of ").append(repeats).append(". Java 17: through `./jbang` as an operator runs it (the launcher's cached command, ")
                    .append("the script's class-data archive). Java 25 (").append(version(JAVA_25.toString(), "-version").lines().findFirst().orElse("?"))
                    .append("): the same jar, classpath and options, plain, and with `-XX:AOTCache` made by one training run of the same command (`-XX:AOTCacheOutput`).\n\n")
                    .append("| command | Java 17 + CDS | Java 25 | Java 25 + AOT cache |\n|---|---:|---:|---:|\n");
            for (String row : startupRows) md.append(row).append('\n');
        }
        if (!bundleRows.isEmpty()) md.append('\n').append(bundleSection());
        System.out.println();
        System.out.print(md);
        Files.writeString(KIT.resolve("bench/RESULTS.md"), md.toString());
    }

    /** The kit's commit, and whether its files differed from it: what the figures belong to. */
    static String commit() throws Exception {
        String head = version("git", "-C", KIT.toString(), "rev-parse", "--short", "HEAD");
        // the files this run writes do not count
        String changes = version("git", "-C", KIT.toString(), "status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/RESULTS.md", ":!bench/TRACE.md");
        return "`" + head + "`" + (changes.isEmpty() ? "" : " with uncommitted changes");
    }

    static String cpu() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).strip();
        }
        return "?";
    }

    static String version(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    }
}
