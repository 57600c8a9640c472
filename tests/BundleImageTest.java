//SOURCES Bundled.java
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The bundle's container image (deploy/Dockerfile) and docs/deploying.md's compose service, run on
 * the bundle that {@link Bundled} builds, against its PostgreSQL that takes TLS with a SCRAM
 * password only.
 */
class BundleImageTest {
    @AfterAll
    static void stop() throws Exception {
        Bundled.stop();
    }

    /**
     * deploy/Dockerfile, step by step, on this machine (no Docker engine here): ADD of the tarball
     * as tar xzf into a folder that stands for the image's /, RUN with that folder before its
     * absolute paths, WORKDIR, USER as setpriv (when root); then the one-shot service's command from
     * docs/deploying.md's compose file, with only the variables compose passes, and the image's CMD.
     */
    @Test
    void theDockerfilesStepsOnTheBundleMakeAnImageWhoseComposeServiceMigratesAndSeeds() throws Exception {
        Bundled.start();
        Path root = Files.createTempDirectory("image-root-");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> vars = new LinkedHashMap<>();
        Path workdir = root;
        String user = null;
        List<String> cmd = null;
        String from = null;
        for (String instruction : dockerfile(TestSupport.kitDir().resolve("deploy/Dockerfile"))) {
            String keyword = instruction.substring(0, instruction.indexOf(' ')).toUpperCase(java.util.Locale.ROOT);
            String rest = expand(instruction.substring(instruction.indexOf(' ') + 1).strip(), vars);
            switch (keyword) {
                case "FROM" -> from = rest;
                case "ARG" -> vars.put(rest.substring(0, rest.indexOf('=')), rest.substring(rest.indexOf('=') + 1));
                case "ADD" -> {
                    String[] parts = rest.split("\\s+");
                    assertEquals(2, parts.length, instruction);
                    Path into = root.resolve(parts[1].substring(1));
                    Files.createDirectories(into);
                    assertTrue(parts[0].endsWith(".tar.gz"), "ADD of a tarball, which Docker unpacks: " + instruction);
                    assertEquals(0, Bundled.exec(root, TestSupport.env(), List.of("tar", "xzf", Bundled.built().out().resolve(parts[0]).toString(), "-C", into.toString())).code(), instruction);
                }
                case "RUN" -> {
                    TestSupport.Result r = Bundled.sh(root, TestSupport.env(), rest.replaceAll("(^|\\s)/", "$1" + root + "/"));
                    assertEquals(0, r.code(), instruction + ":\n" + r.all());
                }
                case "WORKDIR" -> workdir = root.resolve(rest.substring(1));
                case "USER" -> user = rest;
                case "CMD" -> cmd = List.of(Console.JSON.readValue(rest, String[].class));
                default -> throw new AssertionError("BundleTest does not know how to run the Dockerfile's " + keyword + "; teach it, or keep the Dockerfile to FROM, ARG, ADD, RUN, WORKDIR, USER, CMD");
            }
        }
        assertTrue(from != null && from.startsWith("debian:") && !from.contains("alpine"), "a glibc base: " + from);
        assertTrue(Files.isExecutable(workdir.resolve("bin/migrate")), "WORKDIR holds the bundle: " + workdir);

        String command = composeCommand();
        Bundled.admin("drop database if exists compose with (force)");
        Bundled.admin("create database compose owner " + EmbeddedServer.USER);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", Bundled.noJavaPath.toString());
        env.put("HOME", "/nonexistent");
        env.put("DIRECT_URL", Bundled.url("compose") + "?sslmode=require");
        env.put("ADMIN_SEED_EMAIL", TestSupport.ADMIN_EMAIL);
        env.put("ADMIN_SEED_PASSWORD", TestSupport.ADMIN_PASSWORD);
        List<String> as = user != null && Tool.isRoot() ? List.of("setpriv", "--reuid=" + user, "--regid=nogroup", "--clear-groups") : List.of();
        List<String> service = new ArrayList<>(as);
        service.addAll(List.of("/bin/sh", "-c", command));
        TestSupport.Result r = Bundled.exec(workdir, env, service);
        assertEquals(0, r.code(), "the compose service's command: " + command + "\n" + r.all());
        assertTrue(r.out().contains("Applied 4 migrations"), r.out());
        assertFalse(r.all().contains(Bundled.tls.password) || r.all().contains(TestSupport.ADMIN_PASSWORD), r.all());
        assertEquals("1|8|4|10", Bundled.counts("compose"));
        List<String> image = new ArrayList<>(as);
        image.addAll(cmd);
        TestSupport.Result status = Bundled.exec(workdir, env, image);
        assertEquals(0, status.code(), "the image's CMD " + cmd + ":\n" + status.all());
        assertTrue(status.out().contains("Database is up to date."), status.out());
    }

    /** The Dockerfile's instructions, continuation lines joined, comments left out. */
    static List<String> dockerfile(Path file) throws IOException {
        List<String> instructions = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String line : Files.readAllLines(file)) {
            if (line.strip().startsWith("#") || line.isBlank()) continue;
            if (line.endsWith("\\")) {
                cur.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            instructions.add(cur.append(line).toString().strip());
            cur.setLength(0);
        }
        return instructions;
    }

    static String expand(String text, Map<String, String> vars) {
        Matcher m = Pattern.compile("\\$\\{(\\w+)}|\\$(\\w+)").matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            m.appendReplacement(sb, Matcher.quoteReplacement(vars.getOrDefault(name, m.group())));
        }
        return m.appendTail(sb).toString();
    }

    /** The `command:` of the migrate service in docs/deploying.md's compose file, as compose's sh -c string. */
    static String composeCommand() throws IOException {
        String doc = Files.readString(TestSupport.kitDir().resolve("docs/deploying.md"));
        Matcher m = Pattern.compile("(?m)^\\s+command: sh -c \"(.*)\"\\s*$").matcher(doc);
        assertTrue(m.find(), "docs/deploying.md's compose file has a `command: sh -c \"...\"` line");
        return m.group(1);
    }
}
