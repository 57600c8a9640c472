import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;

/**
 * Reading a migrations folder as Flyway walks it (subfolders and links followed), and what stands in
 * the way, each said in one sentence that names the entry: a link that leads back into the folder or
 * to itself, a link to nothing, an entry that cannot be read. migrate refuses to run on them; status
 * shows them as findings and reports the rest.
 */
final class MigrationFolder {

    /** Every entry under the folder, links followed, in name order; an entry that cannot be followed or read is a problem, and the walk goes on. */
    static List<Path> walk(Path folder, List<String> problems) {
        List<Path> found = new ArrayList<>();
        try {
            Files.walkFileTree(folder, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                    if (!dir.equals(folder)) found.add(dir);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    found.add(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    problems.add(unreadable(folder, file, e));
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            problems.add(unreadable(folder, folder, e));
        }
        found.sort(Comparator.naturalOrder());
        return found;
    }

    /** A link that cannot be followed: one that leads back to itself (a loop), or to a path that does not exist. */
    static String brokenLink(Path folder, Path link) {
        String shown = "migrations/" + folder.relativize(link);
        try {
            link.toRealPath();
        } catch (NoSuchFileException e) {
            String target;
            try {
                target = String.valueOf(Files.readSymbolicLink(link));
            } catch (IOException unreadable) {
                target = "a path";
            }
            return shown + " is a link to " + target + ", which does not exist; point it at the file it stands for, or remove it";
        } catch (IOException e) {
            // ELOOP: the link leads, through links, back to itself
        }
        return shown + " is a link that leads back to itself (a link loop), so it cannot be read; point it at the file it stands for, or remove it";
    }

    /** An entry the walk could not read: a link back into the folder (a loop), or one the operating system refused, with its reason. */
    static String unreadable(Path folder, Path entry, IOException e) {
        if (e instanceof FileSystemLoopException) {
            return "the folder " + folder + " holds a link that leads back into itself (" + entry + "), so what lies behind it cannot be listed;"
                    + " remove that link or point it elsewhere";
        }
        String reason = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : e.getClass().getSimpleName();
        return (entry.equals(folder) ? "the folder " + folder : "migrations/" + folder.relativize(entry)) + " cannot be read (" + reason + "); check its permissions";
    }

    private MigrationFolder() {}
}
