package org.corgipile.operators;

/**
 * A training or prediction error a user can act on. Carries the PostgreSQL SQLSTATE that the in-database entry
 * points raise, so the same failure reads the same in psql, over JDBC and in the client-side trainer.
 *
 * <p>SQLSTATEs used by the engine (one place, see also docs/operators.md):
 * <ul>
 *   <li>{@value #INVALID_PARAMETER_VALUE} invalid_parameter_value — a bad argument ({@link InvalidSpecException})</li>
 *   <li>{@value #DATA_EXCEPTION} data_exception — NaN/Inf feature, label outside the model's domain, mixed label
 *       encodings, wrong feature count</li>
 *   <li>{@value #NUMERIC_VALUE_OUT_OF_RANGE} numeric_value_out_of_range — the loss or the weights diverged</li>
 *   <li>{@value #FEATURE_NOT_SUPPORTED} feature_not_supported — a valid option this data or device cannot do</li>
 *   <li>{@value #INTERNAL_ERROR} internal_error — a bug; the message says so</li>
 * </ul>
 */
public class TrainingException extends RuntimeException {
    public static final String INVALID_PARAMETER_VALUE = "22023";
    public static final String DATA_EXCEPTION = "22000";
    public static final String NUMERIC_VALUE_OUT_OF_RANGE = "22003";
    public static final String FEATURE_NOT_SUPPORTED = "0A000";
    public static final String PROGRAM_LIMIT_EXCEEDED = "54000";
    public static final String INTERNAL_ERROR = "XX000";

    private final String sqlState;
    private final String hint;

    public TrainingException(String sqlState, String message, String hint) {
        this(sqlState, message, hint, null);
    }

    public TrainingException(String sqlState, String message, String hint, Throwable cause) {
        super(message, cause);
        this.sqlState = sqlState;
        this.hint = hint;
    }

    /** The five-character PostgreSQL SQLSTATE to raise. */
    public String sqlState() {
        return sqlState;
    }

    /** A HINT for the user, or null. */
    public String hint() {
        return hint;
    }
}
