import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** sslmode against a PostgreSQL that serves a self-signed certificate (made with openssl). */
@Needs(Tool.OPENSSL)
class TlsTest {
    static EmbeddedServer tls;
    static Path certs;
    static String url;

    @BeforeAll
    static void start() throws Exception {
        certs = Files.createTempDirectory("tls-");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout", certs.resolve("server.key").toString(), "-out", certs.resolve("server.crt").toString());
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=someone-else",
                "-keyout", certs.resolve("other.key").toString(), "-out", certs.resolve("other.crt").toString());
        Files.setPosixFilePermissions(certs.resolve("server.key"), PosixFilePermissions.fromString("rw-------"));
        tls = EmbeddedServer.start(17, null, true, Map.of(
                "ssl", "on",
                "ssl_cert_file", certs.resolve("server.crt").toString(),
                "ssl_key_file", certs.resolve("server.key").toString()));
        url = tls.createDatabase("tls");
    }

    private static void openssl(String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = "openssl";
        System.arraycopy(args, 0, command, 1, args.length);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
    }

    @AfterAll
    static void stop() throws Exception {
        if (tls != null) tls.close();
    }

    private static TestSupport.Result status(String query) {
        TestSupport.Result r = TestSupport.run(new status(), TestSupport.env("DIRECT_URL", url + query), "--json");
        assertTrue(!r.all().contains(tls.password), "password leaked");
        return r;
    }

    @Test
    void requireConnectsOverTls() throws Exception {
        TestSupport.Result r = status("?sslmode=require");
        assertEquals(1, r.code(), r.all());
        assertEquals(true, Console.JSON.readTree(r.out()).get("target").get("ssl").asBoolean());
    }

    @Test
    void disableConnectsWithoutTls() throws Exception {
        TestSupport.Result r = status("?sslmode=disable");
        assertEquals(1, r.code(), r.all());
        assertEquals(false, Console.JSON.readTree(r.out()).get("target").get("ssl").asBoolean());
    }

    @Test
    void verifyFullWithoutTheRootCertificateSaysWhichToDownloadAndHow() {
        TestSupport.Result r = status("?sslmode=verify-full&sslrootcert=" + certs.resolve("absent.crt"));
        assertEquals(3, r.code(), r.all());
        assertTrue(r.err().contains("sslmode=verify-full checks the server's certificate against a root certificate, and there is none at"), r.err());
        assertTrue(r.err().contains("prod-ca-2021.crt") && r.err().contains("add sslrootcert=/path/to/it.crt to the URL"), r.err());
    }

    @Test
    void verifyFullWithTheRightRootConnects() {
        assertEquals(1, status("?sslmode=verify-full&sslrootcert=" + certs.resolve("server.crt")).code());
    }

    @Test
    void verifyFullWithTheWrongRootIsRefused() {
        TestSupport.Result r = status("?sslmode=verify-full&sslrootcert=" + certs.resolve("other.crt"));
        assertEquals(3, r.code(), r.all());
        assertTrue(r.err().contains("presented a certificate that the root certificate in sslrootcert does not vouch for"), r.err());
    }
}
