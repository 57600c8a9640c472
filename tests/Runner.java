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

/** Runs JUnit classes (those named in args, or all), one line per test, then "N passed, N failed". */
final class Runner {
    record Totals(int passed, int failed, int skipped) {}

    static Totals run(List<Class<?>> all, String[] args, PrintWriter out) {
        List<ClassSelector> selectors = new ArrayList<>();
        for (Class<?> c : all) {
            if (args.length == 0 || List.of(args).contains(c.getSimpleName())) selectors.add(selectClass(c));
        }
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request().selectors(selectors).build();
        AtomicInteger passed = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger skipped = new AtomicInteger();
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
                out.flush();
            }
        });
        TestSupport.shutdown();
        return new Totals(passed.get(), failed.get(), skipped.get());
    }

    static int finish(Totals t, PrintWriter out) {
        out.println(t.passed() + " passed, " + t.failed() + " failed" + (t.skipped() > 0 ? ", " + t.skipped() + " skipped" : ""));
        out.flush();
        return t.failed() == 0 && t.passed() > 0 ? 0 : 1;
    }

    private Runner() {}
}
