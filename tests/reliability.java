///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Reliability and security suite: faults, concurrency, hostile input, secrets; prints its figures and "N passed, N failed".
//JAVA 17+
//SOURCES Runner.java Figures.java PgBouncer.java PoolerLoad.java PoolerCampaign.java CommitFault.java ../bench/DelayProxy.java StallProxy.java ../migrate.java ../seed.java ../status.java ../verify.java ../lib/EmbeddedServer.java
// The test classes, written here once: the runner runs every *Test class these lines bring in.
//SOURCES BadInputTest.java
//SOURCES FaultTest.java
//SOURCES CommitOutcomeTest.java
//SOURCES MigrationInputTest.java
//SOURCES PoolerLoadTest.java
//SOURCES SecretTest.java
//SOURCES StallTest.java
//SOURCES ThrowawayServerTest.java

import java.io.PrintWriter;

/** The promises an operator relies on at 2 a.m., each proved against a real PostgreSQL, with figures. */
class reliability {
    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        Runner.Totals totals = Runner.run(reliability.class, args, out);
        Figures.print(out);
        System.exit(Runner.finish(totals, out));
    }
}
