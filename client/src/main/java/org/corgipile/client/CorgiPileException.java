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

    /**
     * A file that could not be written, as {@code cannot write FILE: REASON} (58030) with the reason in words: the
     * JDK's {@code NoSuchFileException} and {@code FileSystemException} messages are the bare path ("/x/m.json")
     * or the path and a terse reason.
     */
    public static CorgiPileException cannotWrite(java.nio.file.Path file, java.io.IOException e) {
        String reason;
        java.nio.file.Path dir = file.toAbsolutePath().getParent();
        if (e instanceof java.nio.file.NoSuchFileException && dir != null && !java.nio.file.Files.isDirectory(dir)) {
            reason = "directory " + dir + " does not exist";
        } else if (java.nio.file.Files.isDirectory(file)) {
            reason = "it is a directory";
        } else if (e instanceof java.nio.file.AccessDeniedException) {
            reason = "permission denied";
        } else if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            reason = f.getReason();
        } else {
            reason = e.getMessage();
        }
        return new CorgiPileException(TrainingException.IO_ERROR, "cannot write " + file + ": " + reason, null, e);
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
