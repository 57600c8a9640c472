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
    static final Set<String> OTHER_COMMANDS = Set.of("ssh", "cd", "docker", "cp", "chmod", "sudo", "apt-get", "npm", "echo", "exit", "case", "esac", "jq", "grep");

    /** Options of other tools that the docs name, and the tool whose they are (it must be in the same span). */
    static final Map<String, String> OTHER_OPTIONS = Map.of(
            "--runtime-option", "./jbang", "--format", "docker", "--applied", "prisma migrate resolve", "--rolled-back", "prisma migrate resolve", "--force", "export portable",
            "--default-signal", "env ");

    /** The one documented command the suite runs rather than parses, and the test that runs it. */
    static final String EXPORT_RUN_BY = "DocsTest#theDocumentedExportWorksOnAFreshCheckoutAndItsJarsRunWithPlainJava";

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
            boolean kitCommand = s.inline() && (text.startsWith("./jbang ") || text.startsWith("jbang ") || text.startsWith("java -jar "));
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
        for (String start : List.of("./jbang ", "java -jar ")) {
            int at = text.indexOf(start);
            if (at >= 0) return at;
        }
        return -1;
    }

    /** null when the command is fine, else what is wrong with it. */
    static String checkCommand(List<String> tokens, boolean shell) throws Exception {
        while (!tokens.isEmpty() && tokens.get(0).matches("[A-Za-z_][A-Za-z0-9_]*=.*")) tokens = tokens.subList(1, tokens.size());
        while (!tokens.isEmpty() && tokens.get(0).matches("\\S+\\)")) tokens = tokens.subList(1, tokens.size()); // a case label
        if (tokens.isEmpty()) return null;
        String first = tokens.get(0);
        if (first.equals("./jbang") || first.equals("jbang")) return checkJbang(tokens.subList(1, tokens.size()));
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
        if (script.equals("export")) {
            boolean ok = rest.size() == 5 && rest.get(0).equals("portable") && rest.get(1).equals("--force") && rest.get(2).equals("-O")
                    && rest.get(3).endsWith(".jar") && SCRIPTS.containsKey(rest.get(4).replaceFirst("\\.java$", ""));
            return ok ? null : "only `./jbang export portable --force -O DIR/NAME.jar SCRIPT.java` is run by a test (" + EXPORT_RUN_BY + ")";
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
            return rest.stream().allMatch(a -> a.matches("\\d+|\\[repeats\\]|trace|startup|rehearse")) && rest.size() <= (rehearse ? 2 : 1) ? null
                    : "bench/run.java takes one number (the repeats), trace, startup, or rehearse and a number";
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

    /** The fenced sh blocks of docs/deploying.md's "On a server without JBang", in order, as written. */
    static List<String> exportBlocks() throws IOException {
        String doc = Files.readString(TestSupport.kitDir().resolve("docs/deploying.md"));
        int at = doc.indexOf("## On a server without JBang");
        assertTrue(at >= 0, "docs/deploying.md has no section \"On a server without JBang\"");
        String section = doc.substring(at);
        int next = section.indexOf("\n## ");
        if (next > 0) section = section.substring(0, next);
        List<String> blocks = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^```sh\n(.*?)^```", Pattern.DOTALL).matcher(section);
        while (m.find()) blocks.add(m.group(1));
        return blocks;
    }

    /** Runs a block of shell lines as written (sh -e: the first failing line ends it with its code). */
    static TestSupport.Result sh(Path dir, Map<String, String> env, String block) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("sh", "-ec", block).directory(dir.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Path out = Files.createTempFile("out", ".txt"), err = Files.createTempFile("err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(600, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("did not finish in 10 minutes: " + block + "\n" + Files.readString(out) + Files.readString(err));
        }
        return new TestSupport.Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /**
     * "On a server without JBang" (docs/deploying.md), exactly as written: its first block in a fresh
     * copy of the kit (the scripts, lib/, migrations/, seeds/ and the launcher; no dist/), the dist/
     * it makes copied elsewhere as to a server, then each jar's --help with plain java, and the
     * second block there (migrate, seed, status) against a new database, secrets in the environment only.
     */
    @Test
    void theDocumentedExportWorksOnAFreshCheckoutAndItsJarsRunWithPlainJava() throws Exception {
        List<String> blocks = exportBlocks();
        assertEquals(2, blocks.size(), "expected two sh blocks (where JBang is installed; on the server): " + blocks);
        Path checkout = Files.createTempDirectory("rc-dbkit-checkout-");
        Path server = Files.createTempDirectory("rc-dbkit-server-");
        try {
            exportAndRun(checkout, server, blocks);
        } finally {
            for (Path dir : List.of(checkout, server)) TestSupport.deleteTree(dir); // about 90 MB each: the jars' lib/
        }
    }

    private static void exportAndRun(Path checkout, Path server, List<String> blocks) throws Exception {
        TestSupport.copyKit(checkout);

        TestSupport.Result build = sh(checkout, TestSupport.env(), blocks.get(0));
        assertEquals(0, build.code(), "docs/deploying.md's export block, run as written:\n" + build.all());

        TestSupport.copyTree(checkout.resolve("dist"), server.resolve("dist"));
        Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
        Map<String, String> plain = TestSupport.env("PATH", java.getParent() + ":/usr/bin:/bin");
        for (String script : List.of("migrate", "seed", "status")) {
            TestSupport.Result help = sh(server.resolve("dist"), plain, "java -jar " + script + ".jar --help");
            assertEquals(0, help.code(), script + ".jar --help:\n" + help.all());
            assertTrue(help.out().startsWith("Usage: " + script), help.all());
        }

        String url = TestSupport.freshDatabase();
        Map<String, String> env = new java.util.HashMap<>(TestSupport.adminEnv(url));
        env.putAll(plain);
        TestSupport.Result run = sh(server, env, blocks.get(1));
        TestSupport.assertNoSecrets(run.all(), env);
        assertEquals(0, run.code(), "docs/deploying.md's server block, run as written:\n" + run.all());
        assertTrue(run.out().contains("Applied 4 migrations"), run.out());
        assertTrue(run.out().contains("Database is up to date."), run.out());
        assertEquals("1|8|4|10", TestSupport.seededCounts(url));
    }
}
