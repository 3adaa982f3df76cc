package org.corgipile.client;

import java.sql.SQLException;

import org.corgipile.operators.TrainingException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * The API's one failure type, in server and client mode alike: the JDBC-shaped ({@link SQLException}) face of the
 * codebase's one error type, {@link TrainingException}, which it carries as its {@link #getCause() cause} and from
 * which it takes its SQLSTATE, message and {@link #hint()}. Client-mode training and server-mode training thus fail
 * the same way for the same cause (an unknown column is 42703 in both), and callers handle one exception type.
 * SQLSTATE constants live in {@link TrainingException}.
 */
public final class CorgiPileException extends SQLException {
    public CorgiPileException(TrainingException error) {
        super(error.getMessage(), error.sqlState(), error);
    }

    public CorgiPileException(String sqlState, String message) {
        this(sqlState, message, null, null);
    }

    public CorgiPileException(String sqlState, String message, String hint, Throwable cause) {
        this(new TrainingException(sqlState, message, hint, cause));
    }

    /**
     * {@code e} itself when it is one, else a CorgiPileException with its SQLSTATE, the server's message and hint
     * (a server error's {@code PSQLException}) and {@code e} as the cause of its {@link #error()}.
     */
    public static CorgiPileException of(SQLException e) {
        if (e instanceof CorgiPileException c) {
            return c;
        }
        return new CorgiPileException(error(e));
    }

    /**
     * The SQLSTATE, message and hint of {@code e} as the one error type, for code below an interface that declares
     * no checked exceptions ({@code BlockSource}); {@code e} is its cause.
     */
    public static TrainingException error(SQLException e) {
        if (e instanceof CorgiPileException c) {
            return c.error();
        }
        if (e instanceof PSQLException p && p.getServerErrorMessage() != null) {
            ServerErrorMessage m = p.getServerErrorMessage();
            return new TrainingException(m.getSQLState(), m.getMessage(), m.getHint(), e);
        }
        return new TrainingException(e.getSQLState(), e.getMessage(), null, e);
    }

    /** The error this exception is the JDBC face of. */
    public TrainingException error() {
        return (TrainingException) getCause();
    }

    /** What the user can do about it, or null. */
    public String hint() {
        return error().hint();
    }
}
