//DEPS info.picocli:picocli:4.7.7
//SOURCES Console.java Settings.java Secrets.java Durations.java ExitCode.java KitException.java KitVersion.java
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What every script shares on its command line: the options of DESIGN.md, the environment it
 * reads (injectable, so tests run a script in-process), and one error handler that prints
 * `error: <sentence>` and returns the sentence's exit code.
 */
abstract class Cli implements Callable<Integer> {
    static final String VERSION = KitVersion.NAME;

    @Spec
    CommandSpec spec;

    @Option(names = "--env-file", paramLabel = "FILE", description = "Read variables from FILE instead of .env in the --dir folder (the environment still wins, variable by variable).")
    Path envFile;

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = ".", description = "Folder that holds migrations/ and seeds/ (default: the working folder).")
    Path dir;

    @Option(names = "--json", description = "Print one JSON document on stdout instead of the human report.")
    boolean json;

    @Option(names = "--verbose", description = "Show library output and stack traces.")
    boolean verbose;

    /** The process environment; tests hand in their own. */
    Map<String, String> environment = System.getenv();

    private Console console;

    Console console() {
        if (console == null) {
            console = new Console(spec.commandLine().getOut(), spec.commandLine().getErr(), json, verbose);
        }
        return console;
    }

    Settings settings() {
        return Settings.load(environment, envFile, dir, console()::warn);
    }

    /** Runs a script's command the way `main` does, with its own environment and streams. */
    static int run(Cli command, Map<String, String> environment, PrintWriter out, PrintWriter err, String... args) {
        command.environment = environment;
        CommandLine cl = new CommandLine(command);
        cl.setOut(out);
        cl.setErr(err);
        cl.setUsageHelpLongOptionsMaxWidth(28);
        // --version names the commit too: asked only when --version is given, after --dir is read
        cl.getCommandSpec().versionProvider(() -> new String[] {KitVersion.describe(command.dir)});
        cl.registerConverter(Duration.class, text -> {
            try {
                return Durations.parse(text);
            } catch (KitException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        });
        cl.setParameterExceptionHandler((ex, args2) -> {
            // picocli's sentence may quote the arguments, and a mistyped option can carry a URL
            String message = maskUrlPasswords(String.valueOf(ex.getMessage()));
            String sentence = message + (message.endsWith(".") ? "" : ".");
            PrintWriter e = ex.getCommandLine().getErr();
            // one line, as every other error: what was wrong, and where the options are listed
            e.println("error: " + (message.endsWith(".") ? message.substring(0, message.length() - 1) : message)
                    + "; run '" + ex.getCommandLine().getCommandName() + " --help' to see the options.");
            e.flush();
            // the options were not read, so --json is looked for among the arguments as given
            if (java.util.Arrays.asList(args2).contains("--json")) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("ok", false);
                doc.put("exitCode", ExitCode.USAGE);
                doc.put("error", sentence);
                new Console(ex.getCommandLine().getOut(), e, true, false).document(doc);
            }
            return ExitCode.USAGE;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            Cli cmd = commandLine.getCommand();
            Console console = cmd.console();
            int code = ExitCode.FAILED;
            String sentence;
            if (ex instanceof KitException k) {
                code = k.exitCode;
                sentence = k.getMessage();
            } else {
                sentence = "unexpected " + ex.getClass().getSimpleName() + ": " + Secrets.scrub(String.valueOf(ex.getMessage()), cmd.knownSecrets()) + " (run again with --verbose for details).";
            }
            console.error(sentence);
            if (console.verbose) {
                java.io.StringWriter trace = new java.io.StringWriter();
                ex.printStackTrace(new PrintWriter(trace));
                console.err.println(Secrets.scrub(trace.toString(), cmd.knownSecrets()));
                console.err.flush();
            }
            if (console.json) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("ok", false);
                doc.put("exitCode", code);
                doc.put("error", sentence);
                if (ex instanceof KitException k) doc.putAll(k.details);
                console.document(doc);
            }
            return code;
        });
        return cl.execute(args);
    }

    private static final java.util.regex.Pattern URL_USERINFO = java.util.regex.Pattern.compile("(?i)(postgres(?:ql)?://)[^\\s'\"]*@");
    private static final java.util.regex.Pattern PASSWORD_PARAMETER = java.util.regex.Pattern.compile("(?i)(password=)[^&\\s'\"]*");

    /** Hides the user name and password of any URL in a text that quotes the command line. */
    static String maskUrlPasswords(String text) {
        String masked = URL_USERINFO.matcher(text).replaceAll("$1****@");
        return PASSWORD_PARAMETER.matcher(masked).replaceAll("$1****");
    }

    static int main(Cli command, String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        Console.processStreams = true; // a live line may ask whether these are terminals
        return run(command, System.getenv(), out, err, args);
    }

    /** Secrets this run has seen (passwords), so that no message can carry one out. */
    final java.util.List<String> secrets = new java.util.ArrayList<>();

    java.util.List<String> knownSecrets() {
        return secrets;
    }
}
