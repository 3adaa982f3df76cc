package org.corgipile.client.jdbc;

/**
 * Column names are taken exactly as given (as the extension's {@code get_attnum} does) and always sent quoted, so a
 * column called {@code Label} or {@code my col} works and nothing a user typed is spliced into SQL unquoted.
 */
public final class SqlNames {
    private SqlNames() {
    }

    /** Quotes an identifier for SQL text: {@code my "col"} becomes {@code "my ""col"""}. */
    public static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
