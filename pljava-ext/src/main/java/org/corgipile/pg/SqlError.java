package org.corgipile.pg;

/**
 * A user error detected on the Java side, raised in PostgreSQL as ERROR with this SQLSTATE, message and hint.
 */
public final class SqlError extends RuntimeException {
    public static final String INVALID_PARAMETER_VALUE = "22023";
    public static final String DATA_EXCEPTION = "22000";
    public static final String UNDEFINED_OBJECT = "42704";

    private final String sqlState;
    private final String hint;

    public SqlError(String sqlState, String message, String hint) {
        super(message);
        this.sqlState = sqlState;
        this.hint = hint;
    }

    public String sqlState() {
        return sqlState;
    }

    public String hint() {
        return hint;
    }
}
