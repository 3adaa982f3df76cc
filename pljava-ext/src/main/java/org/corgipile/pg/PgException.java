package org.corgipile.pg;

/**
 * A PostgreSQL error caught inside a native. Java code must let it propagate: the launcher re-raises the original
 * error (same SQLSTATE, message, hint) when Java returns, whatever Java does with this exception.
 */
public final class PgException extends RuntimeException {
    public PgException(String message) {
        super(message);
    }
}
