package org.corgipile.cli;

import java.sql.SQLException;

/**
 * Exit codes of the {@code corgipile} CLI, documented in {@code --help} (footer of {@link CorgipileCli}) and
 * docs/client.md. Scripts can tell a typo
 * on the command line (1) from a database that is down (2) from data the engine refuses (3).
 */
public final class ExitCodes {
    /** Success. */
    public static final int OK = 0;
    /** Usage error: unknown command or option, missing or malformed argument (picocli's own code). */
    public static final int USAGE = 1;
    /** Database error: cannot connect, permission denied, the statement failed or was cancelled. */
    public static final int DATABASE = 2;
    /**
     * Invalid input: the engine or the server refused an argument or the data (SQLSTATE classes 22 and 42: a bad
     * hyper-parameter, an unknown relation, column or model, NaN in the data, a diverging loss).
     */
    public static final int INVALID_INPUT = 3;
    /** A file could not be read or written (export). */
    public static final int IO = 4;
    /** An internal error: a bug, please report it (run again with --verbose for the stack trace). */
    public static final int INTERNAL = 5;

    private ExitCodes() {
    }

    /** The exit code for a failed statement, by SQLSTATE class. */
    static int of(SQLException e) {
        String state = e.getSQLState();
        if (state == null || state.length() < 2) {
            return DATABASE;
        }
        return switch (state.substring(0, 2)) {
            case "22", "42" -> INVALID_INPUT;
            case "58" -> IO;
            case "XX" -> INTERNAL;
            default -> DATABASE;
        };
    }
}
