//DEPS de.mkammerer:argon2-jvm:2.12
// JNA, through which argon2-jvm calls its native library, at the version argon2-jvm 2.12 declares: on a class path
// with Flyway, Flyway's parent POM manages JNA (an optional dependency of Flyway's, never used by it) down to 5.13.0.
//DEPS net.java.dev.jna:jna:5.16.0
import de.mkammerer.argon2.Argon2;
import de.mkammerer.argon2.Argon2Factory;
import de.mkammerer.argon2.Argon2Factory.Argon2Types;

/**
 * argon2id with the node `argon2` package's defaults (m=65536 KiB, t=3, p=4, 32-byte hash,
 * 16-byte salt, version 19), encoded in the PHC form its `argon2.verify` reads.
 */
final class PasswordHasher {
    static final int MEMORY_KIB = 65536;
    static final int ITERATIONS = 3;
    static final int PARALLELISM = 4;
    static final int SALT_BYTES = 16;
    static final int HASH_BYTES = 32;

    // created on first use: loading the native library costs start-up time that status rarely needs
    private Argon2 argon2;

    private Argon2 argon2() {
        if (argon2 == null) argon2 = Argon2Factory.create(Argon2Types.ARGON2id, SALT_BYTES, HASH_BYTES);
        return argon2;
    }

    String hash(String password) {
        char[] chars = password.toCharArray();
        try {
            return argon2().hash(ITERATIONS, MEMORY_KIB, PARALLELISM, chars);
        } finally {
            java.util.Arrays.fill(chars, '\0');
        }
    }

    /** Whether a stored hash is an argon2 hash of this password (any parameters it encodes). */
    boolean verifies(String storedHash, String password) {
        if (storedHash == null || !storedHash.startsWith("$argon2")) return false;
        char[] chars = password.toCharArray();
        try {
            Argon2 checker = Argon2Factory.create(storedHash.startsWith("$argon2id$") ? Argon2Types.ARGON2id
                    : storedHash.startsWith("$argon2i$") ? Argon2Types.ARGON2i : Argon2Types.ARGON2d);
            return checker.verify(storedHash, chars);
        } catch (RuntimeException e) {
            return false;
        } finally {
            java.util.Arrays.fill(chars, '\0');
        }
    }
}
