//SOURCES EmbeddedServer.java BundleSteps.java
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A throwaway PostgreSQL as production is reached: TLS with a self-signed certificate (made with
 * the JDK's keytool), and a login role that may come in over TLS with its SCRAM password only.
 * bundle.java trains its class-data archives against it; BundleTest runs the bundle against it.
 */
final class BundleTlsServer {
    /** Starts the server with its certificate in certs/ (server.crt is what a client verifies it with). */
    static EmbeddedServer start(Path certs) throws Exception {
        certificate(certs);
        EmbeddedServer server = EmbeddedServer.start(17, null, true, Map.of("ssl", "on",
                "ssl_cert_file", certs.resolve("server.crt").toString(), "ssl_key_file", certs.resolve("server.key").toString()));
        onlyTlsWithScram(server);
        return server;
    }

    /** The login role may come in over TLS with its SCRAM password only, as on Supabase. */
    static void onlyTlsWithScram(EmbeddedServer server) throws Exception {
        try (var c = server.admin("postgres"); var st = c.createStatement(); var rs = st.executeQuery("show hba_file")) {
            rs.next();
            Files.writeString(Path.of(rs.getString(1)), String.join("\n",
                    "host all postgres 127.0.0.1/32 trust", "host all postgres ::1/128 trust",
                    "hostssl all all 127.0.0.1/32 scram-sha-256", "hostssl all all ::1/128 scram-sha-256", ""));
            st.execute("select pg_reload_conf()");
        }
    }

    /** A self-signed certificate for localhost, made with the JDK's keytool (its password in keytool's environment only). */
    static Path certificate(Path dir) throws Exception {
        Files.createDirectories(dir);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(new SecureRandom().generateSeed(18));
        Path store = dir.resolve("server.p12");
        Map<String, String> env = new LinkedHashMap<>(Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"), "KEYSTORE_PASSWORD", password));
        BundleSteps.run(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair", "-keystore", store.toString(), "-storetype", "PKCS12",
                "-storepass:env", "KEYSTORE_PASSWORD", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1"), dir, env, "keytool -genkeypair");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, password.toCharArray());
        }
        Base64.Encoder pem = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        Files.writeString(dir.resolve("server.crt"), "-----BEGIN CERTIFICATE-----\n" + pem.encodeToString(ks.getCertificate("server").getEncoded()) + "\n-----END CERTIFICATE-----\n");
        Path key = dir.resolve("server.key");
        Files.writeString(key, "");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n" + pem.encodeToString(ks.getKey("server", password.toCharArray()).getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        return dir;
    }

    private BundleTlsServer() {}
}
