import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The docs cannot drift from the code: every command in README.md, CONTRIBUTING.md and docs/*.md
 * is one the suite runs, or parses with the script's own options; every option they name exists;
 * every link stays inside the repository; .ci/run is the README's commands.
 */
class DocsTest {
    static final Map<String, Supplier<Cli>> SCRIPTS = Map.of(
            "migrate", migrate::new, "seed", seed::new, "status", status::new, "verify", verify::new);

    /** Commands of other tools that the docs may show (the first word of a shell command). */
    static final Set<String> OTHER_COMMANDS = Set.of("ssh", "scp", "cd", "docker", "cp", "chmod", "sudo", "apt-get", "npm", "echo", "exit", "case", "esac", "jq", "grep", "sha256sum", "tar");

    /** Options of other tools that the docs name, and the tool whose they are (it must be in the same span). */
    static final Map<String, String> OTHER_OPTIONS = Map.of(
            "--runtime-option", "./jbang", "--applied", "prisma migrate resolve", "--rolled-back", "prisma migrate resolve", "--out", "bundle.java",
            "--build-dir", "build", "--print-module-deps", "jdeps", "--recursive", "jdeps", "--add-modules", "jlink", "--suggest-providers", "jlink",
            "--default-signal", "env ");

    record Snippet(Path file, int line, String text, boolean shell, boolean inline) {
        String where() {
            return TestSupport.kitDir().relativize(file) + ":" + line;
        }
    }

