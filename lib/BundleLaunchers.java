//SOURCES KitVersion.java BundleScript.java
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/** The bundle's bin/SCRIPT: a shell launcher that runs the script on runtime/bin/java and nothing else, as JBang would run it. */
final class BundleLaunchers {
    /** What the launchers name lib/ by: a descriptor of the shell (fd 3), the same path wherever the bundle is unpacked. */
    static final String LIB_BY_DESCRIPTOR = "/proc/self/fd/3";

    /** The runtime's java command for a script: its //RUNTIME_OPTIONS, a class-data option, lib/ as {@code lib} names it. */
    static List<String> javaArguments(BundleScript s, boolean withPostgres, String lib, String cdsOption) {
        List<String> args = new ArrayList<>(s.runtimeOptions());
        args.add(cdsOption);
        args.add("-Xshare:auto");
        args.add("-cp");
        args.add(String.join(":", s.classPath(withPostgres).stream().map(e -> lib + "/" + e).toList()));
        args.add(s.mainClass());
        return args;
    }

    static void write(BundleScript s, Path dir) throws IOException {
        StringBuilder java = new StringBuilder("exec \"$home/runtime/bin/java\"");
        for (String a : javaArguments(s, true, "$lib", "-XX:SharedArchiveFile=$home/lib/" + s.name() + ".jsa")) {
            java.append(" \\\n  \"").append(a.replace("\\", "\\\\").replace("\"", "\\\"").replace("`", "\\`")).append('"');
        }
        java.append(" \\\n  \"$@\"\n");
        String text = """
                #!/bin/sh
                # rc-dbkit %1$s: %2$s.java on this bundle's own Java runtime (runtime/); no java on PATH, no JAVA_HOME
                # and no JBang is used. Same options, output and exit codes as `./jbang %2$s.java`. Without --dir, the
                # folder holding migrations/, seeds/ and .env is this bundle's own folder; with --dir, that folder.
                self=$0
                case $self in */*) ;; *) self=./$self ;; esac
                if [ -L "$self" ]; then self=$(readlink -f -- "$self") || exit 2; fi
                home=$(cd -P -- "${self%%/*}/.." && pwd -P) || exit 2
                given=
                for arg; do
                  case $arg in --dir|--dir=*) given=1 ;; esac
                done
                [ -n "$given" ] || set -- "$@" --dir "$home"
                # Java 17 checks a class-data archive against the class path as written when the archive was made;
                # %3$s names lib/ the same wherever the bundle is unpacked, so the archive applies.
                lib=$home/lib
                exec 3<"$lib"
                if [ -f %3$s/%2$s.jar ]; then lib=%3$s; fi
                """.formatted(KitVersion.NUMBER, s.name(), LIB_BY_DESCRIPTOR) + java;
        Path launcher = dir.resolve("bin").resolve(s.name());
        Files.writeString(launcher, text);
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private BundleLaunchers() {}
}
