//SOURCES BundleSteps.java BundleScript.java BundleLaunchers.java BundleTlsServer.java
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The bundle's class-data archives, from real runs of each script on the bundled runtime with the
 * launcher's own command line: migrate, seed and status against a throwaway PostgreSQL that takes
 * TLS and a SCRAM password only (which also proves the runtime can do both); verify (which starts
 * PostgreSQL itself) with --help. Two rounds: the first lists the classes each script loads
 * (-XX:DumpLoadedClassList), and the runtime's own archive, runtime/lib/server/classes.jsa, is
 * written again from the JDK's list and those, so the JDK classes the four share (TLS, JDBC's
 * needs) are archived once; the second writes lib/SCRIPT.jsa (-XX:ArchiveClassesAtExit), which
 * then holds the script's own classes on top of it. The class path at this time leaves
 * lib/postgres/ out, so an archive made here fits the bundle with or without it (Java accepts a
 * class path that adds entries after the archived ones).
 */
final class BundleTraining {
    static void train(List<BundleScript> scripts, Path dir, Path work) throws Exception {
        Path lib = dir.resolve("lib");
        Path runtime = dir.resolve("runtime");
        try (EmbeddedServer server = BundleTlsServer.start(work.resolve("certs"))) {
            Set<String> classes = new LinkedHashSet<>(Files.readAllLines(runtime.resolve("lib/classlist")));
            Map<String, String> env = environment(server, "classes", work);
            for (BundleScript s : scripts) {
                Path list = work.resolve(s.name() + ".classlist");
                run(s, dir, work, env, "-XX:DumpLoadedClassList=" + list, "listing the classes it loads");
                Files.readAllLines(list).stream().filter(l -> !l.startsWith("#")).forEach(classes::add);
            }
            Path union = work.resolve("bundle.classlist");
            Files.write(union, classes);
            Path archive = runtime.resolve("lib/server/classes.jsa");
            Files.deleteIfExists(archive);
            // classes of the scripts' jars are on the list too: with no class path here, the dump passes them by
            BundleSteps.run(List.of(runtime.resolve("bin/java").toString(), "-Xshare:dump", "-XX:SharedClassListFile=" + union,
                    "-XX:SharedArchiveFile=" + archive), work, Map.of(), "the bundled runtime's -Xshare:dump of the JDK classes the scripts load");
            env = environment(server, "training", work);
            for (BundleScript s : scripts) {
                run(s, dir, work, env, "-XX:ArchiveClassesAtExit=" + lib.resolve(s.name() + ".jsa"), "training its class-data archive");
                if (!Files.isRegularFile(lib.resolve(s.name() + ".jsa"))) BundleSteps.fail(4, "the bundled runtime wrote no class-data archive for " + s.name() + ".");
            }
        }
    }

    /** The training runs' environment: a fresh database of the server, reached over TLS; a throwaway admin. */
    static Map<String, String> environment(EmbeddedServer server, String database, Path work) throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("HOME", work.toString());
        env.put("DIRECT_URL", server.createDatabase(database) + "?sslmode=require");
        env.put("ADMIN_SEED_EMAIL", "training@example.com");
        env.put("ADMIN_SEED_PASSWORD", Base64.getUrlEncoder().withoutPadding().encodeToString(new SecureRandom().generateSeed(18)));
        return env;
    }

    /** The script on the bundled runtime, lib/ named as the launchers name it, with a class-data option. */
    static void run(BundleScript s, Path dir, Path work, Map<String, String> env, String cdsOption, String what) throws Exception {
        List<String> command = new ArrayList<>(List.of("sh", "-c", "exec 3<\"$0\" && exec \"$@\"", dir.resolve("lib").toString(),
                dir.resolve("runtime/bin/java").toString()));
        command.addAll(BundleLaunchers.javaArguments(s, false, BundleLaunchers.LIB_BY_DESCRIPTOR, cdsOption));
        command.addAll(s.name().equals("verify") ? List.of("--help") : List.of("--dir", dir.toString()));
        BundleSteps.run(command, work, env, "the bundle's " + s.name() + " (" + what + ")");
    }

    private BundleTraining() {}
}
