///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Reliability and security suite: faults, concurrency, hostile input, secrets; prints its figures and "N passed, N failed".
//JAVA 17+
//DEPS org.junit.jupiter:junit-jupiter:6.1.3
//DEPS org.junit.jupiter:junit-jupiter-engine:6.1.3
//DEPS org.junit.platform:junit-platform-launcher:6.1.3
//SOURCES ../migrate.java ../seed.java ../status.java ../lib/EmbeddedServer.java
//SOURCES Runner.java TestSupport.java Figures.java FaultTest.java BadInputTest.java SecretTest.java

import java.io.PrintWriter;
import java.util.List;

/** The promises an operator relies on at 2 a.m., each proved against a real PostgreSQL, with figures. */
class reliability {
    static final List<Class<?>> ALL = List.of(FaultTest.class, BadInputTest.class, SecretTest.class);

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        Runner.Totals totals = Runner.run(ALL, args, out);
        Figures.print(out);
        System.exit(Runner.finish(totals, out));
    }
}
