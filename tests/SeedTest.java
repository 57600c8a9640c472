import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** seed.java against a real PostgreSQL: exact rows, idempotence, production changes kept, refusals. */
class SeedTest {

    /** A copy of the kit with one more seed file, seeds/`file` holding `json`. */
    static Path kitWithSeed(String file, String json) throws Exception {
        Path kit = TestSupport.kitCopy();
        Files.writeString(kit.resolve("seeds/" + file), json);
        return kit;
    }

    @Test
    void insertsExactlyTheProductionRows() {
        String url = TestSupport.migrated();
        TestSupport.Result r = TestSupport.seedsOk(url);
        assertTrue(r.out().contains("Done: 23 inserted, 0 updated, 0 unchanged across 4 files"), r.out());
        assertEquals(List.of(
                "auto_fix_reconciliation|false|operations|Auto-fix drift in reconciliation",
                "enable_magic_links|true|auth|Enable magic link login",
                "enable_team_signups|true|billing|Allow company plan signups",
                "maintenance_mode|false|general|Block all non-admin operations",
                "require_introduction|true|onboarding|Require intro message before full access",
                "send_billing_emails|true|email|Send billing failure/recovery emails",
                "send_claim_reminders|true|email|Send reminder emails to unclaimed members",
                "send_invite_emails|true|email|Send team seat invitation emails"),
                TestSupport.rows(url, "select key, enabled, category, description from \"FeatureFlag\" order by key"));
        assertEquals(List.of(
                "benchmark_submission|50|Benchmark Submission|true",
                "discord_activity|1|Discord Activity|true",
                "intro_completed|25|Introduction Completed|true",
                "resource_download|5|Resource Download|true"),
                TestSupport.rows(url, "select action, points, label, enabled from \"PointConfig\" order by action"));
        assertEquals(List.of(
                "claim_reminder|Thy Discord access awaits",
                "claim_reminder_cheeky|We miss thee at The Revenue Council",
                "password_reset|Reset Thy Password - The Revenue Council",
                "password_reset_confirmation|Thy Password Hath Been Changed - The Revenue Council",
                "payment_failure|Action needed: Payment issue with The Revenue Council",
                "payment_recovered|Payment received - Welcome back!",
                "payment_recovered_debtor|Payment received - Welcome back!",
                "reconciliation_report|[TRC Reconciliation] {{issuesFound}} drift issue(s) detected",
                "seat_invite|You're invited to join {{teamName}} at The Revenue Council",
                "welcome|Welcome to The Revenue Council"),
                TestSupport.rows(url, "select name, subject from \"EmailTemplate\" order by name"));
        assertEquals("0", TestSupport.one(url, "select count(*) from \"EmailTemplate\" where body not like '<!DOCTYPE html>%'"));
        assertEquals(TestSupport.ADMIN_EMAIL + "|SUPER_ADMIN", TestSupport.one(url, "select email, role from \"Admin\""));
        String hash = TestSupport.one(url, "select \"passwordHash\" from \"Admin\"");
        assertTrue(hash.matches("\\$argon2id\\$v=19\\$m=65536,t=3,p=4\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}"), hash);
        assertTrue(new PasswordHasher().verifies(hash, TestSupport.ADMIN_PASSWORD));
        assertFalse(new PasswordHasher().verifies(hash, TestSupport.ADMIN_PASSWORD + "x"));
    }

    @Test
    void aSecondRunChangesNothingByteForByte() {
        String url = TestSupport.seeded();
        String before = TestSupport.fingerprint(url);
        TestSupport.Result r = TestSupport.seedsOk(url);
        assertTrue(r.out().contains("0 inserted, 0 updated, 23 unchanged"), r.out());
        assertTrue(r.out().contains("nothing needed changing"), r.out());
        assertEquals(before, TestSupport.fingerprint(url));
    }

