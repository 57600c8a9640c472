import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/** One embedded PostgreSQL for the whole run, a fresh database per test, and the scripts run in-process. */
final class TestSupport {
    static final String ADMIN_EMAIL = "ops@revenuecouncil.example";
    static final String ADMIN_PASSWORD = "Tr1ckle-Down-Quill-88";

    private static EmbeddedServer server;
    private static final AtomicInteger databases = new AtomicInteger();

    static synchronized EmbeddedServer server() {
        if (server == null) {
            try {
                server = EmbeddedServer.start(17, null, true);
            } catch (IOException | SQLException e) {
                throw new IllegalStateException("could not start the embedded PostgreSQL", e);
            }
        }
        return server;
    }

    static synchronized void shutdown() {
        if (server != null) {
            try {
                server.close();
            } catch (IOException ignored) {
                // the run is over
            }
        }
        if (cleanKit != null) deleteTree(cleanKit);
    }

    /** A new, empty database; returns its URL (with the login role's password). */
    static String freshDatabase() {
        try {
            return server().createDatabase("t" + databases.incrementAndGet());
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static String databaseName(String url) {
        return url.substring(url.lastIndexOf('/') + 1);
    }

    /**
     * The kit's folder: the one holding migrations/ (tests run from it or from tests/). Its code is
     * read from here; no script runs here, since the folder may hold an operator's .env.
     */
    static Path kitDir() {
        Path here = Path.of("").toAbsolutePath();
        if (Files.isDirectory(here.resolve("migrations"))) return here;
        if (Files.isDirectory(here.getParent().resolve("migrations"))) return here.getParent();
        throw new IllegalStateException("run the tests from the kit's folder");
    }

    private static Path cleanKit;

    /**
     * Where the scripts run, unless a test gives a --dir of its own: a copy of the kit made once per
     * run outside it (see {@link #copyKit}), with no .env. The kit's folder may hold an operator's
     * .env pointing at production; a test never reads it.
     */
    static synchronized Path cleanKit() {
        if (cleanKit == null) {
            try {
                cleanKit = copyKit(Files.createTempDirectory("rc-dbkit-clean-"));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return cleanKit;
    }

    /** The kit as a fresh clone has it, minus its tests: the launcher and its catalog, the scripts, lib/, migrations/ and seeds/; never a .env. */
    static Path copyKit(Path to) throws IOException {
        try (var top = Files.list(kitDir())) {
            for (Path f : top.filter(f -> Files.isRegularFile(f) && (f.toString().endsWith(".java") || List.of("jbang", "jbang-catalog.json").contains(f.getFileName().toString()))).toList()) {
                Files.copy(f, to.resolve(f.getFileName()), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        for (String d : List.of("lib", "migrations", "seeds")) copyTree(kitDir().resolve(d), to.resolve(d));
        return to;
    }

    static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a temp folder left behind
        }
    }

    record Result(int code, String out, String err) {
        String all() { return out + err; }
    }

    /** The variables the kit reads for its database and its admin: a test sets its own, never the caller's. */
    static final List<String> KIT_VARIABLES = List.of("DIRECT_URL", "DATABASE_URL", "ADMIN_SEED_EMAIL", "ADMIN_SEED_PASSWORD");

    /**
     * The environment a script runs with: the machine's, less the kit's variables and libpq's
     * (PG*), which may point at a real database; then the pairs given.
     */
    static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.keySet().removeIf(k -> KIT_VARIABLES.contains(k) || k.startsWith("PG"));
        for (int i = 0; i < pairs.length; i += 2) env.put(pairs[i], pairs[i + 1]);
        return env;
    }

    /**
     * A login role of the test's own (roles are the whole cluster's: give each test its own name)
     * that may connect to the database of url and use and create in its public schema; returns url
     * as that role.
     */
    static String asNewRole(String url, String role, String password) {
        exec(url, "create role " + role + " login password '" + password + "'");
        exec(url, "grant connect on database " + databaseName(url) + " to " + role);
        exec(url, "grant usage, create on schema public to " + role);
        return url.replaceFirst("//[^@]*@", "//" + role + ":" + password + "@");
    }

    static Map<String, String> adminEnv(String url) {
        return env("DIRECT_URL", url, "ADMIN_SEED_EMAIL", ADMIN_EMAIL, "ADMIN_SEED_PASSWORD", ADMIN_PASSWORD);
    }

    /** seed on `url` as the admin, which must exit 0; that run. */
    static Result seedsOk(String url) {
        Result r = run(new seed(), adminEnv(url));
        org.junit.jupiter.api.Assertions.assertEquals(0, r.code(), r.all());
        return r;
    }

    /** Runs a script in-process; by default on the clean copy of the kit (--dir {@link #cleanKit()}). Checks no secret leaked. */
    static Result run(Cli command, Map<String, String> env, String... args) {
        return execute(command, env, new StringWriter(), args);
    }

    private static Result execute(Cli command, Map<String, String> env, StringWriter err, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        if (!all.contains("--dir") && !all.contains("--help") && !all.contains("--version")) {
            all.add("--dir");
            all.add(cleanKit().toString());
        }
        StringWriter out = new StringWriter();
        int code = Cli.run(command, env, new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
        Result r = new Result(code, out.toString(), err.toString());
        assertNoSecrets(r.all(), env);
        return r;
    }

    /** A script running in-process on a thread of its own; what it has said on stderr can be read while it runs. */
    record Running(CompletableFuture<Result> future, StringWriter err) {
        /** Its result: it must finish within two minutes. */
        Result result() {
            try {
                return future.get(120, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("did not finish in 2 minutes; its stderr so far: " + err);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Error error) throw error;
                throw new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }

        boolean isDone() {
            return future.isDone();
        }

        /** Waits until its stderr holds the text (a state it reached), or fails after a minute. */
        void awaitErr(String text) throws InterruptedException {
            for (int i = 0; i < 600 && !err.toString().contains(text); i++) Thread.sleep(100);
            if (!err.toString().contains(text)) throw new AssertionError("never said \"" + text + "\"; its stderr: " + err);
        }
    }

    /** Starts a script in-process, as {@link #run} runs it, without waiting for it. */
    static Running start(Cli command, Map<String, String> env, String... args) {
        StringWriter err = new StringWriter();
        return new Running(CompletableFuture.supplyAsync(() -> execute(command, env, err, args), runnerThreads), err);
    }

    /** A thread per script run: a run that waits (for a lock, a server) must not hold up another. */
    private static final java.util.concurrent.Executor runnerThreads = r -> {
        Thread t = new Thread(r, "script-in-process");
        t.setDaemon(true);
        t.start();
    };

    static void assertNoSecrets(String text, Map<String, String> env) {
        List<String> secrets = new ArrayList<>();
        if (server != null) secrets.addAll(server.secrets());
        if (env.get("ADMIN_SEED_PASSWORD") != null && env.get("ADMIN_SEED_PASSWORD").length() >= 6) secrets.add(env.get("ADMIN_SEED_PASSWORD"));
        for (String s : secrets) assertFalse(text.contains(s), "output contains a secret:\n" + text);
    }

    /** Rows of a query against the test database, as superuser, each row as "a|b|c". */
    static List<String> rows(String url, String sql) {
        try (Connection c = server().admin(databaseName(url))) {
            return rows(c, sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Rows of a query on an open connection, each row as "a|b|c". */
    static List<String> rows(Connection c, String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (var st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder sb = new StringBuilder();
                for (int i = 1; i <= n; i++) sb.append(i > 1 ? "|" : "").append(rs.getObject(i) instanceof Boolean b ? b.toString() : rs.getString(i));
                rows.add(sb.toString());
            }
        }
        return rows;
    }

    /** A copy of the kit with one more migration file. */
    static Path kitWith(String file, String sql) throws IOException {
        Path kit = kitCopy();
        Files.writeString(kit.resolve("migrations").resolve(file), sql);
        return kit;
    }

    static String one(String url, String sql) {
        List<String> r = rows(url, sql);
        return r.isEmpty() ? null : r.get(0);
    }

    /** Rows in Admin, FeatureFlag, PointConfig and EmailTemplate, as "a|f|p|e" (production seeds: 1|8|4|10). */
    static String seededCounts(String url) {
        return one(url, "select (select count(*) from \"Admin\"), (select count(*) from \"FeatureFlag\"), (select count(*) from \"PointConfig\"), (select count(*) from \"EmailTemplate\")");
    }

    /** Waits until the query (one boolean) answers true: a state reached; fails after the time given. */
    static void waitUntil(String url, String sql, String what, java.time.Duration within) throws InterruptedException {
        long end = System.nanoTime() + within.toNanos();
        while (!"true".equals(one(url, sql))) {
            if (System.nanoTime() > end) throw new AssertionError("timed out after " + within.toSeconds() + " s waiting until " + what);
            Thread.sleep(100);
        }
    }

    static void waitUntil(String url, String sql, String what) throws InterruptedException {
        waitUntil(url, sql, what, java.time.Duration.ofMinutes(1));
    }

    /** The query that answers whether a session of this application waits for a lock in the URL's database. */
    static String waitsForALock(String application) {
        return waitsForALock(application, java.time.Duration.ZERO);
    }

    /** ... and has waited in its query for longer than the time given. */
    static String waitsForALock(String application, java.time.Duration longer) {
        return "select exists (select 1 from pg_stat_activity where datname = current_database() and application_name = '" + application
                + "' and wait_event_type = 'Lock' and clock_timestamp() - query_start > interval '" + longer.toMillis() + " ms')";
    }

    static void exec(String url, String sql) {
        try (Connection c = server().admin(databaseName(url)); var st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * What "nothing changed" compares, as superuser: the catalog of every schema but the system's
     * (relations with their storage and row-level security, columns, defaults, constraints,
     * indexes, policies, triggers, functions, enum labels, grants, extensions) and every table's
     * rows by checksum. A rewrite of a table shows as a new relfilenode even when its rows are equal.
     */
    static String fingerprint(String url) {
        try (Connection c = server().admin(databaseName(url))) {
            return fingerprint(c);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static String fingerprint(Connection c) throws SQLException {
        List<String> catalog = rows(c, """
                with s as (select oid from pg_namespace where nspname not in ('pg_catalog', 'information_schema') and nspname !~ '^pg_(toast|temp_|toast_temp_)')
                select x from (
                  select format('schema %s owner %s acl %s', nspname, nspowner::regrole, nspacl) as x from pg_namespace where oid in (select oid from s)
                  union all select format('relation %s kind %s file %s rls %s/%s owner %s acl %s', c.oid::regclass, c.relkind, c.relfilenode,
                      c.relrowsecurity, c.relforcerowsecurity, c.relowner::regrole, c.relacl) from pg_class c where c.relnamespace in (select oid from s)
                  union all select format('column %s.%s %s not null %s default %s', a.attrelid::regclass, a.attname, format_type(a.atttypid, a.atttypmod),
                      a.attnotnull, pg_get_expr(d.adbin, d.adrelid)) from pg_attribute a join pg_class c on c.oid = a.attrelid
                      left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
                      where c.relnamespace in (select oid from s) and a.attnum > 0 and not a.attisdropped
                  union all select format('constraint %s on %s: %s validated %s', conname, conrelid::regclass, pg_get_constraintdef(oid), convalidated)
                      from pg_constraint where connamespace in (select oid from s)
                  union all select format('index %s valid %s', pg_get_indexdef(indexrelid), indisvalid) from pg_index i join pg_class c on c.oid = i.indexrelid
                      where c.relnamespace in (select oid from s)
                  union all select format('policy %s on %s: %s %s to %s using %s check %s', polname, polrelid::regclass, polcmd, polpermissive, polroles::regrole[],
                      pg_get_expr(polqual, polrelid), pg_get_expr(polwithcheck, polrelid)) from pg_policy
                  union all select format('trigger %s on %s enabled %s', tgname, tgrelid::regclass, tgenabled) from pg_trigger where not tgisinternal
                  union all select format('function %s owner %s acl %s source %s', p.oid::regprocedure, p.proowner::regrole, p.proacl, md5(p.prosrc))
                      from pg_proc p where p.pronamespace in (select oid from s)
                  union all select format('enum %s %s at %s', enumtypid::regtype, enumlabel, enumsortorder) from pg_enum
                  union all select format('extension %s %s in %s', extname, extversion, extnamespace::regnamespace) from pg_extension
                ) catalog order by 1""");
        StringBuilder sb = new StringBuilder(String.join("\n", catalog));
        for (String table : rows(c, "select c.oid::regclass from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                + " where c.relkind = 'r' and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname !~ '^pg_(toast|temp_|toast_temp_)' order by 1")) {
            sb.append('\n').append("rows ").append(table).append(' ')
                    .append(rows(c, "select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from " + table + " t").get(0));
        }
        return sb.toString();
    }

    /** A copy of the kit's migrations/ and seeds/ in a temp folder, to edit freely. */
    static Path kitCopy() {
        try {
            Path dir = Files.createTempDirectory("rc-dbkit-test-");
            copyTree(kitDir().resolve("migrations"), dir.resolve("migrations"));
            copyTree(kitDir().resolve("seeds"), dir.resolve("seeds"));
            return dir;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Copies a folder, leaving out whatever lies under a folder named in skip. */
    static void copyTree(Path from, Path to, String... skip) throws IOException {
        try (var walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path rel = from.relativize(p);
                if (java.util.stream.StreamSupport.stream(rel.spliterator(), false).anyMatch(n -> List.of(skip).contains(n.toString()))) continue;
                Path target = to.resolve(rel.toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target);
            }
        }
    }

    /** A Prisma history in a temp folder: migration_lock.toml and, for each name then SQL given, NAME/migration.sql. */
    static Path prismaFolder(String... nameThenSql) throws IOException {
        Path folder = Files.createTempDirectory("prisma-");
        Files.writeString(folder.resolve("migration_lock.toml"), "provider = \"postgresql\"\n");
        for (int i = 0; i < nameThenSql.length; i += 2) {
            Files.createDirectories(folder.resolve(nameThenSql[i]));
            Files.writeString(folder.resolve(nameThenSql[i]).resolve("migration.sql"), nameThenSql[i + 1]);
        }
        return folder;
    }

    static String migrated() {
        String url = freshDatabase();
        Result r = run(new migrate(), env("DIRECT_URL", url));
        if (r.code() != 0) throw new IllegalStateException("migrate failed: " + r.all());
        return url;
    }

    static String seeded() {
        String url = migrated();
        Result r = run(new seed(), adminEnv(url));
        if (r.code() != 0) throw new IllegalStateException("seed failed: " + r.all());
        return url;
    }

    /** A script run as an operator runs it: ./jbang in its own JVM, output in files. */
    record Proc(Process process, Path out, Path err) {
        String stdout() throws IOException { return Files.readString(out); }
        String stderr() throws IOException { return Files.readString(err); }
        String all() throws IOException { return stdout() + stderr(); }
        int waitFor() throws Exception {
            if (!process.waitFor(180, java.util.concurrent.TimeUnit.SECONDS)) throw new AssertionError("did not finish: " + all());
            return process.exitValue();
        }

        /** Waits until it has said `text` on stderr (a state it reached); fails if it ends first or after three minutes. */
        void awaitErr(String text) throws Exception {
            long end = System.nanoTime() + java.time.Duration.ofMinutes(3).toNanos();
            while (!stderr().contains(text)) {
                if (!process.isAlive()) throw new AssertionError("ended before saying \"" + text + "\": " + all());
                if (System.nanoTime() > end) throw new AssertionError("never said \"" + text + "\": " + all());
                Thread.sleep(100);
            }
        }

        /** It and every process it started. */
        java.util.Set<Long> family() {
            java.util.Set<Long> pids = new java.util.HashSet<>();
            pids.add(process.pid());
            process.toHandle().descendants().forEach(h -> pids.add(h.pid()));
            return pids;
        }

        /** Sends a signal ("INT": Ctrl-C at a terminal, "TERM": a process manager's stop) to it and everything it started. */
        void signal(String signal) throws Exception {
            List<String> cmd = new ArrayList<>(List.of("kill", "-" + signal));
            family().forEach(pid -> cmd.add(String.valueOf(pid)));
            if (new ProcessBuilder(cmd).inheritIO().start().waitFor() != 0) throw new AssertionError("could not send SIG" + signal + " to " + cmd);
        }
    }

    /**
     * Runs ./jbang with these arguments as an operator at a terminal would, in the clean copy of the
     * kit with the environment given. SIGINT goes back to its default first: a runner started in
     * the background from a script (`nohup ... &`) has it ignored, every child inherits that, and
     * a shell cannot undo it (POSIX), so Ctrl-C would never reach the script (coreutils' env
     * --default-signal, 8.31 and later: Debian 11, Ubuntu 20.04).
     */
    static Proc launch(Map<String, String> env, String... args) throws IOException {
        Path kit = cleanKit();
        List<String> command = new ArrayList<>(List.of("/usr/bin/env", "--default-signal=INT", kit.resolve("jbang").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(kit.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Path out = Files.createTempFile("out", ".txt"), err = Files.createTempFile("err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        return new Proc(pb.start(), out, err);
    }

    private TestSupport() {}
}
