///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Make the self-contained bundle for a Linux x64 server with no Java: dist/rc-dbkit-<version>-linux-x64/ (a jlink runtime, the scripts' jars, migrations/, seeds/, bin/ launchers), its .tar.gz and .sha256, and the embedded PostgreSQL as an optional part.
//JAVA 17+
//SOURCES lib/KitVersion.java lib/BundleSteps.java lib/BundleScript.java lib/BundleModules.java lib/BundleRuntime.java lib/BundleBuild.java
//SOURCES lib/BundleLaunchers.java lib/BundleTraining.java lib/BundleArchive.java lib/BundleFiles.java

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.spi.ToolProvider;

/**
 * Builds rc-dbkit-VERSION-linux-x64/ in dist/ (or --out DIR), from the kit's folder (the working
 * folder), in the steps main takes, each in a lib/Bundle*.java file of its own:
 *
 * <ol>
 * <li>each script's jar with {@code jbang build --build-dir}, and what {@code jbang info tools} says
 *     it runs with: its resolved dependencies, main class and //RUNTIME_OPTIONS (BundleScript);
 * <li>lib/: the jars, each once; zonky's PostgreSQL binaries for linux-amd64 in lib/postgres/ (the
 *     optional part), those for other platforms left out (BundleScript);
 * <li>the modules: what jdeps finds, the JDK classes the jars name in strings, the providers the JDK
 *     looks up by name (BundleModules); runtime/: jlink of them (BundleRuntime);
 * <li>migrations/ and seeds/ as they are in the kit's folder; lib/build.properties, the commit
 *     (BundleBuild); bin/migrate, bin/seed, bin/status, bin/verify: launchers that run
 *     runtime/bin/java only (BundleLaunchers);
 * <li>the class-data archives, written by the bundled runtime itself during real runs of migrate,
 *     seed and status against a throwaway PostgreSQL over TLS with SCRAM: the runtime's own again,
 *     with the JDK classes the scripts load, then one per script on top of it (BundleTraining);
 * <li>the .tar.gz of everything but lib/postgres/, the -postgres.tar.gz of lib/postgres/, a .sha256
 *     for each (BundleArchive).
 * </ol>
 */
class bundle {
    static final String PLATFORM = "linux-x64";
    static final List<String> SCRIPTS = List.of("migrate", "seed", "status", "verify");

    public static void main(String[] args) throws Exception {
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--out") && i + 1 < args.length) out = Path.of(args[++i]);
            else if (args[i].startsWith("--out=")) out = Path.of(args[i].substring("--out=".length()));
            else if (args[i].equals("-h") || args[i].equals("--help")) {
                System.out.println("""
                        Usage: bundle [--out DIR]
                        Make rc-dbkit-%s-%s/ in DIR (default: dist/ in the kit's folder), its .tar.gz, and the embedded
                        PostgreSQL as an optional part (-postgres.tar.gz), each with a .sha256. Run it from the kit's folder,
                        on a JDK 17 or newer with its jmods (the bundled runtime is made from them).

                        Exit codes:
                          0   the bundle is made
                          2   it cannot be made here: not the kit's folder, not Linux x64, no jlink or jmods, a bad option
                          4   a step failed (named in the output)""".formatted(KitVersion.NUMBER, PLATFORM));
                return;
            } else {
                BundleSteps.fail(2, "unknown option " + args[i] + "; run 'bundle --help' to see the options.");
            }
        }
        Path kit = Path.of("").toAbsolutePath();
        if (!Files.isRegularFile(kit.resolve("migrate.java")) || !Files.isDirectory(kit.resolve("migrations"))) {
            BundleSteps.fail(2, "run bundle.java from the kit's folder (the one holding migrate.java and migrations/); " + kit + " is not it.");
        }
        if (!System.getProperty("os.name").equals("Linux") || !System.getProperty("os.arch").equals("amd64")) {
            BundleSteps.fail(2, "the bundle's runtime is made from this JDK, so it is made on Linux x64; this is " + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ".");
        }
        Path jmods = Path.of(System.getProperty("java.home"), "jmods");
        if (ToolProvider.findFirst("jlink").isEmpty() || !Files.isDirectory(jmods)) {
            BundleSteps.fail(2, "jlink needs a JDK with its jmods/, and " + jmods + " is missing (on Debian 12: apt-get install openjdk-"
                    + Runtime.version().feature() + "-jdk-headless; newer Debian and Ubuntu put it in openjdk-" + Runtime.version().feature() + "-jmods).");
        }
        Path dist = (out == null ? kit.resolve("dist") : out).toAbsolutePath().normalize();
        String name = "rc-dbkit-" + KitVersion.NUMBER + "-" + PLATFORM;
        Path dir = dist.resolve(name);
        Path lib = dir.resolve("lib");