    @Test
    void productionChangesSurviveAndUpsertBringsTheAdminBack() {
        String url = TestSupport.seeded();
        TestSupport.exec(url, "update \"FeatureFlag\" set enabled = true where key = 'maintenance_mode'");
        TestSupport.exec(url, "update \"PointConfig\" set points = 99 where action = 'discord_activity'");
        TestSupport.exec(url, "update \"Admin\" set role = 'ADMIN'");
        TestSupport.exec(url, "delete from \"EmailTemplate\" where name = 'welcome'");
        String hash = TestSupport.one(url, "select \"passwordHash\" from \"Admin\"");
        TestSupport.Result r = TestSupport.seedsOk(url);
        assertTrue(r.out().contains("1 inserted, 1 updated, 21 unchanged"), r.out());
        assertEquals("true", TestSupport.one(url, "select enabled from \"FeatureFlag\" where key = 'maintenance_mode'"));
        assertEquals("99", TestSupport.one(url, "select points from \"PointConfig\" where action = 'discord_activity'"));
        assertEquals("SUPER_ADMIN", TestSupport.one(url, "select role from \"Admin\""));
        assertEquals(hash, TestSupport.one(url, "select \"passwordHash\" from \"Admin\""), "a hash that still verifies is kept");
        assertEquals("1", TestSupport.one(url, "select count(*) from \"EmailTemplate\" where name = 'welcome'"));
    }

