//SOURCES KitException.java
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Where the database is, parsed from the URL forms operators paste: postgresql://, postgres://
 * (user and password percent-decoded) and jdbc:postgresql://. Prisma's own query parameters are
 * understood and not passed to the driver. The password never leaves this object except to the
 * driver: {@link #masked()} is the only way a URL is shown.
 */
record DatabaseTarget(
        String host,
        int port,
        String database,
        String user,
        String password,
        String schema,
        boolean pgbouncerFlag,
        Map<String, String> driverParams,
        String source,
        String from) {

    /** Query parameters only Prisma reads; `schema` becomes the search path. */
    private static final Set<String> PRISMA_ONLY = Set.of(
            "pgbouncer", "connection_limit", "pool_timeout", "schema", "statement_cache_size",
            "socket_timeout", "sslaccept", "sslidentity", "sslpassword");
    static final int TRANSACTION_POOLER_PORT = 6543;
    /**
     * How long one connection attempt may take, all of it: TCP connect, TLS, login. The driver's
     * connectTimeout bounds only the TCP connect; its loginTimeout bounds the whole attempt, so
     * both are this one number.
     */
    static final int CONNECT_TIMEOUT_SECONDS = 10;

    /** @param source where the URL came from, for messages: "--url", "DIRECT_URL", ... */
    static DatabaseTarget parse(String url, String source) {
        return parse(url, source, null);
    }

    /**
     * @param source the option or variable that held the URL: "--url", "DIRECT_URL", ...
     * @param from where that variable was set ("the environment", ".env"), or null for an option
     */
    static DatabaseTarget parse(String url, String source, String from) {
        String origin = from == null ? source : source + " from " + from;
        String text = url.strip();
        String scheme;
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:postgresql://")) {
            scheme = "jdbc:postgresql://";
        } else if (lower.startsWith("postgresql://")) {
            scheme = "postgresql://";
        } else if (lower.startsWith("postgres://")) {
            scheme = "postgres://";
        } else {
            throw KitException.usage("the URL in " + origin + " is not a PostgreSQL URL; it must start with postgresql://, postgres:// or jdbc:postgresql://.");
        }
        String rest = text.substring(scheme.length());
        Shown shown = new Shown(origin, scheme, rest);

        String query = "";
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        int slash = rest.indexOf('/');
        String authority = slash >= 0 ? rest.substring(0, slash) : rest;
        String path = slash >= 0 ? rest.substring(slash + 1) : "";
        // A / or ? in an unencoded password ends the authority early: the @ then turns up in the
        // path or the query, and the password's pieces would be read as host, port or database.
        if (path.contains("@") || (authority.indexOf('@') < 0 && query.contains("@"))) {
            throw shown.bad("has an @ after the first / or ?, so its user name or password holds a character that must be percent-encoded");
        }
        String database = decode(path, shown, "database name");

        String user = null;
        String password = null;
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            authority = authority.substring(at + 1);
            int colon = userInfo.indexOf(':');
            if (colon >= 0) {
                user = decode(userInfo.substring(0, colon), shown, "user name");
                password = decode(userInfo.substring(colon + 1), shown, "password");
            } else {
                user = decode(userInfo, shown, "user name");
            }
        }

        // jdbc: URLs carry the credentials in the query, so their authority holds none
        boolean noCredentialsInAuthority = at >= 0 || scheme.startsWith("jdbc:");
        String host;
        int port = 5432;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) throw shown.bad("has an unclosed [ in its IPv6 host");
            host = authority.substring(1, close);
            String after = authority.substring(close + 1);
            if (after.startsWith(":")) port = parsePort(after.substring(1), shown, noCredentialsInAuthority);
            else if (!after.isEmpty()) throw shown.bad("has text after the ] of its IPv6 host where a : and the port should be");
        } else {
            int colon = authority.lastIndexOf(':');
            if (colon >= 0) {
                host = authority.substring(0, colon);
                port = parsePort(authority.substring(colon + 1), shown, noCredentialsInAuthority);
            } else {
                host = authority;
            }
        }
        if (host.contains(",")) {
            throw shown.bad("names several hosts; give the one primary host to use");
        }

        Map<String, String> params = new LinkedHashMap<>();
        String schema = null;
        boolean pgbouncer = false;
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String key = decode(eq >= 0 ? pair.substring(0, eq) : pair, shown, "query parameter");
            String value = eq >= 0 ? decode(pair.substring(eq + 1), shown, "query parameter") : "";
            switch (key) {
                case "user" -> user = value;
                case "password" -> password = value;
                case "schema", "currentSchema" -> schema = value;
                case "pgbouncer" -> pgbouncer = value.equalsIgnoreCase("true");
                case "host" -> {
                    if (value.startsWith("/")) {
                        throw KitException.usage("the URL in " + origin + " points at a Unix socket (" + value + "), which the Java driver cannot use; connect over TCP with host=localhost instead.");
                    }
                    host = value;
                }
                case "port" -> port = parsePort(value, shown, true);
                case "connect_timeout" -> {
                    // libpq's connect_timeout bounds the whole attempt, as the kit's own default does
                    params.put("connectTimeout", value);
                    params.put("loginTimeout", value);
                }
                case "application_name" -> params.put("ApplicationName", value);
                default -> {
                    if (!PRISMA_ONLY.contains(key)) params.put(key, value);
                }
            }
        }
        if (host.isEmpty()) host = "localhost";
        if (database.isEmpty()) database = user != null ? user : "postgres";
        if (user == null || user.isEmpty()) {
            throw KitException.usage("the URL in " + origin + " has no user name; write it as postgresql://USER:PASSWORD@HOST:PORT/DATABASE.");
        }
        return new DatabaseTarget(host, port, database, user, password, schema, pgbouncer, java.util.Collections.unmodifiableMap(params), source, from);
    }

    /**
     * A URL that does not parse is never echoed in part: its user name and password could be
     * anywhere in it. The sentence says which part is wrong and shows the URL with everything
     * before its last @ masked, or nothing of it when it has no @.
     */
    private record Shown(String origin, String scheme, String rest) {
        KitException bad(String problem) {
            String hostPart = rest;
            int q = hostPart.indexOf('?');
            if (q >= 0) hostPart = hostPart.substring(0, q);
            int at = hostPart.lastIndexOf('@');
            String masked = at >= 0 ? " (read as " + scheme + "****@" + hostPart.substring(at + 1) + ")" : "";
            return KitException.usage("the URL in " + origin + " does not parse: it " + problem + masked
                    + "; in the user name and password write / as %2F, ? as %3F, # as %23, @ as %40, : as %3A and % as %25.");
        }
    }

    /** @param afterUserInfo whether the text is known to hold no part of the user name or password */
    private static int parsePort(String text, Shown shown, boolean afterUserInfo) {
        try {
            int port = Integer.parseInt(text);
            if (port > 0 && port < 65536) return port;
        } catch (NumberFormatException ignored) {
            // falls through to the sentence below
        }
        throw shown.bad(afterUserInfo
                ? "has a port that is not a port number (1 to 65535)"
                : "has no @ before its host, and the text where a port would be is not a port number");
    }

    /** Percent-decoding as in URLs, without turning '+' into a space (passwords keep their plus signs). */
    private static String decode(String text, Shown shown, String part) {
        if (text.indexOf('%') < 0) return text;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%') {
                int hi = i + 2 < text.length() ? Character.digit(text.charAt(i + 1), 16) : -1;
                int lo = i + 2 < text.length() ? Character.digit(text.charAt(i + 2), 16) : -1;
                if (hi < 0 || lo < 0) throw shown.bad("has a % in its " + part + " that does not start a percent-escape (%XX)");
                bytes.write(hi * 16 + lo);
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(b, 0, b.length);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** A transaction pooler cannot hold session state: Supabase's port 6543, or Prisma's pgbouncer=true. */
    boolean looksLikeTransactionPooler() {
        return port == TRANSACTION_POOLER_PORT || pgbouncerFlag;
    }

    boolean isSupabasePooler() {
        return host.toLowerCase(Locale.ROOT).endsWith(".pooler.supabase.com");
    }

    boolean isSupabaseDirectHost() {
        String h = host.toLowerCase(Locale.ROOT);
        return h.startsWith("db.") && h.endsWith(".supabase.co");
    }

    /** localhost, 127.0.0.0/8 or ::1: the only hosts development data may go to. */
    boolean isLocal() {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.equals("localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1") || h.startsWith("127.")) {
            try {
                return h.equals("localhost") || InetAddress.getByName(h).isLoopbackAddress();
            } catch (java.net.UnknownHostException e) {
                return false;
            }
        }
        return false;
    }

    /** The same URL with port 5432: Supabase's session-mode pooler, which can run migrations. */
    DatabaseTarget sessionModeTarget() {
        Map<String, String> params = new LinkedHashMap<>(driverParams);
        return new DatabaseTarget(host, 5432, database, user, password, schema, false, java.util.Collections.unmodifiableMap(params), source, from);
    }

    /** Where the URL came from, for the target line: "--url", "DIRECT_URL from the environment", "DIRECT_URL from .env". */
    String origin() {
        return from == null ? source : source + " from " + from;
    }

    /** The bound on one connection attempt: connect_timeout from the URL, else {@link #CONNECT_TIMEOUT_SECONDS}. */
    int connectTimeoutSeconds() {
        try {
            return Integer.parseInt(driverParams.getOrDefault("loginTimeout", String.valueOf(CONNECT_TIMEOUT_SECONDS)));
        } catch (NumberFormatException e) {
            return CONNECT_TIMEOUT_SECONDS;
        }
    }

    String hostAndPort() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** postgresql://user:****@host:port/db, the only form in which a URL is ever printed. */
    String masked() {
        StringBuilder sb = new StringBuilder("postgresql://").append(user);
        if (password != null) sb.append(":****");
        sb.append('@').append(hostAndPort()).append('/').append(database);
        StringBuilder query = new StringBuilder();
        for (Map.Entry<String, String> e : driverParams.entrySet()) {
            if (e.getKey().toLowerCase(Locale.ROOT).contains("password")) continue;
            query.append(query.length() == 0 ? "?" : "&").append(e.getKey()).append('=').append(e.getValue());
        }
        if (schema != null) query.append(query.length() == 0 ? "?" : "&").append("schema=").append(schema);
        return sb.append(query).toString();
    }

    /** The driver's URL, without user or password (those go in the properties). */
    String jdbcUrl() {
        return "jdbc:postgresql://" + hostAndPort() + "/" + java.net.URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Driver properties: credentials, the caller's own parameters, and the kit's bounded defaults. */
    Properties driverProperties(String applicationName) {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) p.setProperty("password", password);
        p.setProperty("connectTimeout", String.valueOf(CONNECT_TIMEOUT_SECONDS));
        p.setProperty("loginTimeout", String.valueOf(CONNECT_TIMEOUT_SECONDS));
        p.setProperty("tcpKeepAlive", "true");
        p.setProperty("ApplicationName", applicationName);
        if (!isLocal() && !driverParams.containsKey("sslmode")) p.setProperty("sslmode", "require");
        if (schema != null) p.setProperty("currentSchema", schema);
        // Server-side prepared statements do not survive a transaction pooler handing the session
        // to another client, and a pooler is not always recognisable from its URL; the kit's
        // statements gain nothing from them, so it never uses them.
        p.setProperty("prepareThreshold", "0");
        driverParams.forEach(p::setProperty);
        return p;
    }

    @Override
    public String toString() {
        return masked();
    }
}
