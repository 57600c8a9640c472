//SOURCES BundleSteps.java
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** The bundle's tarballs: GNU tar of a part of dist/, gzip, and a .sha256 beside it in sha256sum's format. */
final class BundleArchive {
    /** Owner root, names sorted; the files keep their times, which the class-data archives check. */
    static void tar(Path out, String file, String... what) throws Exception {
        List<String> command = new ArrayList<>(List.of("tar", "--create", "--gzip", "--file", out.resolve(file).toString(),
                "--owner=0", "--group=0", "--numeric-owner", "--sort=name", "-C", out.toString()));
        command.addAll(List.of(what));
        BundleSteps.run(command, out, null, "tar of " + file);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(out.resolve(file))) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) sha.update(buffer, 0, n);
        }
        Files.writeString(out.resolve(file + ".sha256"), HexFormat.of().formatHex(sha.digest()) + "  " + file + "\n");
    }

    private BundleArchive() {}
}
