///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION The kit's test suite: JUnit against real (embedded) PostgreSQL; ends with "N passed, N failed".
//JAVA 17+
//DEPS org.junit.jupiter:junit-jupiter:6.1.3
//DEPS org.junit.jupiter:junit-jupiter-engine:6.1.3
//DEPS org.junit.platform:junit-platform-launcher:6.1.3
//SOURCES ../migrate.java ../seed.java ../status.java ../verify.java ../lib/EmbeddedServer.java
//SOURCES TestSupport.java UrlTest.java MigrateTest.java SeedTest.java StatusTest.java LauncherTest.java
//SOURCES PgBouncer.java PoolerTest.java TlsTest.java SafetyTest.java PrismaTest.java SupabaseTest.java DriftTest.java

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.ClassSelector;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/** Runs the suite (or the classes named as arguments) and prints one line per test, then the totals. */
class run {
    static final List<Class<?>> ALL = List.of(UrlTest.class, MigrateTest.class, SeedTest.class, StatusTest.class,
            PoolerTest.class, TlsTest.class, SafetyTest.class, PrismaTest.class, SupabaseTest.class, DriftTest.class, LauncherTest.class);

    public static void main(String[] args) throws Exception {
        List<ClassSelector> selectors = new ArrayList<>();
        for (Class<?> c : ALL) {
            if (args.length == 0 || List.of(args).contains(c.getSimpleName())) selectors.add(selectClass(c));
        }
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request().selectors(selectors).build();
        AtomicInteger passed = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger skipped = new AtomicInteger();
        PrintWriter out = new PrintWriter(System.out, true);
        Launcher launcher = LauncherFactory.create();
        launcher.execute(request, new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (!id.isTest()) {
                    if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                        failed.incrementAndGet();
                        out.println("FAIL " + id.getDisplayName() + " (setup): " + result.getThrowable().map(Throwable::toString).orElse(""));
                    }
                    return;
                }
                String name = id.getUniqueIdObject().getSegments().stream()
                        .filter(s -> s.getType().equals("class")).map(s -> s.getValue().replaceAll(".*\\.", "")).findFirst().orElse("")
                        + " > " + id.getDisplayName();
                if (result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                    passed.incrementAndGet();
                    out.println("ok   " + name);
                } else if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
                    skipped.incrementAndGet();
                    out.println("skip " + name + ": " + result.getThrowable().map(Throwable::getMessage).orElse(""));
                } else {
                    failed.incrementAndGet();
                    out.println("FAIL " + name);
                    result.getThrowable().ifPresent(t -> {
                        out.println("     " + t);
                        for (StackTraceElement e : t.getStackTrace()) {
                            if (e.getClassName().endsWith("Test") || e.getClassName().equals("TestSupport")) out.println("       at " + e);
                        }
                    });
                }
            }
        });
        TestSupport.shutdown();
        out.println(passed.get() + " passed, " + failed.get() + " failed" + (skipped.get() > 0 ? ", " + skipped.get() + " skipped" : ""));
        System.exit(failed.get() == 0 && passed.get() > 0 ? 0 : 1);
    }
}
