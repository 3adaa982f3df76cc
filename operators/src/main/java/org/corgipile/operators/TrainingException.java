package org.corgipile.operators;

/**
 * The one error type a user can act on, in every module: a PostgreSQL SQLSTATE, a message and an optional hint.
 * The in-database entry points raise it as an ERROR with these three, the client's public API hands it out as the
 * {@code cause} of its JDBC-shaped {@code CorgiPileException} (same SQLSTATE, message and hint), and code below the
 * {@code BlockSource} interface (which declares no checked exceptions) throws it for SQL failures too, so the same
 * failure reads the same in psql, over JDBC and in the client-side trainer.
 *
 * <p>SQLSTATEs used across the codebase (one place, see also docs/operators.md):
 * <ul>
 *   <li>{@value #INVALID_PARAMETER_VALUE} invalid_parameter_value — a bad argument ({@link InvalidSpecException})</li>
 *   <li>{@value #DATA_EXCEPTION} data_exception — NaN/Inf feature, label outside the model's domain, mixed label
 *       encodings, wrong feature count</li>
 *   <li>{@value #NUMERIC_VALUE_OUT_OF_RANGE} numeric_value_out_of_range — the loss or the weights diverged</li>
 *   <li>{@value #FEATURE_NOT_SUPPORTED} feature_not_supported — a valid option this data or device cannot do</li>
 *   <li>{@value #INTERNAL_ERROR} internal_error — a bug; the message says so</li>
 *   <li>the rest below: catalog and relation lookups, I/O, cancellation (as PostgreSQL names them)</li>
 * </ul>
 */
public class TrainingException extends RuntimeException {
    public static final String INVALID_PARAMETER_VALUE = "22023";
    public static final String DATA_EXCEPTION = "22000";
    public static final String NUMERIC_VALUE_OUT_OF_RANGE = "22003";
    public static final String FEATURE_NOT_SUPPORTED = "0A000";
    public static final String PROGRAM_LIMIT_EXCEEDED = "54000";
    /** out_of_memory: what the call needs cannot fit the Java heap (corgipile.max_heap). */
    public static final String OUT_OF_MEMORY = "53200";
    public static final String INTERNAL_ERROR = "XX000";
    /** null_value_not_allowed: a NULL element inside a feature array. */
    public static final String NULL_VALUE_NOT_ALLOWED = "22004";
    /** array_subscript_error: a feature array with more than one dimension. */
    public static final String ARRAY_SUBSCRIPT_ERROR = "2202E";
    /** undefined_column. */
    public static final String UNDEFINED_COLUMN = "42703";
    /** undefined_object: an unknown model. */
    public static final String UNDEFINED_OBJECT = "42704";
    /** undefined_table. */
    public static final String UNDEFINED_TABLE = "42P01";
    /** undefined_function: the server has no (or an older) corgipile extension. */
    public static final String UNDEFINED_FUNCTION = "42883";
    /** insufficient_privilege: what only a superuser may do. */
    public static final String INSUFFICIENT_PRIVILEGE = "42501";
    /** datatype_mismatch: a column of the wrong type. */
    public static final String DATATYPE_MISMATCH = "42804";
    /** wrong_object_type: a view or an index where a table is needed. */
    public static final String WRONG_OBJECT_TYPE = "42809";
    /** duplicate_object: a model name already in use. */
    public static final String DUPLICATE_OBJECT = "42710";
    /** object_not_in_prerequisite_state. */
    public static final String OBJECT_NOT_IN_PREREQUISITE_STATE = "55000";
    /** query_canceled. */
    public static final String QUERY_CANCELED = "57014";
    /** io_error: a file could not be written. */
    public static final String IO_ERROR = "58030";
    /** system_error. */
    public static final String SYSTEM_ERROR = "58000";
    /** connection_failure. */
    public static final String CONNECTION_FAILURE = "08006";

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