    @Test
    void threeSeedersAtOnceAllSucceedWithoutDuplicates() throws Exception {
        String url = TestSupport.migrated();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Future<TestSupport.Result>> runs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            runs.add(pool.submit((Callable<TestSupport.Result>) () -> TestSupport.run(new seed(), TestSupport.adminEnv(url), "--json")));
        }
        int inserted = 0;
        for (Future<TestSupport.Result> f : runs) {
            TestSupport.Result r = f.get();
            assertEquals(0, r.code(), r.all());
            inserted += Console.JSON.readTree(r.out()).get("inserted").asInt();
        }
        pool.shutdown();
        assertEquals(23, inserted, "the runs' inserts add up to the rows, once");
        assertEquals("1|8|4|10", TestSupport.seededCounts(url));
    }

    @Test
    void dryRunPreviewsExactlyAndWritesNothing() {
        String url = TestSupport.migrated();
        String before = TestSupport.fingerprint(url);
        TestSupport.Result r = TestSupport.run(new seed(), TestSupport.adminEnv(url), "--dry-run");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("Would    02_feature_flags.json"), r.out());
        assertTrue(r.out().contains("23 to insert"), r.out());
        assertTrue(r.out().contains("nothing was written"), r.out());
        assertEquals(before, TestSupport.fingerprint(url));
    }

    @Test
    void missingOrWeakSecretsAreExit2AndWriteNothing() {
        String url = TestSupport.migrated();
        String before = TestSupport.fingerprint(url);
        Object[][] cases = {
            {TestSupport.env("DIRECT_URL", url, "ADMIN_SEED_PASSWORD", TestSupport.ADMIN_PASSWORD), "needs ADMIN_SEED_EMAIL, which is not set"},
            {TestSupport.env("DIRECT_URL", url, "ADMIN_SEED_EMAIL", TestSupport.ADMIN_EMAIL), "needs ADMIN_SEED_PASSWORD, which is not set"},
            {TestSupport.env("DIRECT_URL", url, "ADMIN_SEED_EMAIL", TestSupport.ADMIN_EMAIL, "ADMIN_SEED_PASSWORD", ""), "needs ADMIN_SEED_PASSWORD"},
            {TestSupport.env("DIRECT_URL", url, "ADMIN_SEED_EMAIL", "not-an-email", "ADMIN_SEED_PASSWORD", TestSupport.ADMIN_PASSWORD), "is not an e-mail address"},
            {TestSupport.env("DIRECT_URL", url, "ADMIN_SEED_EMAIL", TestSupport.ADMIN_EMAIL, "ADMIN_SEED_PASSWORD", "short1!"), "shorter than 12 characters"},
            {TestSupport.env("DIRECT_URL", url, "ADMIN_SEED_EMAIL", TestSupport.ADMIN_EMAIL, "ADMIN_SEED_PASSWORD", "TestPassword123!"), "too easy to guess"},
            {TestSupport.env("DIRECT_URL", url, "ADMIN_SEED_EMAIL", TestSupport.ADMIN_EMAIL, "ADMIN_SEED_PASSWORD", TestSupport.ADMIN_EMAIL), "same as another value"},
        };
        checkRefusals(cases);
        assertEquals(before, TestSupport.fingerprint(url));
    }

    static void checkRefusals(Object[][] cases) {
        for (Object[] c : cases) {
            @SuppressWarnings("unchecked")
            TestSupport.Result r = TestSupport.run(new seed(), (Map<String, String>) c[0]);
            assertEquals(2, r.code(), r.all());
            assertTrue(r.err().contains((String) c[1]), r.err());
            assertEquals(1, r.err().lines().filter(l -> l.startsWith("error:")).count(), r.err());
        }
    }

    @Test
    void passwordsZxcvbnRatesWeakAreRefusedThoughLongEnough() {
        String url = TestSupport.migrated();
        String before = TestSupport.fingerprint(url);
        List<Object[]> cases = new ArrayList<>();
        for (String weak : List.of("password1234", "admin1234567", "changeme1234", "qwertyuiop12")) {
            cases.add(new Object[] {TestSupport.env("DIRECT_URL", url, "ADMIN_SEED_EMAIL", TestSupport.ADMIN_EMAIL, "ADMIN_SEED_PASSWORD", weak), "is too easy to guess (zxcvbn rates it"});
        }
        checkRefusals(cases.toArray(Object[][]::new));
        assertEquals(before, TestSupport.fingerprint(url));
    }

    @Test
    void bothAdminVariablesMissingAreNamedInOneRun() {
        String url = TestSupport.migrated();
        TestSupport.Result r = TestSupport.run(new seed(), TestSupport.env("DIRECT_URL", url));
        assertEquals(2, r.code(), r.all());
        assertTrue(r.err().contains("01_admin.json needs ADMIN_SEED_EMAIL and ADMIN_SEED_PASSWORD, which are not set: set them in the environment or in .env"), r.err());
        assertEquals("0", TestSupport.one(url, "select count(*) from \"FeatureFlag\""));
    }

    @Test
    void brokenSeedFilesAreExit2Or5WithTheFileNamedAndWriteNothing() throws Exception {
        String url = TestSupport.migrated();
        String[][] cases = {
            {"{\"table\": \"FeatureFlag\", \"key\": [\"key\"], \"rows\": [ {\"key\": \"a\",} ]}", "2", "99_bad.json is not valid JSON at line 1, column"},
            {"{\"table\": \"FeatureFlag\", \"key\": [\"key\"], \"rowz\": []}", "2", "unknown field \"rowz\""},
            {"{\"table\": \"FeatureFlag\", \"key\": [\"key\"], \"rows\": [{\"key\": \"a\", \"colour\": \"red\"}]}", "5", "names the column \"colour\", which table \"FeatureFlag\" does not have"},
            {"{\"table\": \"Flags\", \"key\": [\"key\"], \"rows\": [{\"key\": \"a\"}]}", "5", "seeds table \"Flags\", which does not exist"},
            {"{\"table\": \"FeatureFlag\", \"key\": [\"key\"], \"rows\": [{\"key\": \"a\"}, {\"key\": \"a\"}]}", "2", "repeats the key [a]"},
            {"{\"table\": \"FeatureFlag\", \"key\": [\"key\"], \"rows\": [{\"enabled\": true}]}", "2", "no value for the key column \"key\""},
            {"{\"table\": \"FeatureFlag\", \"key\": [\"category\"], \"rows\": [{\"key\": \"a\", \"category\": \"c\"}]}", "5", "no unique index on exactly those columns"},
            {"{\"table\": \"FeatureFlag\", \"key\": [\"key\"], \"rows\": [{\"key\": \"a\", \"enabled\": \"yes\"}]}", "2", "expected true or false for boolean"},
            {"{\"table\": \"Admin\", \"key\": [\"email\"], \"rows\": [{\"email\": \"a@b.co\", \"passwordHash\": \"x\", \"role\": \"OWNER\"}]}", "2", "expected one of [ADMIN, SUPER_ADMIN]"},
            {"{\"table\": \"FeatureFlag\", \"key\": [\"key\"], \"rows\": [{\"key\": \"a\", \"description\": {\"$file\": \"../../etc/passwd\"}}]}", "2", "outside the seeds folder"},
            {"{\"table\": \"FeatureFlag\", \"key\": [\"key\"], \"rows\": [{\"key\": \"a\", \"description\": {\"$env\": \"SURELY_UNSET_VAR\"}}]}", "2", "needs SURELY_UNSET_VAR, which is not set"},
            {"{\"table\": \"FeatureFlag\", \"key\": [\"key\"], \"mode\": \"merge\", \"rows\": []}", "2", "it must be \"insert-missing\" or \"upsert\""},
            {"{\"table\": \"PointConfig\", \"key\": [\"action\"], \"rows\": [{\"action\": \"a\", \"points\": 1}]}", "2", "no value for \"label\", which the table requires"},
        };
        for (String[] c : cases) {
            Path kit = TestSupport.kitCopy();
            Files.writeString(kit.resolve("seeds/99_bad.json"), c[0]);
            String before = TestSupport.fingerprint(url);
            TestSupport.Result r = TestSupport.run(new seed(), TestSupport.adminEnv(url), "--dir", kit.toString());
            assertEquals(Integer.parseInt(c[1]), r.code(), r.all());
            assertTrue(r.err().contains(c[2]), "expected '" + c[2] + "' in: " + r.err());
            assertTrue(r.err().contains("99_bad.json"), r.err());
            assertEquals(before, TestSupport.fingerprint(url), "nothing written for: " + c[0]);
        }
        assertEquals("0", TestSupport.one(url, "select count(*) from \"FeatureFlag\""));
    }

    @Test
    void aStatementThatFailsRollsBackTheWholeRunExit4() throws Exception {
        String url = TestSupport.migrated();
        // passes every check, then breaks a foreign key at write time
        Path kit = kitWithSeed("99_team.json",
                "{\"table\": \"Team\", \"key\": [\"name\"], \"rows\": [{\"name\": \"T\", \"ownerId\": \"no-such-member\"}]}");
        TestSupport.Result r = TestSupport.run(new seed(), TestSupport.adminEnv(url), "--dir", kit.toString());
        assertEquals(4, r.code(), r.all());
        assertTrue(r.err().contains("99_team.json failed") && r.err().contains("Team_ownerId_fkey") && r.err().contains("rolled back"), r.err());
        assertEquals("0|0", TestSupport.one(url, "select (select count(*) from \"Admin\"), (select count(*) from \"FeatureFlag\")"));
    }

    @Test
    void devDataOnlyForALocalDatabase() {
        TestSupport.Result remote = TestSupport.run(new seed(),
                TestSupport.adminEnv("postgresql://kit:x@db.example.com:5432/app"), "--dev");
        assertEquals(2, remote.code(), remote.all());
        assertTrue(remote.err().contains("only runs against a database on this machine"), remote.err());
        assertFalse(remote.err().contains("refused") || remote.err().contains("unknown host"), "refused before connecting: " + remote.err());

        String url = TestSupport.migrated();
        TestSupport.Result r = TestSupport.run(new seed(), TestSupport.adminEnv(url), "--dev");
        assertEquals(0, r.code(), r.all());
        assertEquals("2", TestSupport.one(url, "select count(*) from \"Admin\""));
        assertTrue(new PasswordHasher().verifies(TestSupport.one(url, "select \"passwordHash\" from \"Admin\" where email = 'admin@admin.com'"), "admin123"));
        assertEquals(List.of("ACTIVE", "CANCELED", "NONE", "PAST_DUE", "TRIALING"), TestSupport.rows(url, "select \"subscriptionStatus\" from \"Member\" order by \"subscriptionStatus\"::text"));
        assertEquals("Acme Revenue|active@example.com|2", TestSupport.one(url,
                "select t.name, o.email, (select count(*) from \"Member\" m where m.\"teamId\" = t.id) from \"Team\" t join \"Member\" o on o.id = t.\"ownerId\""));
        assertEquals("5|9", TestSupport.one(url, "select (select count(*) from \"PointConfig\"), (select count(*) from \"FeatureFlag\")"));
        TestSupport.Result again = TestSupport.run(new seed(), TestSupport.adminEnv(url), "--dev");
        assertTrue(again.out().contains(" 0 inserted, 0 updated"), again.out());
    }

    @Test
    void onlyAndSkipSelectFilesByName() {
        String url = TestSupport.migrated();
        TestSupport.Result r = TestSupport.run(new seed(), TestSupport.env("DIRECT_URL", url), "--only", "feature_flags", "--only", "03_point_configs.json");
        assertEquals(0, r.code(), r.all());
        assertEquals("0|8|4|0", TestSupport.seededCounts(url));
        TestSupport.Result skip = TestSupport.run(new seed(), TestSupport.env("DIRECT_URL", url), "--skip", "admin");
        assertEquals(0, skip.code(), skip.all());
        TestSupport.Result unknown = TestSupport.run(new seed(), TestSupport.env("DIRECT_URL", url), "--only", "flags");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("there is no seed file called \"flags\""), unknown.err());
    }

    @Test
    void arraysJsonAndAwkwardTextGoThroughTheBulkPathIntact() throws Exception {
        String url = TestSupport.migrated();
        TestSupport.exec(url, "create table \"Tagged\" (name text primary key, tags text[] not null default '{}', meta jsonb, note text, seen timestamp(3))");
        Path kit = kitWithSeed("99_tagged.json", """
                {"table": "Tagged", "key": ["name"], "rows": [
                  {"name": "a", "tags": ["x", "y,z", "q\\"uote", "back\\\\slash", "{brace}"], "meta": {"k": [1, 2, {"n": null}]}, "note": "tab\\there\\nnew line \\\\N", "seen": "2026-01-02 03:04:05.678"},
                  {"name": "b", "tags": [], "meta": null, "note": null, "seen": null}
                ]}""");
        TestSupport.Result r = TestSupport.run(new seed(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString(), "--only", "99_tagged");
        assertEquals(0, r.code(), r.all());
        assertEquals(List.of("a|{x,\"y,z\",\"q\\\"uote\",\"back\\\\slash\",\"{brace}\"}|{\"k\": [1, 2, {\"n\": null}]}|tab\there\nnew line \\N|2026-01-02 03:04:05.678",
                "b|{}|null|null|null"), TestSupport.rows(url, "select name, tags, meta, note, seen from \"Tagged\" order by name"));
        assertEquals("5", TestSupport.one(url, "select cardinality(tags) from \"Tagged\" where name = 'a'"));
        assertEquals("q\"uote|back\\slash", TestSupport.one(url, "select tags[3] || '|' || tags[4] from \"Tagged\" where name = 'a'"));
        // status compares the same rows in one query per file: nothing changed, then one change
        TestSupport.Result same = TestSupport.run(new status(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString());
        assertTrue(same.out().contains("99_tagged.json               \"Tagged\"         2 present, 0 missing, 0 changed"), same.out());
        TestSupport.exec(url, "update \"Tagged\" set tags = array_append(tags, 'new') where name = 'a'");
        TestSupport.Result one = TestSupport.run(new status(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString());
        assertTrue(one.out().contains("2 present, 0 missing, 1 changed"), one.out());
        // upsert binds the same array literal through a plain cast
        Files.writeString(kit.resolve("seeds/98_tagged_upsert.json"),
                "{\"table\": \"Tagged\", \"key\": [\"name\"], \"mode\": \"upsert\", \"rows\": [{\"name\": \"a\", \"tags\": [\"u\", \"v,w\", null]}]}");
        TestSupport.Result up = TestSupport.run(new seed(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString(), "--only", "98_tagged_upsert");
        assertEquals(0, up.code(), up.all());
        assertTrue(up.out().contains("0 inserted, 1 updated, 0 unchanged"), up.out());
        assertEquals("{u,\"v,w\",NULL}", TestSupport.one(url, "select tags from \"Tagged\" where name = 'a'"));
    }

    @Test
    void rowsOfAnyShapeAndFieldsInAnyOrderLandExactly() throws Exception {
        String url = TestSupport.migrated();
        // rows before key and table; the same columns in another order; fewer, more and other columns
        Path kit = kitWithSeed("97_shapes.json", """
                {"rows": [
                  {"key": "s1", "enabled": true, "category": "c", "description": "d1"},
                  {"key": "s2", "enabled": false, "category": "c", "description": "d2"},
                  {"description": "d3", "key": "s3", "category": "c", "enabled": true},
                  {"key": "s4", "enabled": true},
                  {"key": "s5", "enabled": true, "category": "c", "description": "d5"},
                  {"key": "s6", "enabled": false, "category": "c", "description": null},
                  {"key": "s7"}
                ], "key": ["key"], "table": "FeatureFlag"}""");
        TestSupport.Result r = TestSupport.run(new seed(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString(), "--only", "97_shapes");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("7 inserted, 0 updated, 0 unchanged"), r.out());
        assertEquals(List.of("s1|true|c|d1", "s2|false|c|d2", "s3|true|c|d3", "s4|true|general|null", "s5|true|c|d5", "s6|false|c|null", "s7|false|general|null"),
                TestSupport.rows(url, "select key, enabled, category, description from \"FeatureFlag\" where key like 's_' order by key"));
        TestSupport.Result again = TestSupport.run(new status(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString());
        assertTrue(again.out().contains("7 present, 0 missing, 0 changed"), again.out());
    }

    @Test
    void aWrongRowIsReportedOnlyAfterTheWholeFileProvesToBeJson() throws Exception {
        String url = TestSupport.migrated();
        Path kit = TestSupport.kitCopy();
        String wrongRow = "{\"table\": \"FeatureFlag\", \"key\": [\"key\"], \"rows\": [{\"key\": \"a\"}, {\"enabled\": true}, {\"key\": \"c\"}]";
        Map<String, String> cases = Map.of(
                wrongRow + "}", "row 2 has no value for the key column \"key\"",
                wrongRow + ", \"extra\": 1}", "has an unknown field \"extra\"",
                wrongRow + ", \"mode\": \"sometimes\"}", "has mode \"sometimes\"",
                wrongRow + ", \"mode\": }", "is not valid JSON at line 1",
                wrongRow.replace("{\"key\": \"c\"}", "{\"key\": \"c\" \"x\"}") + "}", "is not valid JSON at line 1",
                wrongRow + "} []", "is not valid JSON at line 1",
                wrongRow.replace("{\"enabled\": true}", "{\"enabled\": {\"$env\": \"not a name\"}, \"key\": \"b\", \"x\": [1, {\"y\": 2}]}") + "}", "it takes the name of a variable");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Files.writeString(kit.resolve("seeds/96_wrong.json"), c.getKey());
            TestSupport.Result r = TestSupport.run(new seed(), TestSupport.env("DIRECT_URL", url), "--dir", kit.toString(), "--only", "96_wrong");
            assertEquals(2, r.code(), c.getKey() + "\n" + r.all());
            assertTrue(r.err().contains(c.getValue()) && r.err().strip().lines().count() == 1, c.getKey() + "\n" + r.err());
        }
        assertEquals("0", TestSupport.one(url, "select count(*) from \"FeatureFlag\" where key in ('a', 'c')"));
    }

    /** What each template's purpose provides to it; a placeholder outside this is a bug in the template. */
    static final Map<String, Set<String>> PROVIDED = Map.of(
            "welcome", Set.of("memberName", "claimUrl"),
            "claim_reminder", Set.of("memberName", "claimUrl"),
            "claim_reminder_cheeky", Set.of("memberName", "claimUrl"),
            "payment_failure", Set.of("memberName", "billingPortalUrl"),
            "payment_recovered", Set.of("memberName", "dashboardUrl"),
            "payment_recovered_debtor", Set.of("memberName", "claimUrl"),
            "seat_invite", Set.of("teamName", "inviterName", "inviteUrl"),
            "reconciliation_report", Set.of("issuesFound", "reportDate", "reportSummary", "dashboardUrl"),
            "password_reset", Set.of("resetUrl", "expiresInMinutes"),
            "password_reset_confirmation", Set.of("loginUrl", "supportEmail"));

    @Test
    void everyPlaceholderIsOneTheTemplatesPurposeProvides() throws Exception {
        JsonNode file = Console.JSON.readTree(TestSupport.kitDir().resolve("seeds/04_email_templates.json").toFile());
        Pattern placeholder = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_]+)\\s*}}");
        Set<String> names = new TreeSet<>();
        for (JsonNode row : file.get("rows")) {
            String name = row.get("name").asText();
            names.add(name);
            String body = Files.readString(TestSupport.kitDir().resolve("seeds").resolve(row.get("body").get("$file").asText()));
            Set<String> used = new TreeSet<>();
            for (String text : List.of(row.get("subject").asText(), body)) {
                Matcher m = placeholder.matcher(text);
                while (m.find()) used.add(m.group(1));
            }
            Set<String> extra = new TreeSet<>(used);
            extra.removeAll(PROVIDED.get(name));
            assertTrue(extra.isEmpty(), name + " uses placeholders its purpose does not provide: " + extra);
            assertFalse(used.isEmpty(), name + " has no placeholder at all");
            assertTrue(body.contains("href=\"{{"), name + " has no link to act on");
        }
        assertEquals(PROVIDED.keySet(), names);
    }

    @Test
    @Needs(Tool.NODE_ARGON2)
    void theAppsNodeArgon2AcceptsTheHashSeedWrote() throws Exception {
        Path node = TestSupport.kitDir().resolve("tests/node");
        String url = TestSupport.seeded();
        String hash = TestSupport.one(url, "select \"passwordHash\" from \"Admin\"");
        assertEquals("true|false", nodeVerify(node, hash, TestSupport.ADMIN_PASSWORD) + "|" + nodeVerify(node, hash, "wrong-password-123"));
    }

    /** The app's own check, with the secret passed in the environment, never on a command line. */
    static String nodeVerify(Path node, String hash, String password) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("node", "verify.js").directory(node.toFile()).redirectErrorStream(true);
        pb.environment().put("HASH", hash);
        pb.environment().put("PASSWORD", password);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertEquals(0, p.waitFor(), out);
        return out;
    }
}
