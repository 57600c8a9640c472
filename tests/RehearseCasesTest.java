import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The cases the rehearsal used to get wrong (issue 25), rebuilt on the kit's own migrations with
 * planted rows: each rehearsal's verdict (exit code, sentence) is compared with the real run that
 * follows it, and the target is unchanged by the rehearsal (RehearseCommandTest.rehearse checks the
 * fingerprint before and after).
 */
class RehearseCasesTest {

    /** The kit's migrations migrated, members and teams planted as given (SQL), then the kit with one more migration. */
    private static String target(String rows) {
        String url = TestSupport.migrated();
        TestSupport.exec(url, rows);
        return url;
    }

    private static final String MEMBERS = """
            insert into "Member" (id, email, name, "discordId") values ('m1', 'a@corp.com', 'Ada', 'ada#1'), ('m2', 'b@home.org', null, null), ('m3', 'c@corp.com', null, 'cy#3');
            insert into "Team" (name, "ownerId") values ('Red', 'm1'), ('Blue', 'm3')""";

    private static TestSupport.Result rehearse(String url, Path kit, String... more) {
        return RehearseCommandTest.rehearse(url, kit, more);
    }

    private static TestSupport.Result real(String url, Path kit, String... more) {
        return RehearseCommandTest.migrateFor(url, kit, more);
    }

    /** Predicted to fail (exit 4, naming the file and line), and the real run fails there too. */
    private static void failsAlike(String url, Path kit, String file, String predicted, String real) {
        TestSupport.Result r = rehearse(url, kit);
        assertEquals(4, r.code(), r.all());
        assertTrue(r.err().contains("the rehearsal predicts that migrate would fail: " + file), r.err());
        assertTrue(r.err().contains(predicted), r.err());
        TestSupport.Result m = real(url, kit);
        assertEquals(4, m.code(), m.all());
        assertTrue(m.err().contains(real), m.err());
    }

