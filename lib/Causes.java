import java.util.stream.Stream;

/** A throwable's chain of causes, walked in one place (a cause that is its own cause ends it). */
final class Causes {

    /** The throwable, then its cause, then that one's cause, and so on. */
    static Stream<Throwable> of(Throwable t) {
        return Stream.iterate(t, c -> c != null, c -> c.getCause() == c ? null : c.getCause());
    }

    /** The first throwable of this type in t's chain of causes, or null. */
    static <T extends Throwable> T find(Throwable t, Class<T> type) {
        return of(t).filter(type::isInstance).map(type::cast).findFirst().orElse(null);
    }

    /** The last throwable of the chain: where it started. */
    static Throwable root(Throwable t) {
        return of(t).reduce((first, next) -> next).orElseThrow();
    }

    private Causes() {}
}
