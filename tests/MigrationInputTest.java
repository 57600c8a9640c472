import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Migration files and options that cannot be applied as given (issue 27 items 3, 6 and 10): each is
 * refused before anything runs, with one sentence that names the file and line (or the option), the
 * documented exit code, and every catalog entry and row of the database the same; the same file is
 * judged the same on both engines.
 */
class MigrationInputTest {

    /** migrate with a migrations/ folder holding this one more file (Flyway) or a Prisma history of these migrations. */
    static TestSupport.Result flyway(String url, String file, String sql, String... more) throws Exception {
        Path kit = TestSupport.kitWith(file, sql);
        List<String> args = new java.util.ArrayList<>(List.of("--dir", kit.toString()));
        args.addAll(List.of(more));
        return TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), args.toArray(String[]::new));
    }

    static TestSupport.Result prisma(String url, String... nameThenSql) throws Exception {
        Path folder = TestSupport.prismaFolder(nameThenSql);
        return TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--prisma", folder.toString());
    }

    /** The case refused: exit 2, one error line holding `said`, and the database as it was. */
    static void refused(String url, String before, TestSupport.Result r, String said) {
        Figures.badInputs.incrementAndGet();
        assertEquals(2, r.code(), r.all());
        assertEquals(1, r.err().lines().filter(l -> l.startsWith("error: ")).count(), r.err());
        assertTrue(r.err().contains(said), "expected \"" + said + "\" in:\n" + r.err());
        Figures.refusedCleanly.incrementAndGet();
        assertEquals(before, TestSupport.fingerprint(url), "the database changed");
        Figures.tablesUnchanged.incrementAndGet();
    }

    @Test
    void aCommitOrRollbackInsideAFlywayMigrationIsRefusedBeforeAnythingRuns() throws Exception {
        String url = TestSupport.migrated();
        String before = TestSupport.fingerprint(url);
        // before: exit 4 "nothing from it was applied" with c_a left behind and no history row; every re-run then failed on c_a
        refused(url, before, flyway(url, "V5__split.sql", "CREATE TABLE c_a (id int);\nCOMMIT;\nCREATE TABLE c_b (id int);\nSELECT 1/0;\n"),
                "error: V5__split.sql line 2: COMMIT ends the transaction Flyway runs the migration in, so what came before it would stay applied without a history row");
        // before: exit 0, V5 recorded as applied, r_a missing
        refused(url, before, flyway(url, "V5__undo.sql", "CREATE TABLE r_a (id int);\nROLLBACK;\nCREATE TABLE r_b (id int);\n"),
                "error: V5__undo.sql line 2: ROLLBACK undoes what came before it in its transaction, yet the migration would be recorded as applied");
        refused(url, before, flyway(url, "V5__own.sql", "BEGIN;\nCREATE TABLE o_a (id int);\nEND;\n"),
                "error: V5__own.sql line 1: BEGIN opens a transaction inside the one Flyway runs the migration in");
        refused(url, before, flyway(url, "V5__abort.sql", "CREATE TABLE a_a (id int);\nabort work;\n"), "V5__abort.sql line 2: abort work undoes what came before it");
        refused(url, before, flyway(url, "V5__twophase.sql", "CREATE TABLE p_a (id int);\nPREPARE TRANSACTION 'x';\n"), "is two-phase commit, which a migration cannot record");
        // a savepoint stays inside the migration's transaction: applied
        Path kit = TestSupport.kitWith("V5__savepoint.sql", "CREATE TABLE s_a (id int);\nSAVEPOINT x;\nCREATE TABLE s_b (id int);\nROLLBACK TO SAVEPOINT x;\nRELEASE x;\n");
        TestSupport.Result ok = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString());
        assertEquals(0, ok.code(), ok.all());
        assertEquals("1|0", TestSupport.one(url, "select (select count(*) from pg_tables where tablename = 's_a'), (select count(*) from pg_tables where tablename = 's_b')"));
        // a COMMIT inside a DO block is left to PostgreSQL, which refuses it inside the migration's transaction: the migration fails whole
        Files.writeString(kit.resolve("migrations/V6__do.sql"), "CREATE TABLE d_a (id int);\nDO $$ BEGIN CREATE TABLE d_b (id int); COMMIT; END $$;\n");
        TestSupport.Result r = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString());
        assertEquals(4, r.code(), r.all());
        assertTrue(r.err().contains("V6__do.sql failed") && r.err().contains("invalid transaction termination") && r.err().contains("nothing from it was applied"), r.err());
        assertEquals("0|0", TestSupport.one(url, "select (select count(*) from pg_tables where tablename in ('d_a', 'd_b')), (select count(*) from flyway_schema_history where version = '6')"));
    }

    @Test
    void unbalancedTransactionControlInAPrismaMigrationIsRefusedBalancedPairsStillRun() throws Exception {
        String url = TestSupport.freshDatabase();
        String before = TestSupport.fingerprint(url);
        String init = "20240101000000_init";
        // before: the same half-applied state plus an unfinished history row (next run: exit 5, P3009)
        refused(url, before, prisma(url, init, "CREATE TABLE c_a (id int);\nCOMMIT;\nCREATE TABLE c_b (id int);\nSELECT 1/0;\n"),
                "error: 20240101000000_init/migration.sql line 2: COMMIT ends a transaction the file never opened: it would commit part of the migration half-way");
        // before: "Applied 1 migration" and no history row
        refused(url, before, prisma(url, init, "CREATE TABLE r_a (id int);\nROLLBACK;\nCREATE TABLE r_b (id int);\n"),
                "20240101000000_init/migration.sql line 2: ROLLBACK undoes what came before it in its transaction, yet the migration would be recorded as applied");
        refused(url, before, prisma(url, init, "BEGIN;\nCREATE TABLE u_a (id int);\n"), "line 1: BEGIN opens a transaction that the file never ends; add COMMIT where it should end");
        refused(url, before, prisma(url, init, "BEGIN;\nCREATE TABLE n_a (id int);\nBEGIN;\nCOMMIT;\n"), "line 3: BEGIN opens a transaction while the one opened at line 1 is still open");
        // Prisma's own enum change: balanced BEGIN ... COMMIT, with statements outside it, runs as written
        TestSupport.Result ok = prisma(url, init, "CREATE TYPE \"Role\" AS ENUM ('A', 'B');\nCREATE TABLE \"T\" (r \"Role\");\n",
                "20240102000000_roles", "BEGIN;\nCREATE TYPE \"Role_new\" AS ENUM ('A');\nALTER TABLE \"T\" ALTER COLUMN r TYPE \"Role_new\" USING (r::text::\"Role_new\");\n"
                        + "DROP TYPE \"Role\";\nALTER TYPE \"Role_new\" RENAME TO \"Role\";\nCOMMIT;\nCREATE INDEX t_r ON \"T\" (r);\n");
        assertEquals(0, ok.code(), ok.all());
        assertEquals("2", TestSupport.one(url, "select count(*) from _prisma_migrations where finished_at is not null"));
    }

    @Test
    void aNulByteOrBytesThatAreNotUtf8AreRefusedWithTheirOffsetTheSameOnBothEngines() throws Exception {
        byte[] nul = "CREATE TABLE n (id int);\nSELECT 'a\0b';\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] latin1 = "CREATE TABLE l (id int);\n-- caf\u00e9\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        for (byte[] bytes : List.of(nul, latin1)) {
            // the offset counts bytes from 0: 25 for the first line, then "SELECT 'a" or "-- caf"
            String said = bytes == nul ? "holds a NUL byte at byte 34 (line 2), which no PostgreSQL statement can hold" : "is not valid UTF-8 at byte 31 (line 2)";
            String url = TestSupport.migrated();
            String before = TestSupport.fingerprint(url);
            Path kit = TestSupport.kitCopy();
            Files.write(kit.resolve("migrations/V5__bytes.sql"), bytes);
            for (int run = 0; run < 2; run++) { // the same every time: the file is at fault, not the connection
                refused(url, before, TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString()), "error: V5__bytes.sql " + said);
            }
            Path folder = TestSupport.prismaFolder("20240101000000_bytes", "");
            Files.write(folder.resolve("20240101000000_bytes/migration.sql"), bytes);
            String fresh = TestSupport.freshDatabase();
            // before, for the NUL: exit 3 "the file is not at fault, re-running is safe"; for Latin-1: applied with replacement characters
            refused(fresh, TestSupport.fingerprint(fresh), TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", fresh), "--prisma", folder.toString()),
                    "error: 20240101000000_bytes/migration.sql " + said);
        }
    }

    @Test
    void aFolderNamedAsAMigrationIsSaidNotSkipped() throws Exception {
        String url = TestSupport.migrated();
        Path kit = TestSupport.kitCopy();
        Files.createDirectories(kit.resolve("migrations/V5__x.sql"));
        refused(url, TestSupport.fingerprint(url), TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString()),
                "error: migrations/ holds a folder named as a migration: V5__x.sql");
        TestSupport.Result st = TestSupport.run(new status(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString());
        assertEquals(2, st.code(), st.all());
        // status reads on: the folder is a finding of its Migrations part, the rest of the report stands
        assertTrue(st.out().contains("  PROBLEM: migrations/ holds a folder named as a migration: V5__x.sql"), st.all());
    }

    @Test
    void aTargetThatIsNoVersionOfAMigrationIsRefusedAsSuch() throws Exception {
        String url = TestSupport.freshDatabase();
        String before = TestSupport.fingerprint(url);
        for (String target : List.of("V9", "2.x", "V", "-1", "2..1", "9999999999999999999999")) {
            refused(url, before, TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--target", target),
                    "error: --target " + target + " names no migration in ");
        }
        // a version written with its V is the same migration
        TestSupport.Result ok = TestSupport.run(new migrate(), TestSupport.env("DIRECT_URL", url), "--target", "V2");
        assertEquals(0, ok.code(), ok.all());
        assertEquals("2", TestSupport.one(url, "select max(version) from flyway_schema_history"));
    }

    /** Issue 27 item 6: a policy that lets the role see only some rows of the history. */
    @Test
    void aHistoryThatAPolicyShowsOnlyInPartIsRefusedNamingThePolicy() throws Exception {
        String url = TestSupport.migrated();
        String asAuthor = TestSupport.asNewRole(url, "history_author", "Author-Pw-7113");
        TestSupport.exec(url, "grant select, insert, update, delete on flyway_schema_history to history_author;"
                + " create policy mine on flyway_schema_history using (installed_by = current_user)");
        String before = TestSupport.fingerprint(url);
        for (Cli command : List.of(new migrate(), new status())) {
            // before: status said 4 migrations to apply (exit 1); migrate ran V1 again and failed "type AdminRole already exists ... Fix the file" (exit 4)
            TestSupport.Result r = TestSupport.run(command, TestSupport.env("DIRECT_URL", asAuthor));
            refused(url, before, r, "error: table flyway_schema_history has row-level security and role history_author sees only the rows that its policy lets through: mine USING (");
            assertTrue(r.err().contains("run the kit as the table's owner, kit (on Supabase, the postgres role), or drop that policy."), r.err());
            assertFalse(r.out().contains("to apply"), r.out());
        }
    }
}