    /** Proven to pass (exit 0, the last line says so), and the real run applies. */
    private static TestSupport.Result passesAlike(String url, Path kit, String... realOptions) {
        TestSupport.Result r = rehearse(url, kit);
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains(" on the copy and passes: ") || r.out().contains(" on the copy and pass: "), r.out());
        assertFalse(r.all().contains("not proven") || r.all().contains("cannot tell"), r.all());
        TestSupport.Result m = real(url, kit, realOptions);
        assertEquals(0, m.code(), m.all());
        return r;
    }

    @Test
    void aColumnRenameSwapThenSetNotNullIsJudgedOnTheColumnThatEndsUpThere() throws Exception {
        String swap = """
                ALTER TABLE "Member" RENAME COLUMN "name" TO "tmp";
                ALTER TABLE "Member" RENAME COLUMN "discordId" TO "name";
                ALTER TABLE "Member" RENAME COLUMN "tmp" TO "discordId";
                ALTER TABLE "Member" ALTER COLUMN "name" SET NOT NULL;
                """;
        // every name is set, a discordId is missing: after the swap "name" holds the discordIds
        String url = target(MEMBERS + "; update \"Member\" set name = 'x' where name is null");
        failsAlike(url, TestSupport.kitWith("V5__swap.sql", swap), "V5__swap.sql line 4", "column \"name\" of relation \"Member\" contains null values",
                "column \"name\" of relation \"Member\" contains null values");
        // the mirror (a former false alarm): names missing, every discordId set
        String mirror = target(MEMBERS + "; update \"Member\" set \"discordId\" = id where \"discordId\" is null");
        passesAlike(mirror, TestSupport.kitWith("V5__swap.sql", swap));
    }

    @Test
    void aDataStatementOverBadDataFailsOnTheCopyAsOnTheTarget() throws Exception {
        Path kit = TestSupport.kitWith("V5__settings.sql", "ALTER TABLE \"FeatureFlag\" ADD COLUMN \"rules\" JSONB;\n");
        String url = TestSupport.freshDatabase();
        assertEquals(0, real(url, kit).code());
        TestSupport.exec(url, "insert into \"FeatureFlag\" (key, rules) values ('a', '[]'), ('b', '[1]'), ('c', '5')");
        Files.writeString(kit.resolve("migrations/V6__prune.sql"), "-- flags without rules go\nDELETE FROM \"FeatureFlag\" WHERE jsonb_array_length(\"rules\") = 0;\n");
        failsAlike(url, kit, "V6__prune.sql line 2", "cannot get array length of a scalar", "cannot get array length of a scalar");
        // the same rows without the scalar: proven, and the real run deletes the one flag
        TestSupport.exec(url, "delete from \"FeatureFlag\" where key = 'c'");
        TestSupport.Result r = passesAlike(url, kit);
        assertTrue(r.out().contains("V6__prune.sql deletes 1 row of \"FeatureFlag\""), r.out());
        assertEquals("1", TestSupport.one(url, "select count(*) from \"FeatureFlag\""));
    }

    @Test
    void aConstantDefaultThenAUniqueIndexFailsWithTwoRows() throws Exception {
        Path kit = TestSupport.kitWith("V5__slug.sql", "ALTER TABLE \"Team\" ADD COLUMN \"slug\" TEXT NOT NULL DEFAULT 'team';\nCREATE UNIQUE INDEX \"Team_slug_key\" ON \"Team\"(\"slug\");\n");
        failsAlike(target(MEMBERS), kit, "V5__slug.sql line 2", "could not create unique index \"Team_slug_key\"", "could not create unique index \"Team_slug_key\"");
        passesAlike(target(MEMBERS + "; delete from \"Team\" where name = 'Blue'"), kit);
    }

    @Test
    void aFillThatMissesRowsBeforeSetNotNull() throws Exception {
        Path kit = TestSupport.kitWith("V5__names.sql", "UPDATE \"Member\" SET \"name\" = split_part(\"email\", '@', 1) WHERE \"email\" LIKE '%@corp.com';\n"
                + "ALTER TABLE \"Member\" ALTER COLUMN \"name\" SET NOT NULL;\n");
        failsAlike(target(MEMBERS), kit, "V5__names.sql line 2", "contains null values", "contains null values");
        TestSupport.Result r = passesAlike(target(MEMBERS + "; update \"Member\" set email = 'b@corp.com' where id = 'm2'"), kit);
        assertTrue(r.out().contains("V5__names.sql updates 3 rows of \"Member\""), r.out());
    }

    @Test
    void aTableRenameThenAUniqueIndex() throws Exception {
        Path kit = TestSupport.kitWith("V5__flags.sql", "ALTER TABLE \"FeatureFlag\" RENAME TO \"Flag\";\nCREATE UNIQUE INDEX \"Flag_category_key\" ON \"Flag\"(\"category\");\n");
        String flags = "insert into \"FeatureFlag\" (key, category) values ('a', 'general'), ('b', 'billing')";
        failsAlike(target(flags + ", ('c', 'billing')"), kit, "V5__flags.sql line 2", "could not create unique index", "could not create unique index");
        passesAlike(target(flags), kit);
    }

    @Test
    void anEnumLabelRemovalThatNoRowKeepsIsProven() throws Exception {
        String removal = """
                UPDATE "Member" SET "subscriptionStatus" = 'ACTIVE' WHERE "subscriptionStatus" = 'PAST_DUE';
                UPDATE "Team" SET "subscriptionStatus" = 'ACTIVE' WHERE "subscriptionStatus" = 'PAST_DUE';
                CREATE TYPE "SubscriptionStatus_new" AS ENUM ('NONE', 'TRIALING', 'ACTIVE', 'CANCELED');
                ALTER TABLE "Member" ALTER COLUMN "subscriptionStatus" DROP DEFAULT;
                ALTER TABLE "Team" ALTER COLUMN "subscriptionStatus" DROP DEFAULT;
                ALTER TABLE "Member" ALTER COLUMN "subscriptionStatus" TYPE "SubscriptionStatus_new" USING ("subscriptionStatus"::text::"SubscriptionStatus_new");
                ALTER TABLE "Team" ALTER COLUMN "subscriptionStatus" TYPE "SubscriptionStatus_new" USING ("subscriptionStatus"::text::"SubscriptionStatus_new");
                ALTER TYPE "SubscriptionStatus" RENAME TO "SubscriptionStatus_old";
                ALTER TYPE "SubscriptionStatus_new" RENAME TO "SubscriptionStatus";
                DROP TYPE "SubscriptionStatus_old";
                ALTER TABLE "Member" ALTER COLUMN "subscriptionStatus" SET DEFAULT 'NONE';
                ALTER TABLE "Team" ALTER COLUMN "subscriptionStatus" SET DEFAULT 'NONE';
                """;
        String url = target(MEMBERS + "; update \"Member\" set \"subscriptionStatus\" = 'PAST_DUE' where id = 'm2'; update \"Team\" set \"subscriptionStatus\" = 'PAST_DUE'");
        TestSupport.Result r = passesAlike(url, TestSupport.kitWith("V5__no_past_due.sql", removal));
        assertTrue(r.out().contains("each of its 12 statements is proven (all ran on the copy with the target's rows)"), r.out());
        assertEquals("0", TestSupport.one(url, "select count(*) from pg_enum where enumlabel = 'PAST_DUE'"));
    }

    @Test
    void whatAMigrationDestroysIsCountedOnTheCopy() throws Exception {
        String url = TestSupport.seeded();
        Path kit = TestSupport.kitWith("V5__trim.sql", "ALTER TABLE \"FeatureFlag\" DROP COLUMN \"description\";\nDROP TYPE \"AdminRole\" CASCADE;\n");
        TestSupport.Result r = rehearse(url, kit);
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("      V5__trim.sql drops column \"FeatureFlag\".\"description\" (8 non-null values); drops type \"AdminRole\" with column \"Admin\".\"role\" (1 non-null value)\n"), r.out());
        assertTrue(r.err().contains("would lose data"), r.err());
        assertEquals(0, real(url, kit, "--allow-destructive").code());
        assertEquals("0|0", TestSupport.one(url, "select (select count(*) from information_schema.columns where table_name = 'FeatureFlag' and column_name = 'description'),"
                + " (select count(*) from information_schema.columns where table_name = 'Admin' and column_name = 'role')"));
    }
}