        Path work = Files.createTempDirectory("rc-dbkit-bundle-");
        try {
            List<BundleScript> scripts = new ArrayList<>();
            for (String s : SCRIPTS) scripts.add(BundleSteps.step("Building " + s + ".jar with JBang", () -> BundleScript.build(kit, s, work.resolve(s))));
            BundleFiles.clean(dir);
            Files.createDirectories(lib.resolve("postgres"));
            Files.createDirectories(dir.resolve("bin"));
            BundleSteps.step("Copying the jars into lib/ (each once; PostgreSQL's binaries for linux-amd64 only, in lib/postgres/)", () -> BundleScript.copyJars(scripts, lib));
            TreeSet<String> modules = BundleSteps.step("Finding the modules the jars need: jdeps, the JDK classes they name in strings, the providers the JDK looks up by name",
                    () -> BundleModules.of(scripts, lib));
            System.out.println("  " + String.join(",", modules));
            BundleSteps.step("Making runtime/ with jlink (Java " + Runtime.version() + ")", () -> BundleRuntime.link(modules, dir.resolve("runtime")));
            BundleSteps.step("Copying migrations/ and seeds/", () -> {
                BundleFiles.copyTree(kit.resolve("migrations"), dir.resolve("migrations"));
                BundleFiles.copyTree(kit.resolve("seeds"), dir.resolve("seeds"));
            });
            String commit = BundleSteps.step("Writing lib/" + KitVersion.BUILD_FILE + " and the launchers in bin/", () -> {
                for (BundleScript s : scripts) BundleLaunchers.write(s, dir);
                return BundleBuild.write(kit, dir, name, modules);
            });
            System.out.println("  " + commit);
            BundleSteps.step("Writing the class-data archives: migrate, seed and status against a throwaway PostgreSQL over TLS with SCRAM",
                    () -> BundleTraining.train(scripts, dir, work));
            BundleSteps.step("Packing " + name + ".tar.gz and " + name + "-postgres.tar.gz", () -> {
                BundleArchive.tar(dist, name + ".tar.gz", "--exclude=" + name + "/lib/postgres", name);
                BundleArchive.tar(dist, name + "-postgres.tar.gz", name + "/lib/postgres");
            });
            summary(kit, dist, name, dir);
        } finally {
            BundleFiles.delete(work);
        }
    }

    static void summary(Path kit, Path out, String name, Path dir) throws Exception {
        long postgres = BundleFiles.size(dir.resolve("lib/postgres"));
        long all = BundleFiles.size(dir);
        Path shown = out.startsWith(kit) ? kit.relativize(out) : out;
        System.out.println();
        System.out.printf(Locale.ROOT, "Made %s/%s/ in %s: %s unpacked (%s with lib/postgres/), of which runtime/ %s%n", shown, name,
                BundleSteps.seconds(System.nanoTime() - BundleSteps.STARTED), BundleFiles.mb(all - postgres), BundleFiles.mb(all),
                BundleFiles.mb(BundleFiles.size(dir.resolve("runtime"))));
        System.out.printf(Locale.ROOT, "  %-48s %9s   the bundle%n", shown + "/" + name + ".tar.gz", BundleFiles.mb(Files.size(out.resolve(name + ".tar.gz"))));
        System.out.printf(Locale.ROOT, "  %-48s %9s   optional: PostgreSQL for migrate --rehearse, status --schema, verify%n", shown + "/" + name + "-postgres.tar.gz",
                BundleFiles.mb(Files.size(out.resolve(name + "-postgres.tar.gz"))));
        System.out.println("  each with its .sha256 (sha256sum -c FILE.sha256)");
    }
}
