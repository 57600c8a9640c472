//SOURCES DatabaseTarget.java Causes.java
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import javax.net.ssl.SSLException;

/**
 * Why a connection attempt failed, as the operator reads it: one sentence that names the cause and
 * what to do, and whether waiting (--wait) could help. Every such sentence stands here together.
 */
record ConnectionFailure(String sentence, boolean retryable) {

    private static final String SUPABASE_CA = "for Supabase: Dashboard, Project Settings, Database, SSL Configuration, Download certificate (prod-ca-2021.crt)";

    /** The sentence for a failed attempt to reach `target`. */
    static ConnectionFailure of(SQLException e, DatabaseTarget target) {
        String where = target.hostAndPort();
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String message = e.getMessage() == null ? "" : e.getMessage();
        Throwable cause = Causes.root(e);
        if (message.contains("Tenant or user not found")) {
            return new ConnectionFailure("the Supabase pooler at " + where + " answered \"Tenant or user not found\": the user must be postgres.<project-ref> for the right project, or the project is paused (restore it in the Supabase dashboard).", false);
        }
        switch (state) {
            case "28P01":
                return new ConnectionFailure("password authentication failed for user \"" + target.user() + "\" at " + where + ": check the password in " + target.source() + ".", false);
            case "28000":
                return new ConnectionFailure("the server at " + where + " refused the login of user \"" + target.user() + "\" (" + serverText(message) + "): check the user name and pg_hba.conf.", false);
            case "3D000":
                return new ConnectionFailure("database \"" + target.database() + "\" does not exist at " + where + ": check the database name at the end of the URL in " + target.source() + ".", false);
            case "57P03":
                return new ConnectionFailure("the server at " + where + " is starting up or shutting down.", true);
            case "53300":
                return new ConnectionFailure("the server at " + where + " has no free connection slots (too many clients).", true);
            default:
                break;
        }
        if (cause instanceof UnknownHostException) {
            return new ConnectionFailure("unknown host \"" + target.host() + "\": check the host name in " + target.source() + ".", true);
        }
        if (cause instanceof ConnectException) {
            return new ConnectionFailure("the server at " + where + " refused the connection: is PostgreSQL running there and listening on that port?", true);
        }
        if (cause instanceof NoRouteToHostException || (cause instanceof SocketException && String.valueOf(cause.getMessage()).contains("unreachable"))) {
            String hint = target.isSupabaseDirectHost()
                    ? " Supabase's direct host db.<ref>.supabase.co is IPv6-only; from an IPv4-only server use the session pooler (aws-N-<region>.pooler.supabase.com, port 5432)."
                    : "";
            return new ConnectionFailure("the network to " + where + " is unreachable from this machine." + hint, true);
        }
        // accepted, then closed (an end of stream) or reset; a TLS handshake cut short is tls's
        boolean hungUp = cause instanceof java.io.EOFException
                || cause instanceof SocketException && java.util.List.of("connection reset", "broken pipe").stream()
                        .anyMatch(String.valueOf(cause.getMessage()).toLowerCase(java.util.Locale.ROOT)::contains);
        if (hungUp && Causes.find(e, SSLException.class) == null) {
            return new ConnectionFailure("something at " + where + " accepted the connection and closed it before PostgreSQL answered: a proxy or pooler whose database is down,"
                    + " or a port that is not PostgreSQL's; check the host and the port in " + target.source() + ".", true);
        }
        if (cause instanceof SocketTimeoutException || message.contains("Connection attempt timed out")) {
            return new ConnectionFailure("the server at " + where + " did not answer within " + target.connectTimeoutSeconds() + " s: check the host, the port and any firewall in between.", true);
        }
        ConnectionFailure tls = tls(target, message, cause, where);
        if (tls != null) return tls;
        return new ConnectionFailure("could not connect to " + where + ": " + serverText(message) + ".", "08001".equals(state) || "08006".equals(state));
    }

    /** TLS failures name the certificate to get and how to pass it. */
    private static ConnectionFailure tls(DatabaseTarget target, String message, Throwable cause, String where) {
        String mode = target.driverParams().getOrDefault("sslmode", target.isLocal() ? "prefer" : "require");
        if (message.contains("Could not open SSL root certificate file")) {
            String file = message.replaceFirst(".*Could not open SSL root certificate file ", "").replaceFirst("\\.$", "");
            return new ConnectionFailure("sslmode=" + mode + " checks the server's certificate against a root certificate, and there is none at " + file
                    + ": download the server's CA certificate (" + SUPABASE_CA + ") and add sslrootcert=/path/to/it.crt to the URL.", false);
        }
        if (message.contains("could not be verified by hostnameverifier") || message.contains("HostnameVerifier")) {
            return new ConnectionFailure("the certificate of the server at " + where + " does not name the host \"" + target.host()
                    + "\": connect by the host name in the certificate, or use sslmode=verify-ca.", false);
        }
        if (message.contains("PKIX") || message.contains("unable to find valid certification path") || cause instanceof java.security.cert.CertificateException) {
            return new ConnectionFailure("the server at " + where + " presented a certificate that " + (target.driverParams().containsKey("sslrootcert")
                    ? "the root certificate in sslrootcert does not vouch for: check that sslrootcert is this server's CA certificate (" + SUPABASE_CA + ")."
                    : "no trusted root vouches for: download the server's CA certificate (" + SUPABASE_CA + ") and add sslrootcert=/path/to/it.crt to the URL."), false);
        }
        if (message.contains("does not support SSL")) {
            return new ConnectionFailure("the server at " + where + " does not offer TLS, and sslmode=" + mode + " requires it: add ?sslmode=disable to the URL only if the network in between is trusted.", false);
        }
        if (cause instanceof SSLException) {
            return new ConnectionFailure("the TLS handshake with " + where + " failed (" + serverText(String.valueOf(cause.getMessage())) + "): check sslmode and sslrootcert in the URL.", false);
        }
        return null;
    }

    private static String serverText(String message) {
        String m = message.replaceFirst("^FATAL: ", "").strip();
        int nl = m.indexOf('\n');
        if (nl >= 0) m = m.substring(0, nl);
        return m.endsWith(".") ? m.substring(0, m.length() - 1) : m;
    }
}
