//DEPS org.postgresql:postgresql:42.7.14

/**
 * The PostgreSQL JDBC driver, declared here once: Database reaches the targets with it, and
 * EmbeddedServer its own server (zonky's data source is the driver's). Both pull this file in.
 */
final class PostgresDriver {
    private PostgresDriver() {}
}
