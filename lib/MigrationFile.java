//SOURCES SqlScript.java SqlCursor.java SqlLexer.java KitException.java
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * One migration file, read once per run: where it is, its bytes, its checksums (Flyway's and
 * Prisma's), and its statements with their lines. The same value serves the plan, the lint, the
 * apply and the error message that names a line.
 */
final class MigrationFile {
    /** Flyway's name for a versioned migration: V, a version, optionally __ and a description, .sql. */
    static final Pattern FLYWAY_NAME = Pattern.compile("V([0-9]+(?:[._][0-9]+)*)(?:__(.*))?\\.sql");

    /** How the kit names it in messages: the file name (Flyway) or folder/migration.sql (Prisma). */
    final String name;
    /** Flyway's script (the path inside migrations/), or the Prisma folder/migration.sql. */
    final String script;
    /** Flyway's version (1.0 is 1), or the Prisma folder name. */
    final String version;
    /** Flyway's description (underscores as spaces); empty for Prisma. */
    final String description;
    final Path path;
    final byte[] bytes;
    /** The text as UTF-8, a byte-order mark dropped (as Flyway reads it). */
    final String text;
    private List<SqlScript.Statement> statements;

    private MigrationFile(String name, String script, String version, String description, Path path, byte[] bytes) {
        this.name = name;
        this.script = script;
        this.version = version;
        this.description = description;
        this.path = path;
        this.bytes = bytes;
        String t = new String(bytes, StandardCharsets.UTF_8);
        this.text = t.startsWith("\uFEFF") ? t.substring(1) : t;
    }

    /** Other names Flyway reads in migrations/: repeatable migrations and callbacks (beforeMigrate.sql, ...). */
    private static final Pattern FLYWAY_OTHER = Pattern.compile("R__.+\\.sql|(before|after)[A-Za-z]+(__.*)?\\.sql");

    /** Whether a file in migrations/ is an .sql file that Flyway would not take as any of its kinds (V5_x.sql, v6__x.sql, U5__x.sql). */
    static boolean misnamed(String fileName) {
        return fileName.endsWith(".sql") && !FLYWAY_NAME.matcher(fileName).matches() && !FLYWAY_OTHER.matcher(fileName).matches();
    }

    /** A description as Flyway stores it in its history: over 200 characters, the first 197 and "...". */
    static String abbreviated(String description) {
        return description.length() <= 200 ? description : description.substring(0, 197) + "...";
    }

    /** A file in migrations/ whose name matches {@link #FLYWAY_NAME}; null for any other name. */
    static MigrationFile flyway(Path folder, Path file) {
        Matcher m = FLYWAY_NAME.matcher(file.getFileName().toString());
        if (!m.matches()) return null;
        String script = folder.relativize(file).toString().replace(java.io.File.separatorChar, '/');
        String description = m.group(2) == null ? "" : m.group(2).replace('_', ' ');
        return new MigrationFile(file.getFileName().toString(), script, normalizeVersion(m.group(1)), description, file, read(file));
    }

    /** A migration Flyway resolved that the kit's own list does not hold (a repeatable one, say), named as Flyway names it. */
    static MigrationFile resolvedByFlyway(Path folder, Path file, String version, String description) {
        String script = folder.relativize(file.toAbsolutePath()).toString().replace(java.io.File.separatorChar, '/');
        return new MigrationFile(file.getFileName().toString(), script, version == null || version.equals("null") ? "" : version,
                description == null ? "" : description, file, read(file));
    }

    /** A Prisma migration: folder/migration.sql. */
    static MigrationFile prisma(Path folder) {
        String name = folder.getFileName().toString();
        Path file = folder.resolve("migration.sql");
        return new MigrationFile(name + "/migration.sql", name + "/migration.sql", name, "", file, read(file));
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw KitException.usage(file + " cannot be read (" + e.getClass().getSimpleName() + "); check its permissions.");
        }
    }

    /**
     * Refuses a file PostgreSQL cannot take as it is, before anything runs, the same on both engines:
     * bytes that are not UTF-8 (Flyway would read them as replacement characters, the Prisma path send
     * them so) and a NUL byte (no statement may hold one), each with the byte offset and the line.
     */
    void checkText() {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT).onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(8192);
        while (true) {
            java.nio.charset.CoderResult r = decoder.decode(in, out, true);
            if (r.isError()) {
                throw KitException.usage(name + " is not valid UTF-8 at byte " + in.position() + " (line " + byteLine(in.position())
                        + "); save it as UTF-8, the encoding PostgreSQL and both migration engines read. Nothing was applied.");
            }
            if (r.isUnderflow()) break;
            out.clear();
        }
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                throw KitException.usage(name + " holds a NUL byte at byte " + i + " (line " + byteLine(i)
                        + "), which no PostgreSQL statement can hold; remove it (the file fails the same way on every run). Nothing was applied.");
            }
        }
    }

    /** The line of the file a byte offset is on. */
    private int byteLine(int offset) {
        int line = 1;
        for (int i = 0; i < offset && i < bytes.length; i++) if (bytes[i] == '\n') line++;
        return line;
    }

    List<SqlScript.Statement> statements() {
        if (statements == null) statements = SqlScript.split(text);
        return statements;
    }

    /** Flyway's checksum: CRC32 over the UTF-8 bytes of each line without its line break, BOM dropped. */
    int flywayChecksum() {
        return flywayChecksum(text);
    }

    static int flywayChecksum(byte[] bytes) {
        String t = new String(bytes, StandardCharsets.UTF_8);
        return flywayChecksum(t.startsWith("\uFEFF") ? t.substring(1) : t);
    }

    private static int flywayChecksum(String text) {
        CRC32 crc = new CRC32();
        try (BufferedReader reader = new BufferedReader(new StringReader(text))) {
            String line;
            while ((line = reader.readLine()) != null) crc.update(line.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return (int) crc.getValue();
    }

    /** Prisma's checksum: SHA-256 of the bytes, in hex. */
    String sha256() {
        return sha256(bytes);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The line of the file a character offset of its text is on. */
    int lineAt(int offset) {
        return SqlScript.lineAt(text, offset);
    }

    /**
     * Statements PostgreSQL cannot run in a transaction, as Flyway's PostgreSQL support lists them:
     * CREATE/DROP DATABASE, TABLESPACE or SUBSCRIPTION, ALTER SYSTEM, CREATE/DROP INDEX
     * CONCURRENTLY, REINDEX SCHEMA/DATABASE/SYSTEM, VACUUM, DISCARD ALL (and REINDEX ... CONCURRENTLY).
     */
    static boolean needsNoTransaction(SqlScript.Statement s) {
        SqlCursor c = new SqlCursor(s.tokens());
        if (c.anyKeyword("create", "drop") != null) {
            if (c.anyKeyword("database", "tablespace", "subscription") != null) return true;
            c.keywords("unique");
            return c.keywords("index", "concurrently");
        }
        if (c.keywords("reindex")) {
            if (s.tokens().stream().anyMatch(t -> t.keyword("concurrently"))) return true;
            if (c.accept("(")) {
                if (!c.keywords("verbose") || !c.accept(")")) return false;
            } else {
                c.keywords("verbose");
            }
            return c.anyKeyword("schema", "database", "system") != null;
        }
        return c.keywords("alter", "system") || c.keywords("vacuum") || c.keywords("discard", "all");
    }

    boolean needsNoTransaction() {
        return statements().stream().anyMatch(MigrationFile::needsNoTransaction);
    }

    /** BEGIN or START TRANSACTION, in any of their forms. */
    static boolean opensTransaction(SqlScript.Statement st) {
        List<SqlLexer.Token> t = st.tokens();
        return st.startsWith("start", "transaction")
                || st.startsWith("begin") && (t.size() == 1 || t.get(1).keyword("transaction") || t.get(1).keyword("work") || t.get(1).keyword("isolation")
                        || t.get(1).keyword("read") || t.get(1).keyword("not") || t.get(1).keyword("deferrable"));
    }

    /** A statement that opens or ends a transaction (BEGIN ..., COMMIT, END). */
    static boolean controlsTransaction(SqlScript.Statement st) {
        List<SqlLexer.Token> t = st.tokens();
        boolean ends = (st.startsWith("commit") || st.startsWith("end")) && (t.size() == 1 || t.size() == 2 && (t.get(1).keyword("work") || t.get(1).keyword("transaction")));
        return opensTransaction(st) || ends;
    }

    /** Whether the script opens its own transaction (BEGIN ... COMMIT), so it must run as written. */
    boolean ownsTransaction() {
        return statements().stream().anyMatch(MigrationFile::opensTransaction);
    }

    /** Flyway's version, normalized: _ is ., trailing zero parts dropped (1.0 is 1), leading zeros dropped. */
    static String normalizeVersion(String version) {
        String[] parts = version.replace('_', '.').split("\\.");
        StringBuilder sb = new StringBuilder();
        int last = parts.length - 1;
        while (last > 0 && new java.math.BigInteger(parts[last]).signum() == 0) last--;
        for (int i = 0; i <= last; i++) sb.append(i > 0 ? "." : "").append(new java.math.BigInteger(parts[i]));
        return sb.toString();
    }

    static int compareVersions(String a, String b) {
        String[] pa = a.split("\\."), pb = b.split("\\.");
        for (int i = 0; i < Math.max(pa.length, pb.length); i++) {
            java.math.BigInteger x = i < pa.length ? new java.math.BigInteger(pa[i]) : java.math.BigInteger.ZERO;
            java.math.BigInteger y = i < pb.length ? new java.math.BigInteger(pb[i]) : java.math.BigInteger.ZERO;
            int c = x.compareTo(y);
            if (c != 0) return c;
        }
        return 0;
    }

    @Override
    public String toString() {
        return name;
    }
}
