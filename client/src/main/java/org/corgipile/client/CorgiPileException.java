package org.corgipile.client;

import java.sql.SQLException;

import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * A failure detected on the client side, reported like a server error: a {@link SQLException} with a PostgreSQL
 * SQLSTATE and an optional hint. Client-mode training and server-mode training thus fail the same way for the same
 * cause (an unknown column is 42703 in both), and callers handle one exception type.
 */
public final class CorgiPileException extends SQLException {
    /** invalid_parameter_value: a bad argument. */
    public static final String INVALID_PARAMETER_VALUE = "22023";
    /** data_exception: NaN, a vector of the wrong length, a label outside the model's domain. */
    public static final String DATA_EXCEPTION = "22000";
    /** undefined_column. */
    public static final String UNDEFINED_COLUMN = "42703";
    /** undefined_object: an unknown model. */
    public static final String UNDEFINED_OBJECT = "42704";
    /** datatype_mismatch: a column of the wrong type. */
    public static final String DATATYPE_MISMATCH = "42804";
    /** wrong_object_type: a view or an index where a table is needed. */
    public static final String WRONG_OBJECT_TYPE = "42809";
    /** duplicate_object: a model name already in use. */
    public static final String DUPLICATE_OBJECT = "42710";
    /** feature_not_supported. */
    public static final String FEATURE_NOT_SUPPORTED = "0A000";

    private final String hint;

    public CorgiPileException(String sqlState, String message) {
        this(sqlState, message, null, null);
    }

    public CorgiPileException(String sqlState, String message, String hint, Throwable cause) {
        super(message, sqlState, cause);
        this.hint = hint;
    }

    /**
     * The one failure type of the API: {@code e} itself when it is one, else a CorgiPileException with its SQLSTATE,
     * the server's message and hint (a server error's {@code PSQLException}) and {@code e} as the cause.
     */
    public static CorgiPileException of(SQLException e) {
        if (e instanceof CorgiPileException c) {
            return c;
        }
        if (e instanceof PSQLException p && p.getServerErrorMessage() != null) {
            ServerErrorMessage m = p.getServerErrorMessage();
            return new CorgiPileException(m.getSQLState(), m.getMessage(), m.getHint(), e);
        }
        return new CorgiPileException(e.getSQLState(), e.getMessage(), null, e);
    }

    /** What the user can do about it, or null. */
    public String hint() {
        return hint;
    }
}