    static List<Path> docs() throws IOException {
        Path kit = TestSupport.kitDir();
        List<Path> docs = new ArrayList<>(List.of(kit.resolve("README.md"), kit.resolve("CONTRIBUTING.md")));
        try (Stream<Path> files = Files.list(kit.resolve("docs"))) {
            files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs;
    }

    /** Lines of fenced blocks (shell=true for sh/bash/shell blocks) and inline code spans. */
    static List<Snippet> snippets() throws IOException {
        List<Snippet> all = new ArrayList<>();
        for (Path doc : docs()) {
            List<String> lines = Files.readAllLines(doc);
            String fence = null;
            StringBuilder continued = new StringBuilder();
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.strip().startsWith("```")) {
                    fence = fence == null ? line.strip().substring(3).strip() : null;
                    continue;
                }
                if (fence != null) {
                    if (line.endsWith("\\")) {
                        continued.append(line, 0, line.length() - 1).append(' ');
                        continue;
                    }
                    all.add(new Snippet(doc, i + 1, continued + line, Set.of("sh", "bash", "shell").contains(fence), false));
                    continued.setLength(0);
                    continue;
                }
                Matcher m = Pattern.compile("`([^`]+)`").matcher(line);
                while (m.find()) all.add(new Snippet(doc, i + 1, m.group(1), false, true));
            }
        }
        return all;
    }

    // ---- commands ---------------------------------------------------------------------------------

    @Test
    void everyCommandInTheDocsIsOneTheSuiteRunsOrParsesWithTheScriptsOwnOptions() throws Exception {
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Snippet s : snippets()) {
            String text = s.text().strip();
            boolean kitCommand = s.inline() && (text.startsWith("./jbang ") || text.startsWith("jbang ") || text.startsWith("java -jar ") || LAUNCHER.matcher(text).lookingAt());
            if (!s.shell() && !kitCommand) {
                // a kit command inside another block (a compose file's command: line, say)
                int at = indexOfKitCommand(text);
                if (at < 0) continue;
                text = text.substring(at);
            }
            for (String piece : pieces(stripComment(text))) {
                String problem = checkCommand(tokens(piece), s.shell());
                checked++;
                if (problem != null) problems.add(s.where() + ": `" + piece + "`: " + problem);
            }
        }
        assertTrue(checked > 20, "only " + checked + " commands found in the docs");
        assertEquals(List.of(), problems);
    }

    static int indexOfKitCommand(String text) {
        for (String start : List.of("./jbang ", "java -jar ", "bin/")) {
            int at = text.indexOf(start);
            if (at >= 0) return at;
        }
        return -1;
    }

    /** A bundle's launcher (docs/deploying.md): bin/migrate, or a path that ends so; it takes the script's options. */
    static final Pattern LAUNCHER = Pattern.compile("(\\S*/)?bin/(migrate|seed|status|verify)\\b");

    /** null when the command is fine, else what is wrong with it. */
    static String checkCommand(List<String> tokens, boolean shell) throws Exception {
        while (!tokens.isEmpty() && tokens.get(0).matches("[A-Za-z_][A-Za-z0-9_]*=.*")) tokens = tokens.subList(1, tokens.size());
        while (!tokens.isEmpty() && tokens.get(0).matches("\\S+\\)")) tokens = tokens.subList(1, tokens.size()); // a case label
        if (tokens.isEmpty()) return null;
        String first = tokens.get(0);
        if (first.equals("./jbang") || first.equals("jbang")) return checkJbang(tokens.subList(1, tokens.size()));
        Matcher launcher = LAUNCHER.matcher(first);
        if (launcher.matches()) return checkScript(launcher.group(2), tokens.subList(1, tokens.size()));
        if (first.equals("java") && tokens.size() > 2 && tokens.get(1).equals("-jar")) {
            String script = Path.of(tokens.get(2)).getFileName().toString().replaceFirst("\\.jar$", "");
            return checkScript(script, tokens.subList(3, tokens.size()));
        }
        int shC = tokens.indexOf("-c");
        if (shC > 0 && tokens.get(shC - 1).equals("sh") && shC + 1 < tokens.size()) {
            for (String piece : pieces(tokens.get(shC + 1))) {
                String problem = checkCommand(tokens(piece), true);
                if (problem != null) return problem;
            }
        }
        if (!shell) return null;
        if (OTHER_COMMANDS.contains(first) || first.startsWith("(")) return null;
        return "`" + first + "` is neither a kit command nor one of the other tools the docs may show (DocsTest.OTHER_COMMANDS)";
    }

    static String checkJbang(List<String> args) throws Exception {
        int i = 0;
        while (i < args.size() && args.get(i).startsWith("--runtime-option")) i += args.get(i).contains("=") ? 1 : 2;
        if (i >= args.size()) return "no script";
        String script = args.get(i);
        List<String> rest = args.subList(i + 1, args.size());
        if (script.equals("bundle.java")) {
            List<String> given = rest.stream().map(a -> a.replaceAll("[\\[\\]]", "")).toList();
            return given.isEmpty() || given.size() == 2 && given.get(0).equals("--out") ? null : "bundle.java takes --out DIR and nothing else";
        }
        if (script.equals("tests/run.java")) {
            Set<String> known = new TreeSet<>();
            for (Class<?> c : Runner.testClasses(run.class)) {
                known.add(c.getSimpleName());
                for (var m : c.getDeclaredMethods()) known.add(c.getSimpleName() + "#" + m.getName());
            }
            for (String a : rest) if (!known.contains(a)) return a + " is not a test class or method of tests/run.java";
            return null;
        }
        if (script.equals("tests/reliability.java")) {
            String sources = Files.readString(TestSupport.kitDir().resolve("tests/reliability.java"));
            for (String a : rest) if (!a.matches("\\w+Test") || !sources.contains("//SOURCES " + a + ".java")) return a + " is not a test class of tests/reliability.java";
            return null;
        }
        if (script.equals("bench/run.java")) {
            boolean rehearse = !rest.isEmpty() && rest.get(0).equals("rehearse"); // the rehearsal's cases, with their repeats
            return rest.stream().allMatch(a -> a.matches("\\d+|\\[repeats\\]|trace|startup|bundle|rehearse")) && rest.size() <= (rehearse ? 2 : 1) ? null
                    : "bench/run.java takes one number (the repeats), trace, startup, bundle, or rehearse and a number";
        }
        return checkScript(script.replaceFirst("\\.java$", ""), rest);
    }

    /** Parses the arguments with the script's own command line (picocli), as the script itself would, and runs nothing. */
    static String checkScript(String name, List<String> args) {
        Supplier<Cli> script = SCRIPTS.get(name);
        if (script == null) return name + " is not one of the kit's scripts " + SCRIPTS.keySet();
        CommandLine cl = new CommandLine(script.get());
        cl.registerConverter(java.time.Duration.class, Durations::parse);
        try {
            cl.parseArgs(args.toArray(String[]::new));
            return null;
        } catch (CommandLine.ParameterException e) {
            return e.getMessage();
        }
    }

    static String stripComment(String line) {
        Matcher m = Pattern.compile("(^|\\s)#\\s").matcher(line);
        return m.find() ? line.substring(0, m.start()) : line;
    }

    /** A command line split into commands at &&, ||, ;, | outside quotes. */
    static List<String> pieces(String line) {
        List<String> pieces = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) quote = 0;
                cur.append(c);
            } else if (c == '\'' || c == '"') {
                quote = c;
                cur.append(c);
            } else if (c == ';' || c == '|' || (c == '&' && i + 1 < line.length() && line.charAt(i + 1) == '&')) {
                if (c == '&' || (c == '|' && i + 1 < line.length() && line.charAt(i + 1) == '|') || (c == ';' && i + 1 < line.length() && line.charAt(i + 1) == ';')) i++;
                pieces.add(cur.toString().strip());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        pieces.add(cur.toString().strip());
        pieces.removeIf(String::isEmpty);
        return pieces;
    }

    /** Words of one command, quotes removed, up to a redirection. */
    static List<String> tokens(String command) {
        List<String> tokens = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean in = false;
        char quote = 0;
        for (int i = 0; i < command.length(); i++) {
            char c = command.charAt(i);
            if (quote != 0) {
                if (c == quote) quote = 0;
                else cur.append(c);
            } else if (c == '\'' || c == '"') {
                quote = c;
                in = true;
            } else if (Character.isWhitespace(c)) {
                if (in) tokens.add(cur.toString());
                cur.setLength(0);
                in = false;
            } else if ((c == '>' || c == '<') && !in) {
                break;
            } else {
                cur.append(c);
                in = true;
            }
        }
        if (in) tokens.add(cur.toString());
        return tokens;
    }

    // ---- options ----------------------------------------------------------------------------------

    static Set<String> kitOptions() {
        Set<String> names = new TreeSet<>();
        for (Supplier<Cli> s : SCRIPTS.values()) {
            for (OptionSpec o : new CommandLine(s.get()).getCommandSpec().options()) names.addAll(List.of(o.names()));
        }
        return names;
    }

    @Test
    void everyOptionTheDocsNameExists() throws Exception {
        Set<String> kit = kitOptions();
        List<String> problems = new ArrayList<>();
        Pattern option = Pattern.compile("(?<![\\w-])--[a-z][a-z0-9-]*");
        for (Snippet s : snippets()) {
            Matcher m = option.matcher(s.text());
            while (m.find()) {
                String o = m.group();
                if (kit.contains(o)) continue;
                String tool = OTHER_OPTIONS.get(o);
                if (tool != null && s.text().contains(tool)) continue;
                problems.add(s.where() + ": " + o + " is not an option of migrate, seed, status or verify (in `" + s.text() + "`)");
            }
        }
        assertEquals(List.of(), problems);
    }

    // ---- links and CI -----------------------------------------------------------------------------

    static String slug(String heading) {
        return heading.strip().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 _-]", "").replace(' ', '-');
    }

    @Test
    void everyLinkStaysInsideTheRepositoryAndLeadsSomewhere() throws Exception {
        Path kit = TestSupport.kitDir().toRealPath();
        List<String> problems = new ArrayList<>();
        Pattern link = Pattern.compile("\\]\\(([^)\\s]+)\\)");
        for (Path doc : docs()) {
            List<String> lines = Files.readAllLines(doc);
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = link.matcher(lines.get(i));
                while (m.find()) {
                    String target = m.group(1);
                    String where = kit.relativize(doc.toRealPath()) + ":" + (i + 1) + ": " + target;
                    if (target.contains("://") || target.startsWith("/") || target.startsWith("mailto:")) {
                        problems.add(where + " leaves the repository");
                        continue;
                    }
                    String file = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
                    Path to = file.isEmpty() ? doc : doc.getParent().resolve(file).normalize();
                    if (!to.toAbsolutePath().startsWith(kit) || !Files.exists(to)) {
                        problems.add(where + (Files.exists(to) ? " leaves the repository" : " does not exist"));
                        continue;
                    }
                    if (target.contains("#")) {
                        String anchor = target.substring(target.indexOf('#') + 1);
                        boolean found = Files.readAllLines(to).stream().filter(l -> l.startsWith("#"))
                                .anyMatch(l -> slug(l.replaceFirst("^#+", "").replace("`", "")).equals(anchor));
                        if (!found) problems.add(where + ": no heading #" + anchor + " there");
                    }
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void ciRunsTheReadmesSetUpCommandsAndNothingElse() throws Exception {
        Path kit = TestSupport.kitDir();
        String readme = Files.readString(kit.resolve("README.md"));
        String setUp = readme.substring(readme.indexOf("## Set up"));
        setUp = setUp.substring(setUp.indexOf("```sh") + 5, setUp.indexOf("```", setUp.indexOf("```sh") + 5));
        List<String> documented = setUp.lines().map(DocsTest::stripComment).map(String::strip).filter(l -> !l.isEmpty()).toList();
        List<String> ci = Files.readAllLines(kit.resolve(".ci/run")).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#") && !l.startsWith("set ") && !l.startsWith("cd ")).toList();
        assertEquals(documented, ci);
    }

    // ---- every shell block: run as written, or listed with why it cannot run here ---------------

    /** A fenced sh block of README.md, CONTRIBUTING.md or docs/*.md: where it starts, and its lines as written. */
    record Block(Path file, int line, List<String> lines) {
        String where() {
            return TestSupport.kitDir().relativize(file) + ":" + line;
        }

        String first() {
            return lines.get(0);
        }
    }

    static List<Block> shellBlocks() throws IOException {
        List<Block> blocks = new ArrayList<>();
        for (Path doc : docs()) {
            List<String> lines = Files.readAllLines(doc);
            for (int i = 0; i < lines.size(); i++) {
                if (!Set.of("```sh", "```bash", "```shell").contains(lines.get(i).strip())) continue;
                int end = i + 1;
                while (!lines.get(end).strip().startsWith("```")) end++;
                blocks.add(new Block(doc, i + 1, lines.subList(i + 1, end)));
                i = end;
            }
        }
        return blocks;
    }

    /** The block whose first line this is (as written, comment and all). */
    static Block block(String first) throws IOException {
        return shellBlocks().stream().filter(b -> b.first().equals(first)).findFirst()
                .orElseThrow(() -> new AssertionError("no shell block in the docs starts with: " + first));
    }

    /** Blocks that cannot run here, by their first line, and why. */
    static final Map<String, String> NOT_RUN_HERE = Map.of(
            "./jbang verify.java              # the whole flow on a throwaway PostgreSQL; exit 0 when it all holds",
            "the README's set-up runs the test suites, this one included: CI runs these lines as written (.ci/run; ciRunsTheReadmesSetUpCommandsAndNothingElse keeps the two equal)",
            "./jbang tests/run.java                                            # the suite",
            "the test suites themselves (a suite cannot run itself); CI runs them",
            "./jbang bench/run.java 5",
            "the benchmark: about 20 minutes on 2 cores and the Prisma corpora in ../shared/corpora; its figures are bench/RESULTS.md",
            "docker build -f deploy/Dockerfile -t rc-dbkit:0.1.0 dist/",
            "Docker: no engine runs here; BundleImageTest#theDockerfilesStepsOnTheBundleMakeAnImageWhoseComposeServiceMigratesAndSeeds runs the Dockerfile's steps and the compose service's command on the bundle",
            "docker exec <express-container> /opt/rc-dbkit-0.1.0-linux-x64/bin/migrate",
            "Docker (and the app's container): what runs inside is bin/migrate with DIRECT_URL in the environment, which BundleImageTest runs",
            "./jbang migrate.java --rehearse --shadow-url postgresql://postgres:postgres@127.0.0.1:54322/postgres",
            "`supabase start`'s local PostgreSQL (Docker) does not run here; ShadowUrlTest runs --rehearse --shadow-url against a PostgreSQL 15 cluster of the tests' own",
            "./jbang status.java --schema --shadow-url postgresql://postgres:postgres@127.0.0.1:54322/postgres",
            "`supabase start`'s local PostgreSQL (Docker) does not run here; ShadowUrlTest runs status --schema --shadow-url against a PostgreSQL 15 cluster of the tests' own");

    /** Blocks a test runs, by their first line, and that test. */
    static final Map<String, String> RUN_BY = Map.of(
            "./jbang status.java              # 1. look: target, migrations [x]/[ ], seed rows, verdict; writes nothing",
            "DocsTest#theReadmesRunbookTakesAFreshDatabaseToUpToDate",
            "./jbang bundle.java              # dist/rc-dbkit-0.1.0-linux-x64/, its .tar.gz, and the optional -postgres.tar.gz, each with a .sha256",
            "Bundled#built",
            "./jbang bundle.java",
            "DocsTest#theSshBlocksInstallTheBundleOnAServerAndTakeItsDatabaseToUpToDate",
            "ssh root@coolify-server",
            "DocsTest#theSshBlocksInstallTheBundleOnAServerAndTakeItsDatabaseToUpToDate",
            "bin/status                       # look: exit 1 means migrations or seed rows are pending",
            "DocsTest#theSshBlocksInstallTheBundleOnAServerAndTakeItsDatabaseToUpToDate",
            "scp dist/rc-dbkit-0.1.0-linux-x64-postgres.tar.gz dist/rc-dbkit-0.1.0-linux-x64-postgres.tar.gz.sha256 root@coolify-server:/opt/",
            "DocsTest#theSshBlocksInstallTheBundleOnAServerAndTakeItsDatabaseToUpToDate",
            "code=0",
            "DocsTest#theDeployGateSaysReadyPendingOrProblemWithOrWithoutSetE",
            "./jbang migrate.java --rehearse",
            "DocsTest#theRehearsalExampleFailsOnTheNullNameAndPassesOnceItIsFilled",
            "./jbang seed.java --help > /dev/null",
            "DocsTest#theProfilingCommandRecordsSeedsDryRun");

    /**
     * The mechanical substitutions under which the SSH blocks of docs/deploying.md run here: the
     * server is a local folder ($SERVER), so `ssh root@coolify-server` does nothing, `scp` is `cp`,
     * `root@coolify-server:/opt/` and `/opt` are $SERVER/opt; `./jbang bundle.java` is this run's
     * bundle (Bundled#built, made with --out into a temporary folder that dist/ links to).
     */
    static String substituted(String line) {
        if (line.equals("ssh root@coolify-server") || line.equals("./jbang bundle.java")) return ":";
        return line.replaceFirst("^scp ", "cp ").replace("root@coolify-server:/opt/", "\"$SERVER\"/opt/").replaceAll("^cd /opt$", "cd \"\\$SERVER\"/opt");
    }

    @Test
    void everyShellBlockIsRunByATestOrListedWithWhyItCannotRunHere() throws Exception {
        List<String> problems = new ArrayList<>();
        Set<String> firsts = new java.util.HashSet<>();
        for (Block b : shellBlocks()) {
            firsts.add(b.first());
            String runBy = RUN_BY.get(b.first());
            if (runBy == null && !NOT_RUN_HERE.containsKey(b.first())) {
                problems.add(b.where() + ": a shell block that no test runs; run it in a test (DocsTest.RUN_BY) or say why it cannot run here (DocsTest.NOT_RUN_HERE): " + b.first());
            } else if (runBy != null) {
                Class<?> c = runBy.startsWith("Bundled#") ? Bundled.class : DocsTest.class;
                String method = runBy.substring(runBy.indexOf('#') + 1);
                if (Stream.of(c.getDeclaredMethods()).noneMatch(m -> m.getName().equals(method))) problems.add(b.where() + ": " + runBy + " does not exist");
            }
        }
        for (String listed : new TreeSet<>(java.util.stream.Stream.concat(RUN_BY.keySet().stream(), NOT_RUN_HERE.keySet().stream()).toList())) {
            if (!firsts.contains(listed)) problems.add("DocsTest lists a block that no doc has any more: " + listed);
        }
        assertEquals(List.of(), problems);
    }

    /** Runs a block of shell lines as one script (sh, or sh -e), as written. */
    static TestSupport.Result sh(Path dir, Map<String, String> env, String block, String... shellOptions) throws Exception {
        List<String> command = new ArrayList<>(List.of("sh"));
        command.addAll(List.of(shellOptions));
        command.addAll(List.of("-c", block));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Path out = Files.createTempFile("out", ".txt"), err = Files.createTempFile("err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(600, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("did not finish in 10 minutes: " + block + "\n" + Files.readString(out) + Files.readString(err));
        }
        TestSupport.Result r = new TestSupport.Result(p.exitValue(), Files.readString(out), Files.readString(err));
        Files.delete(out);
        Files.delete(err);
        TestSupport.assertNoSecrets(r.all(), env);
        return r;
    }

    /**
     * Runs a block's lines as an operator types them, one after another in one shell (a `cd` holds
     * for the lines after it), whatever each exits with; returns each line's exit code and output.
     */
    static List<TestSupport.Result> typed(Path dir, Map<String, String> env, List<String> lines) throws Exception {
        StringBuilder script = new StringBuilder();
        for (String line : lines) script.append(line).append("\nprintf '\\n@@%d@@\\n' $?; printf '\\n@@@@\\n' >&2\n");
        TestSupport.Result all = sh(dir, env, script.toString());
        String[] outs = all.out().split("\n?@@-?\\d+@@\n", -1);
        String[] errs = all.err().split("\n?@@@@\n", -1);
        Matcher codes = Pattern.compile("@@(-?\\d+)@@").matcher(all.out());
        List<TestSupport.Result> results = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            assertTrue(codes.find(), "line " + (i + 1) + " of the block did not finish: " + lines.get(i) + "\n" + all.all());
            results.add(new TestSupport.Result(Integer.parseInt(codes.group(1)), outs[i], errs[i]));
        }
        return results;
    }

    static void expectCodes(List<Integer> expected, List<String> lines, List<TestSupport.Result> results) {
        for (int i = 0; i < lines.size(); i++) {
            assertEquals(expected.get(i), results.get(i).code(), "`" + lines.get(i) + "` exit code:\n" + results.get(i).all());
        }
    }

    /** A fresh checkout of the kit: the launcher, the catalog, the scripts, lib/, migrations/ and seeds/; no .env, no dist/. */
    static Path freshCheckout() throws IOException {
        return TestSupport.copyKit(Files.createTempDirectory("rc-dbkit-checkout-"));
    }

    /** The README's .env: the database and the admin, readable by its owner only. */
    static void dotenv(Path dir, String url) throws IOException {
        Path env = dir.resolve(".env");
        Files.writeString(env, "DIRECT_URL=" + url + "\nADMIN_SEED_EMAIL=" + TestSupport.ADMIN_EMAIL + "\nADMIN_SEED_PASSWORD=" + TestSupport.ADMIN_PASSWORD + "\n");
        Files.setPosixFilePermissions(env, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }

    /** The README's runbook, line by line in a fresh checkout with its own .env: pending (exit 1), then every step, then up to date. */
    @Test
    void theReadmesRunbookTakesAFreshDatabaseToUpToDate() throws Exception {
        Block b = block("./jbang status.java              # 1. look: target, migrations [x]/[ ], seed rows, verdict; writes nothing");
        Path checkout = freshCheckout();
        String url = TestSupport.freshDatabase();
        dotenv(checkout, url);
        List<TestSupport.Result> r = typed(checkout, TestSupport.env(), b.lines());
        expectCodes(List.of(1, 0, 0, 0, 0, 0, 0), b.lines(), r);
        assertTrue(r.get(0).out().contains("Work is pending"), r.get(0).out());
        assertTrue(r.get(3).out().contains("Applied 4 migrations"), r.get(3).out());
        assertTrue(r.get(6).out().contains("Database is up to date."), r.get(6).out());
        assertEquals("1|8|4|10", TestSupport.seededCounts(url));
        TestSupport.deleteTree(checkout);
    }

    /**
     * docs/deploying.md over SSH, under {@link #substituted}: the tarball copied to the "server",
     * checked and unpacked there, .env put beside it (as the text says), then status (pending),
     * migrate and seed, status (up to date); then the optional part, and a rehearsal with it.
     */
    @Test
    void theSshBlocksInstallTheBundleOnAServerAndTakeItsDatabaseToUpToDate() throws Exception {
        Bundled.Built built = Bundled.built();
        Path laptop = Files.createTempDirectory("rc-dbkit-laptop-");
        Files.createSymbolicLink(laptop.resolve("dist"), built.out());
        Path server = Files.createTempDirectory("rc-dbkit-server-");
        Files.createDirectories(server.resolve("opt"));
        Map<String, String> env = TestSupport.env("SERVER", server.toString());

        List<String> copy = block("./jbang bundle.java").lines().stream().map(DocsTest::substituted).toList();
        expectCodes(List.of(0, 0), copy, typed(laptop, env, copy));
        List<String> unpack = block("ssh root@coolify-server").lines().stream().map(DocsTest::substituted).toList();
        List<TestSupport.Result> r = typed(laptop, env, unpack);
        expectCodes(List.of(0, 0, 0, 0, 0), unpack, r);
        assertEquals("rc-dbkit-0.1.0-linux-x64.tar.gz: OK", r.get(2).out().strip());
        Path bundle = server.resolve("opt/rc-dbkit-0.1.0-linux-x64");
        assertTrue(Files.isExecutable(bundle.resolve("bin/migrate")), "unpacked into " + bundle);

        String url = TestSupport.freshDatabase();
        dotenv(bundle, url);
        List<String> run = block("bin/status                       # look: exit 1 means migrations or seed rows are pending").lines();
        r = typed(bundle, env, run);
        expectCodes(List.of(1, 0, 0), run, r);
        assertTrue(r.get(1).out().contains("Applied 4 migrations"), r.get(1).out());
        assertTrue(r.get(2).out().contains("Database is up to date."), r.get(2).out());
        assertEquals("1|8|4|10", TestSupport.seededCounts(url));

        List<String> rehearse = block("scp dist/rc-dbkit-0.1.0-linux-x64-postgres.tar.gz dist/rc-dbkit-0.1.0-linux-x64-postgres.tar.gz.sha256 root@coolify-server:/opt/")
                .lines().stream().map(DocsTest::substituted).toList();
        r = typed(laptop, env, rehearse);
        expectCodes(List.of(0, 0, 0, 0, 0, 0), rehearse, r);
        assertTrue(Files.isDirectory(bundle.resolve("lib/postgres")), "the optional part adds lib/postgres/");
        TestSupport.deleteTree(laptop);
        TestSupport.deleteTree(server);
    }

    /** The deploy gate as a script, plain and under set -e: ready (0), pending (1), a problem (1, with status's exit code). */
    @Test
    @Needs(Tool.JQ)
    void theDeployGateSaysReadyPendingOrProblemWithOrWithoutSetE() throws Exception {
        String gate = String.join("\n", block("code=0").lines());
        Path checkout = freshCheckout();
        String fresh = TestSupport.freshDatabase();
        String seeded = TestSupport.seeded();
        for (String[] options : List.of(new String[0], new String[] {"-e"})) {
            dotenv(checkout, fresh);
            TestSupport.Result pending = sh(checkout, TestSupport.env(), gate, options);
            assertEquals(1, pending.code(), pending.all());
            assertTrue(pending.out().startsWith("pending: Work is pending"), pending.all());
            dotenv(checkout, seeded);
            TestSupport.Result ready = sh(checkout, TestSupport.env(), gate, options);
            assertEquals(0, ready.code(), ready.all());
            assertEquals("database ready", ready.out().strip());
            dotenv(checkout, "postgresql://kit:not-the-password@localhost:1/nothing");
            TestSupport.Result problem = sh(checkout, TestSupport.env(), gate, options);
            assertEquals(1, problem.code(), problem.all());
            assertTrue(problem.out().startsWith("database problem (exit 3): "), problem.all());
        }
        TestSupport.deleteTree(checkout);
    }

    /** docs/rehearse.md: its V5 (the sql block above the command) on three members, one without a name: exit 4; the name filled: exit 0. */
    @Test
    void theRehearsalExampleFailsOnTheNullNameAndPassesOnceItIsFilled() throws Exception {
        String doc = Files.readString(TestSupport.kitDir().resolve("docs/rehearse.md"));
        Matcher sql = Pattern.compile("```sql\n-- migrations/(V5__\\w+\\.sql)\n(.*?)```", Pattern.DOTALL).matcher(doc);
        assertTrue(sql.find(), "docs/rehearse.md's V5 migration");
        Path checkout = freshCheckout();
        Files.writeString(checkout.resolve("migrations").resolve(sql.group(1)), sql.group(2));
        String url = TestSupport.migrated();
        TestSupport.exec(url, "insert into \"Member\" (email, name) values ('a@example.com', 'Ada'), ('b@example.com', null), ('c@example.com', 'Cy')");
        dotenv(checkout, url);
        String command = String.join("\n", block("./jbang migrate.java --rehearse").lines());
        TestSupport.Result fails = sh(checkout, TestSupport.env(), command);
        assertEquals(4, fails.code(), fails.all());
        assertTrue(fails.err().contains("SET NOT NULL fails on the copy with the target's rows: column \"name\" of relation \"Member\" contains null values"), fails.all());
        TestSupport.exec(url, "update \"Member\" set name = 'Bo' where name is null");
        TestSupport.Result passes = sh(checkout, TestSupport.env(), command);
        assertEquals(0, passes.code(), passes.all());
        assertTrue(passes.out().contains("Rehearsal: the pending migration applies on the copy and passes: its statement is proven (it ran on the copy with the target's rows)"), passes.out());
        TestSupport.deleteTree(checkout);
    }

    /**
     * CONTRIBUTING's profiling commands, in a fresh checkout (the script's first run, when JBang asks
     * Java to write its class archive): seed --dry-run with the archive off and a flight recording.
     */
    @Test
    void theProfilingCommandRecordsSeedsDryRun() throws Exception {
        Path recording = Path.of("/tmp/seed.jfr");
        Files.deleteIfExists(recording);
        Path checkout = freshCheckout();
        dotenv(checkout, TestSupport.migrated());
        TestSupport.Result r = sh(checkout, TestSupport.env(), String.join("\n", block("./jbang seed.java --help > /dev/null").lines()), "-e");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("Dry run"), r.out());
        assertTrue(Files.size(recording) > 0, "no flight recording at " + recording);
        Files.delete(recording);
        TestSupport.deleteTree(checkout);
    }
}
