//SOURCES Cli.java Amounts.java KitException.java
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** migrate --rehearse's options about the target's rows: how much of them the copy may hold, or none at all. */
final class RehearsalOptions {
    /**
     * What the copy may hold by default, measured by the target's own sizes (pg_table_size: rows and
     * TOAST, no indexes). docs/rehearse.md says why: at the copy's measured speed this is well under a
     * minute of copying on a link of 10 MB/s, and the copy's server needs about three times as much disk.
     */
    static final long DEFAULT_BUDGET = 200L << 20;

    @Option(names = "--copy-budget", paramLabel = "SIZE", converter = Size.class,
            description = "With --rehearse: copy the target's rows into the rehearsal's copy up to this much of the target's table size (default 200MB); larger tables are checked without their rows.")
    Long copyBudget;

    @Option(names = "--no-rows", description = "With --rehearse: bring none of the target's rows to this machine; every statement is checked against the target, read-only, instead.")
    boolean noRows;

    /** Refuses these options where they mean nothing, or together. */
    void check(boolean rehearse) {
        if (!rehearse && (noRows || copyBudget != null)) throw KitException.usage("--copy-budget and --no-rows are for --rehearse; add --rehearse, or leave them out.");
        if (noRows && copyBudget != null) throw KitException.usage("--no-rows copies nothing, so --copy-budget means nothing beside it; give one of the two.");
    }

    /** The bytes of the target's tables the copy may hold: 0 with --no-rows. */
    long budget() {
        return noRows ? 0 : copyBudget == null ? DEFAULT_BUDGET : copyBudget;
    }

    /** A size on the command line; a bad one is a bad option (exit 2). */
    static final class Size implements ITypeConverter<Long> {
        public Long convert(String text) {
            try {
                return Amounts.parseBytes(text);
            } catch (KitException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
