import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.AnnotatedElement;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Marks a test class or method that needs a tool beyond Java (see {@link Tool}). The runner
 * installs what the selected tests need before they start; a test whose tool is still missing
 * is skipped with the command that would enable it, or fails under CI=true.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(Needs.Check.class)
@interface Needs {
    Tool[] value();

    /** Checks the class's tools before its @BeforeAll (which may start them), a method's before it runs. */
    final class Check implements BeforeAllCallback, BeforeEachCallback {
        @Override
        public void beforeAll(ExtensionContext context) {
            context.getTestClass().ifPresent(Check::require);
        }

        @Override
        public void beforeEach(ExtensionContext context) {
            context.getTestMethod().ifPresent(Check::require);
        }

        private static void require(AnnotatedElement element) {
            Needs needs = element.getAnnotation(Needs.class);
            if (needs != null) for (Tool t : needs.value()) t.require();
        }
    }
}
