import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A target with an extension the kit's embedded PostgreSQL lacks (formbricks' pgvector, here the
 * tests' own {@value Postgres15#EXTENSION} on the machine's PostgreSQL 15): without --shadow-url,
 * status --schema and --rehearse say which extension and what to do, exit 2, never a migration
 * blamed (was exit 4); with --shadow-url naming a server that has it, the shadow is a throwaway
 * database there, compared as on the embedded one and dropped on every way out; a shadow that is
 * the target itself is refused; a database a killed run left there is dropped by the next.
 */
@Needs(Tool.POSTGRESQL_15)
class ShadowUrlTest {
    /** The formbricks shape: a migration creates the extension and uses its type. */
    static final String WITH_THE_EXTENSION = """
            CREATE EXTENSION IF NOT EXISTS "kit_probe";
            CREATE TABLE "Document" ("id" integer NOT NULL, "embedding" probe_vector, CONSTRAINT "Document_pkey" PRIMARY KEY ("id"));
            ALTER TABLE "Document" ENABLE ROW LEVEL SECURITY;
            """;
    static final String SHADOW_ROLE = "shadow_maker";
    static final String SHADOW_PASSWORD = "Shadow-Maker-Pass-42";
    private static final AtomicInteger databases = new AtomicInteger();

    /** A database of the PostgreSQL 15 cluster, migrated with the kit and a V5 that creates the extension; its URL as the superuser. */
    static String migratedWithTheExtension(Path kit) throws Exception {
        String url = Postgres15.get().freshDatabase("target" + databases.incrementAndGet());
        TestSupport.Result m = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString());
        assertEquals(0, m.code(), m.all());
        assertEquals(0, TestSupport.run(new seed(), TestSupport.adminEnv(url), "--dir", kit.toString()).code());
        return url;
    }

    /** The shadow server's URL: the same cluster, as a role that may create databases and roles and is no superuser (as `supabase start`'s postgres). */
    static String shadowUrl() throws Exception {
        Postgres15 pg = Postgres15.get();
        pg.exec("postgres", "do $$ begin create role " + SHADOW_ROLE + " login createdb createrole password '" + SHADOW_PASSWORD + "'; exception when duplicate_object then null; end $$");
        return pg.url(SHADOW_ROLE, SHADOW_PASSWORD, "postgres");
    }

    static List<String> leftOnTheShadowServer() throws Exception {
        return Postgres15.get().rows("postgres", "select datname from pg_database where datname like 'rc\\_dbkit\\_%'");
    }

    @Test
    void withoutShadowUrlAnExtensionTheEmbeddedShadowLacksIsNamedExit2AndNoMigrationIsBlamed() throws Exception {
        Path kit = TestSupport.kitWith("V5__documents.sql", WITH_THE_EXTENSION);
        String url = migratedWithTheExtension(kit);
        String sentence = "error: the target has extension \"kit_probe\", which the kit's embedded PostgreSQL 15 cannot install (not in its pg_available_extensions),"
                + " so a copy there would fail or differ for no migration's fault: give --shadow-url a PostgreSQL that has it";
        TestSupport.Result status = TestSupport.run(new status(), TestSupport.adminEnv(url), "--dir", kit.toString(), "--schema");
        // before: exit 4, "the migrations did not apply to the shadow database: V5__documents.sql failed ... Fix the file and run migrate again"
        assertEquals(2, status.code(), status.all());
        assertTrue(status.err().contains(sentence), status.err());
        assertFalse(status.all().contains("Fix the file"), status.all());
        Path pending = TestSupport.kitWith("V5__documents.sql", WITH_THE_EXTENSION);
        java.nio.file.Files.writeString(pending.resolve("migrations/V6__more.sql"), "ALTER TABLE \"Document\" ADD COLUMN \"title\" text;\n");
        String before = fingerprint(url);
        TestSupport.Result rehearse = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", pending.toString(), "--rehearse");
        assertEquals(2, rehearse.code(), rehearse.all());
        assertTrue(rehearse.err().contains(sentence), rehearse.err());
        assertEquals(before, fingerprint(url));
    }

    /** A pending migration creates an extension the target can install and the embedded shadow cannot: exit 2, not a predicted failure. */
    @Test
    void aPendingCreateExtensionTheEmbeddedShadowCannotInstallIsExit2NotAPredictedFailure() throws Exception {
        String url = Postgres15.get().freshDatabase("target" + databases.incrementAndGet());
        assertEquals(0, TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url)).code());
        Path kit = TestSupport.kitWith("V5__documents.sql", WITH_THE_EXTENSION);
        TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString(), "--rehearse");
        assertEquals(2, r.code(), r.all());
        assertTrue(r.err().contains("error: the target has extension \"kit_probe\", which the kit's embedded PostgreSQL 15 cannot install"), r.err());
        // with a shadow that has it, the rehearsal proves the migration
        TestSupport.Result shadowed = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString(), "--rehearse", "--shadow-url", shadowUrl());
        assertEquals(0, shadowed.code(), shadowed.all());
        assertEquals(List.of(), leftOnTheShadowServer());
    }

    @Test
    void withShadowUrlTheCopyIsAThrowawayDatabaseThereComparedAndDroppedAfter() throws Exception {
        Path kit = TestSupport.kitWith("V5__documents.sql", WITH_THE_EXTENSION);
        String url = migratedWithTheExtension(kit);
        String shadow = shadowUrl();
        TestSupport.Result clean = TestSupport.run(new status(), TestSupport.adminEnv(url), "--dir", kit.toString(), "--schema", "--json", "--shadow-url", shadow);
        assertEquals(0, clean.code(), clean.all());
        assertTrue(clean.err().contains("connecting to the shadow server postgresql://shadow_maker:****@127.0.0.1:"), clean.err());
        assertFalse(clean.all().contains(SHADOW_PASSWORD), clean.all());
        assertEquals(List.of(), leftOnTheShadowServer());
        Postgres15.get().exec(TestSupport.databaseName(url), "alter table \"Document\" alter column \"embedding\" set not null; grant select on \"Document\" to " + SHADOW_ROLE);
        TestSupport.Result drift = TestSupport.run(new status(), TestSupport.adminEnv(url), "--dir", kit.toString(), "--schema", "--json", "--shadow-url", shadow);
        assertEquals(5, drift.code(), drift.all());
        JsonNode differences = Console.JSON.readTree(drift.out()).get("drift").get("differences");
        assertEquals(List.of("column \"Document\".\"embedding\": nullable in the migrations, not null in the database",
                "privileges of shadow_maker on table \"Document\": none in the migrations, SELECT in the database: granted by hand?"),
                List.of(differences.get(0).asText(), differences.get(1).asText()));
        assertEquals(2, differences.size(), differences.toString());
        assertEquals(List.of(), leftOnTheShadowServer());
    }

    @Test
    void aShadowUrlThatIsTheTargetItselfIsRefusedWhateverItsText() throws Exception {
        String url = Postgres15.get().freshDatabase("target" + databases.incrementAndGet());
        assertEquals(0, TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url)).code());
        String sameDatabaseOtherText = url.replace("127.0.0.1", "localhost") + "?sslmode=disable";
        TestSupport.Result r = TestSupport.run(new status(), TestSupport.env("DIRECT_URL", url), "--schema", "--shadow-url", sameDatabaseOtherText);
        assertEquals(2, r.code(), r.all());
        assertTrue(r.err().contains("is the target's own database (same server, same database), and the kit creates and drops databases on the shadow server"), r.err());
        assertEquals(List.of(), leftOnTheShadowServer());
        // another database of the same server is a shadow server like any other
        TestSupport.Result other = TestSupport.run(new status(), TestSupport.env("DIRECT_URL", url), "--schema", "--json", "--shadow-url", shadowUrl());
        assertEquals("ok", Console.JSON.readTree(other.out()).get("drift").get("state").asText(), other.all());
    }

    @Test
    void aThrowawayDatabaseAKilledRunLeftOnTheShadowServerIsDroppedByTheNextRunSayingSo() throws Exception {
        String url = Postgres15.get().freshDatabase("target" + databases.incrementAndGet());
        assertEquals(0, TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url)).code());
        String shadow = shadowUrl();
        Postgres15.get().exec("postgres", "create database rc_dbkit_0badf00d_shadow owner " + SHADOW_ROLE);
        TestSupport.Result r = TestSupport.run(new status(), TestSupport.env("DIRECT_URL", url), "--schema", "--shadow-url", shadow);
        assertTrue(r.err().contains("note: dropped a throwaway database that an earlier run, killed, left on the shadow server."), r.err());
        assertEquals(List.of(), leftOnTheShadowServer());
    }

    @Test
    void ctrlCWhileTheCopyIsBuiltOnTheShadowServerDropsItsDatabase() throws Exception {
        Path kit = TestSupport.kitWith("V5__slow_on_a_shadow.sql", "SELECT pg_sleep(CASE WHEN current_database() LIKE 'rc\\_dbkit\\_%' THEN 60 ELSE 0 END);\n");
        String url = Postgres15.get().freshDatabase("target" + databases.incrementAndGet());
        assertEquals(0, TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString()).code());
        TestSupport.Proc p = TestSupport.launch(TestSupport.env("DIRECT_URL", url), "status.java", "--schema", "--dir", kit.toString(), "--shadow-url", shadowUrl());
        p.awaitErr("building the copy: 5 migrations ...");
        assertEquals(1, leftOnTheShadowServer().size(), leftOnTheShadowServer().toString());
        p.signal("INT");
        assertEquals(130, p.waitFor(), p.all());
        assertTrue(p.stderr().contains("error: status --schema was interrupted while building the copy"), p.stderr());
        assertEquals(List.of(), leftOnTheShadowServer());
    }

    static String fingerprint(String url) throws Exception {
        try (var c = Postgres15.get().superuser(TestSupport.databaseName(url))) {
            return TestSupport.fingerprint(c);
        }
    }
}
