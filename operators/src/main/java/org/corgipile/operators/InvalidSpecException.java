package org.corgipile.operators;

/**
 * A training argument is unknown, of the wrong type or out of range. The message names the argument and its
 * allowed range; SQLSTATE 22023 (invalid_parameter_value).
 */
public final class InvalidSpecException extends TrainingException {
    public InvalidSpecException(String message) {
        super(INVALID_PARAMETER_VALUE, message, null);
    }

    public InvalidSpecException(String message, String hint) {
        super(INVALID_PARAMETER_VALUE, message, hint);
    }
}
