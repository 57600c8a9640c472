import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bench's cases of migrate --rehearse (issue 25): a rehearsal with the target's rows copied,
 * one with --no-rows, beside status --schema (which builds the same copy without rows), on the
 * kit's own schema holding 200,000 feature flags and on documenso holding 200,000 users and
 * 200,000 subscriptions. Each
 * rehearsal's "copied ..." line is kept: the copy's throughput.
 */
final class RehearsalCases {
    static final int FLAGS = 200_000;
    static final int USERS = 200_000;
    static final String BEFORE = "20230917190854_password_reset_token";
    static final String GROUP_KIT = "a rehearsal: the kit's schema holding " + String.format("%,d", FLAGS) + " feature flags, one pending migration that rewrites their table";
    static final String GROUP_DOCUMENSO = "a rehearsal: documenso at its 25th migration holding " + String.format("%,d", USERS) + " users and as many subscriptions, the 26th pending (a DELETE, then a unique index over them)";

    /** What each rehearsal said it copied ("copied 6 tables, 200,004 rows, 31 MB ... in 2.1 s"), by case and port. */
    static final Map<String, String> copied = new LinkedHashMap<>();

    static List<run.Case> cases(Path work, Path documenso) throws Exception {
        Path kitMigrations = run.KIT.resolve("migrations");
        Path schemaKit = run.kitDir(work.resolve("rehearse-kit-applied"), kitMigrations, Integer.MAX_VALUE);
        Path pendingKit = run.kitDir(work.resolve("rehearse-kit-pending"), kitMigrations, Integer.MAX_VALUE);
        Files.writeString(pendingKit.resolve("migrations/V5__flag_description_required.sql"), """
                -- every flag is described, in at most 200 characters
                ALTER TABLE "FeatureFlag" ALTER COLUMN "description" SET NOT NULL;
                ALTER TABLE "FeatureFlag" ALTER COLUMN "description" TYPE VARCHAR(200);
                """);
        String flags = run.newDb();
        run.must(run.kit(run.env(flags, run.server.port()), schemaKit, "migrate.java"), "migrate (the kit's schema)");
        sql(flags, "insert into \"FeatureFlag\" (key, enabled, category, description) select 'flag_' || g, g % 2 = 0, 'bench', 'Generated flag number ' || g"
                + " || ', described at some length so that the table weighs what a real one might' from generate_series(1, " + FLAGS + ") g; analyze");

        Path applied = work.resolve("rehearse-documenso-applied");
        Path pending = work.resolve("rehearse-documenso-pending");
        List<Path> folders;
        try (var s = Files.list(documenso)) {
            folders = s.filter(d -> Files.isRegularFile(d.resolve("migration.sql"))).sorted().toList();
        }
        int before = folders.stream().map(d -> d.getFileName().toString()).toList().indexOf(BEFORE) + 1;
        for (int i = 0; i <= before; i++) {
            if (i < before) copyFolder(folders.get(i), applied.resolve(folders.get(i).getFileName()));
            copyFolder(folders.get(i), pending.resolve(folders.get(i).getFileName()));
        }
        Path docKit = Files.createDirectories(work.resolve("rehearse-documenso-kit"));
        Files.createDirectories(docKit.resolve("seeds"));
        String users = run.newDb();
        run.must(run.kit(run.env(users, run.server.port()), docKit, "migrate.java", "--prisma", applied.toString()), "migrate --prisma (documenso)");
        sql(users, "insert into \"User\" (id, email, name) select 1000 + g, 'user' || g || '@example.com', 'User number ' || g from generate_series(1, " + USERS + ") g;"
                + " insert into \"Subscription\" (\"userId\", \"customerId\", \"planId\", \"updatedAt\") select 1000 + g, 'cus_' || g, 'plan_' || (g % 3), now() from generate_series(1, " + USERS + ") g; analyze");

        List<run.Case> cases = new ArrayList<>();
        cases.add(new run.Case(GROUP_KIT, "status --schema (the copy without rows, and the comparison)", "kit", run.fixed(flags),
                (db, port) -> run.kit(run.withoutAdminPassword(run.env(db, port)), schemaKit, "status.java", "--schema"), "Database is up to date.", 0, true));
        cases.add(new run.Case(GROUP_KIT, "migrate --rehearse, the rows copied", "kit", run.fixed(flags),
                (db, port) -> kept("kit", port, run.kit(run.env(db, port), pendingKit, "migrate.java", "--rehearse")), "passes", 0, true));
        cases.add(new run.Case(GROUP_KIT, "migrate --rehearse --no-rows (checks of the target's rows instead)", "kit", run.fixed(flags),
                (db, port) -> run.kit(run.env(db, port), pendingKit, "migrate.java", "--rehearse", "--no-rows"), "passes", 0, true));
        cases.add(new run.Case(GROUP_DOCUMENSO, "status --schema --prisma", "kit", run.fixed(users),
                (db, port) -> run.kit(run.withoutAdminPassword(run.env(db, port)), docKit, "status.java", "--schema", "--prisma", applied.toString()), "Database is up to date.", 0, true));
        cases.add(new run.Case(GROUP_DOCUMENSO, "migrate --prisma --rehearse, the rows copied", "kit", run.fixed(users),
                (db, port) -> kept("documenso", port, run.kit(run.env(db, port), docKit, "migrate.java", "--prisma", pending.toString(), "--rehearse")), "passes", 0, true));
        return cases;
    }

    /** Keeps the rehearsal's "copied ..." line: the copy's throughput on loopback and at the delay. */
    static run.Sample kept(String what, int port, run.Sample s) {
        s.output().lines().filter(l -> l.strip().startsWith("copied ")).findFirst()
                .ifPresent(l -> copied.put(what + (port == run.server.port() ? ", loopback" : ", at the delay"), l.strip()));
        return s;
    }

    static void sql(String db, String sql) throws Exception {
        try (Connection c = run.server.admin(db); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    static void copyFolder(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        Files.copy(from.resolve("migration.sql"), to.resolve("migration.sql"));
    }
}
