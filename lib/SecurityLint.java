/**
 * The security checks status makes, one per lint of Supabase's database linter (its dashboard's
 * Security Advisor; supabase/splinter), under the advisor's name and at the advisor's level, and one
 * of the kit's own (what the API roles were proven to read). Each says, in one clause, why it matters.
 * The checks are the kit's own catalog questions and judgements; only the names and levels are Supabase's.
 */
enum SecurityLint {
    AUTH_USERS_EXPOSED(Level.ERROR, "it hands the project's users (e-mail addresses, phone numbers, metadata) to whoever may read it"),
    POLICY_EXISTS_RLS_DISABLED(Level.ERROR, "its policies do nothing while row-level security is off: every role with a privilege uses every row"),
    RLS_ENABLED_NO_POLICY(Level.INFO, "the API roles get none of its rows, which is right for a table only the app reads"),
    SECURITY_DEFINER_VIEW(Level.ERROR, "it reads its tables with its owner's rights, so their row-level security does not hold for the API roles"),
    FUNCTION_SEARCH_PATH_MUTABLE(Level.WARN, "the caller's search_path decides which tables and functions its unqualified names find"),
    RLS_DISABLED_IN_PUBLIC(Level.ERROR, "anyone with the anon key may use every row of it"),
    EXTENSION_IN_PUBLIC(Level.WARN, "its functions and types land in a schema the Data API serves"),
    RLS_REFERENCES_USER_METADATA(Level.ERROR, "users write their own user_metadata, so the policy trusts what they claim"),
    MATERIALIZED_VIEW_IN_API(Level.WARN, "a materialized view has no row-level security: whoever may select it reads every row"),
    FOREIGN_TABLE_IN_API(Level.WARN, "a foreign table has no row-level security: whoever may use it reads every row"),
    INSECURE_QUEUE_EXPOSED_IN_API(Level.ERROR, "anyone with the anon key may read and send its messages through pgmq_public"),
    SENSITIVE_COLUMNS_EXPOSED(Level.ERROR, "secrets or personal data go to anyone holding the key"),
    RLS_POLICY_ALWAYS_TRUE(Level.WARN, "a condition that is always true lets every row through"),
    PG_GRAPHQL_ANON_TABLE_EXPOSED(Level.WARN, "its name and columns show in the GraphQL schema to anyone with the anon key"),
    PG_GRAPHQL_AUTHENTICATED_TABLE_EXPOSED(Level.WARN, "its name and columns show in the GraphQL schema to every signed-in user"),
    ANON_SECURITY_DEFINER_FUNCTION_EXECUTABLE(Level.WARN,
            "anyone with the anon key may call it through /rest/v1/rpc, and it runs with its owner's rights, past row-level security"),
    AUTHENTICATED_SECURITY_DEFINER_FUNCTION_EXECUTABLE(Level.WARN,
            "every signed-in user may call it through /rest/v1/rpc, and it runs with its owner's rights, past row-level security"),
    UNSUPPORTED_REG_TYPES(Level.WARN, "pg_upgrade refuses a database with such a column, so the project cannot be upgraded"),
    FKEY_TO_AUTH_UNIQUE(Level.ERROR, "Supabase Auth may drop or change that constraint, and the key breaks with it"),
    EXTENSION_VERSIONS_OUTDATED(Level.WARN, "an old version may carry fixed security bugs"),
    API_ROLE_READS_ROWS(Level.INFO, "proven by reading as the role: those rows are public through the Data API");

    /**
     * Supabase's advisor's levels, and what each is in the kit: an error is a security finding (status
     * exits 6), a warning is shown and leaves the exit code alone, an informational finding is only
     * in --json and --verbose.
     */
    enum Level {
        ERROR, WARN, INFO;

        /** As the report and the JSON say it: error, warning, info. */
        String word() {
            return this == WARN ? "warning" : name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    final Level level;
    final String why;

    SecurityLint(Level level, String why) {
        this.level = level;
        this.why = why;
    }

    /** The advisor's name for it: auth_users_exposed, rls_disabled_in_public, ... */
    String advisorName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
