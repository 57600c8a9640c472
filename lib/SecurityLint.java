/**
 * The security checks status makes, one per lint of Supabase's database linter (its dashboard's
 * Security Advisor; supabase/splinter), under the advisor's name and at the advisor's level, and one
 * of the kit's own (what the API roles were proven to read). Each says, in one clause, why it matters.
 * The checks are the kit's own catalog questions and judgements; only the names and levels are Supabase's.
 */
enum SecurityLint {
    AUTH_USERS_EXPOSED("auth_users_exposed", Level.ERROR, "it hands the project's users (e-mail addresses, phone numbers, metadata) to whoever may read it"),
    POLICY_EXISTS_RLS_DISABLED("policy_exists_rls_disabled", Level.ERROR, "its policies do nothing while row-level security is off: every role with a privilege uses every row"),
    RLS_ENABLED_NO_POLICY("rls_enabled_no_policy", Level.INFO, "the API roles get none of its rows, which is right for a table only the app reads"),
    SECURITY_DEFINER_VIEW("security_definer_view", Level.ERROR, "it reads its tables with its owner's rights, so their row-level security does not hold for the API roles"),
    FUNCTION_SEARCH_PATH_MUTABLE("function_search_path_mutable", Level.WARN, "the caller's search_path decides which tables and functions its unqualified names find"),
    RLS_DISABLED_IN_PUBLIC("rls_disabled_in_public", Level.ERROR, "anyone with the anon key may use every row of it"),
    EXTENSION_IN_PUBLIC("extension_in_public", Level.WARN, "its functions and types land in a schema the Data API serves"),
    RLS_REFERENCES_USER_METADATA("rls_references_user_metadata", Level.ERROR, "users write their own user_metadata, so the policy trusts what they claim"),
    MATERIALIZED_VIEW_IN_API("materialized_view_in_api", Level.WARN, "a materialized view has no row-level security: whoever may select it reads every row"),
    FOREIGN_TABLE_IN_API("foreign_table_in_api", Level.WARN, "a foreign table has no row-level security: whoever may use it reads every row"),
    INSECURE_QUEUE_EXPOSED_IN_API("insecure_queue_exposed_in_api", Level.ERROR, "anyone with the anon key may read and send its messages through pgmq_public"),
    SENSITIVE_COLUMNS_EXPOSED("sensitive_columns_exposed", Level.ERROR, "secrets or personal data go to anyone holding the key"),
    RLS_POLICY_ALWAYS_TRUE("rls_policy_always_true", Level.WARN, "a condition that is always true lets every row through"),
    PG_GRAPHQL_ANON_TABLE_EXPOSED("pg_graphql_anon_table_exposed", Level.WARN, "its name and columns show in the GraphQL schema to anyone with the anon key"),
    PG_GRAPHQL_AUTHENTICATED_TABLE_EXPOSED("pg_graphql_authenticated_table_exposed", Level.WARN, "its name and columns show in the GraphQL schema to every signed-in user"),
    ANON_SECURITY_DEFINER_FUNCTION_EXECUTABLE("anon_security_definer_function_executable", Level.WARN,
            "anyone with the anon key may call it through /rest/v1/rpc, and it runs with its owner's rights, past row-level security"),
    AUTHENTICATED_SECURITY_DEFINER_FUNCTION_EXECUTABLE("authenticated_security_definer_function_executable", Level.WARN,
            "every signed-in user may call it through /rest/v1/rpc, and it runs with its owner's rights, past row-level security"),
    UNSUPPORTED_REG_TYPES("unsupported_reg_types", Level.WARN, "pg_upgrade refuses a database with such a column, so the project cannot be upgraded"),
    FKEY_TO_AUTH_UNIQUE("fkey_to_auth_unique", Level.ERROR, "Supabase Auth may drop or change that constraint, and the key breaks with it"),
    EXTENSION_VERSIONS_OUTDATED("extension_versions_outdated", Level.WARN, "an old version may carry fixed security bugs"),
    API_ROLE_READS_ROWS("api_role_reads_rows", Level.INFO, "proven by reading as the role: those rows are public through the Data API");

    /**
     * Supabase's advisor's levels, and what each is in the kit: an error is a security finding (status
     * exits 6), a warning is shown and leaves the exit code alone, an informational finding is only
     * in --json and --verbose.
     */
    enum Level {
        ERROR("error"), WARN("warning"), INFO("info");

        final String word;

        Level(String word) {
            this.word = word;
        }
    }

    final String advisorName;
    final Level level;
    final String why;

    SecurityLint(String advisorName, Level level, String why) {
        this.advisorName = advisorName;
        this.level = level;
        this.why = why;
    }
}
