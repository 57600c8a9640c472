///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION The kit's test suite: JUnit against real (embedded) PostgreSQL; ends with "N passed, N failed".
//JAVA 17+
//DEPS org.junit.jupiter:junit-jupiter:6.1.3
//DEPS org.junit.jupiter:junit-jupiter-engine:6.1.3
//DEPS org.junit.platform:junit-platform-launcher:6.1.3
//SOURCES ../migrate.java ../seed.java ../status.java ../verify.java ../lib/EmbeddedServer.java
//SOURCES Runner.java TestSupport.java UrlTest.java MigrateTest.java SeedTest.java StatusTest.java LauncherTest.java
//SOURCES RoundTrips.java PgBouncer.java PoolerTest.java TlsTest.java SafetyTest.java PrismaTest.java SupabaseTest.java DriftTest.java
//SOURCES SeedValueTest.java SupabaseShape.java SupabaseShapeTest.java
//SOURCES RehearseTest.java RehearseCommandTest.java ConnectionTest.java

import java.io.PrintWriter;
import java.util.List;

/** The suite: every test class against real PostgreSQL (or those named as arguments). */
class run {
    static final List<Class<?>> ALL = List.of(UrlTest.class, MigrateTest.class, SeedTest.class, StatusTest.class,
            PoolerTest.class, TlsTest.class, SafetyTest.class, PrismaTest.class, SupabaseTest.class, DriftTest.class, LauncherTest.class, SeedValueTest.class, SupabaseShapeTest.class, RehearseTest.class, RehearseCommandTest.class, ConnectionTest.class);

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        System.exit(Runner.finish(Runner.run(ALL, args, out), out));
    }
}
