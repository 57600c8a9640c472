//SOURCES BundleSteps.java BundleScript.java BundleLaunchers.java BundleTlsServer.java
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bundle's class-data archives, lib/SCRIPT.jsa: one real run of each script on the bundled
 * runtime, with the launcher's own command line but -XX:ArchiveClassesAtExit: migrate, seed and
 * status against a throwaway PostgreSQL that takes TLS and a SCRAM password only (which also proves
 * the runtime can do both); verify (which starts PostgreSQL itself) with --help. The class path at
 * this time leaves lib/postgres/ out, so an archive made here fits the bundle with or without it
 * (Java accepts a class path that adds entries after the archived ones).
 */
final class BundleTraining {
    static void train(List<BundleScript> scripts, Path dir, Path work) throws Exception {
        try (EmbeddedServer server = BundleTlsServer.start(work.resolve("certs"))) {
            String url = server.createDatabase("training") + "?sslmode=require";
            Map<String, String> env = new LinkedHashMap<>();
            env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
            env.put("HOME", work.toString());
            env.put("DIRECT_URL", url);
            env.put("ADMIN_SEED_EMAIL", "training@example.com");
            env.put("ADMIN_SEED_PASSWORD", Base64.getUrlEncoder().withoutPadding().encodeToString(new SecureRandom().generateSeed(18)));
            for (BundleScript s : scripts) {
                List<String> command = new ArrayList<>(List.of("sh", "-c", "exec 3<\"$0\" && exec \"$@\"", dir.resolve("lib").toString(),
                        dir.resolve("runtime/bin/java").toString()));
                command.addAll(BundleLaunchers.javaArguments(s, false, BundleLaunchers.LIB_BY_DESCRIPTOR,
                        "-XX:ArchiveClassesAtExit=" + dir.resolve("lib").resolve(s.name() + ".jsa")));
                command.addAll(s.name().equals("verify") ? List.of("--help") : List.of("--dir", dir.toString()));
                BundleSteps.run(command, work, env, "the bundle's " + s.name() + " (training its class-data archive)");
                if (!Files.isRegularFile(dir.resolve("lib").resolve(s.name() + ".jsa"))) BundleSteps.fail(4, "the bundled runtime wrote no class-data archive for " + s.name() + ".");
            }
        }
    }

    private BundleTraining() {}
}
