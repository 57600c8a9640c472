///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION The kit's test suite: JUnit against real (embedded) PostgreSQL; installs what its tests need; ends with "N passed, N failed".
//JAVA 17+
//SOURCES Runner.java PgBouncer.java Postgres15.java PoolerLoad.java PoolerCampaign.java ../bench/DelayProxy.java SupabaseShape.java SecurityChecks.java ../migrate.java ../seed.java ../status.java ../verify.java ../lib/EmbeddedServer.java
// The test classes, written here once: the runner runs every *Test class these lines bring in.
//SOURCES DepsTest.java
//SOURCES DocsTest.java
//SOURCES DriftTest.java
//SOURCES LauncherTest.java
//SOURCES MigrateTest.java
//SOURCES PoolerTest.java
//SOURCES PrismaTest.java
//SOURCES SafetyTest.java
//SOURCES SeedTest.java
//SOURCES AdminPasswordTest.java
//SOURCES StatusTest.java
//SOURCES StatusMigrationsTest.java
//SOURCES SupabaseTest.java
//SOURCES TlsTest.java
//SOURCES ToolTest.java
//SOURCES UrlTest.java
//SOURCES EnvFileTest.java
//SOURCES SeedValueTest.java
//SOURCES SupabaseShapeTest.java
//SOURCES RehearseTest.java
//SOURCES RehearseCommandTest.java
//SOURCES StatementRunTest.java
//SOURCES RehearseCasesTest.java
//SOURCES RehearseRowsTest.java
//SOURCES RehearseCorporaTest.java
//SOURCES RowCopyTest.java
//SOURCES ConnectionTest.java
//SOURCES MigrateLockTest.java
//SOURCES RoundTripTest.java
//SOURCES IsolationTest.java
//SOURCES FingerprintTest.java
//SOURCES BundleTest.java
//SOURCES ProgressTest.java
//SOURCES ClientGoneTest.java
//SOURCES SecurityRelationTest.java
//SOURCES SecurityProofTest.java
//SOURCES SecurityRoutineTest.java
//SOURCES SecurityForecastTest.java
//SOURCES BundleImageTest.java
//SOURCES ShadowUrlTest.java

import java.io.PrintWriter;

/** The suite: every test class above against real PostgreSQL (or those named as arguments). */
class run {
    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        System.exit(Runner.finish(Runner.run(run.class, args, out), out));
    }
}
