package org.corgipile.client.jdbc;

import java.util.Locale;

/**
 * SQL identifiers as users type them and as we send them. User input is folded the way PostgreSQL folds it
 * (unquoted names to lower case, {@code "Quoted"} names verbatim), then always sent quoted, so a column called
 * {@code "Label"} or {@code "my col"} works and nothing typed by a user is ever spliced into SQL unquoted.
 */
public final class SqlNames {
    private SqlNames() {
    }

    /**
     * Folds one identifier typed by a user.
     *
     * @param argument the argument it came from, for the error message
     * @param whole    the whole argument text, for the error message
     */
    public static String fold(String raw, String argument, String whole) {
        String s = raw == null ? "" : raw.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException(argument + ": empty column name in '" + whole + "'");
        }
        if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
            return s.substring(1, s.length() - 1).replace("\"\"", "\"");
        }
        if (s.indexOf('"') >= 0 || s.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException(argument + ": '" + s + "' is not a column name; write names with "
                    + "spaces, quotes or capitals in double quotes");
        }
        return s.toLowerCase(Locale.ROOT);
    }

    /** Folds a single column name argument. */
    public static String fold(String raw, String argument) {
        return fold(raw, argument, raw);
    }

    /** Quotes an identifier for SQL text: {@code my "col"} becomes {@code "my ""col"""}. */
    public static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
