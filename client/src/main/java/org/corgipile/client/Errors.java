package org.corgipile.client;

import java.sql.SQLException;

import org.corgipile.operators.TrainingException;

/**
 * Turns every failure into the API's one failure type, {@link CorgiPileException} (an {@link SQLException}) with a
 * SQLSTATE, in server and client mode alike: a server error keeps its SQLSTATE, message and hint, a
 * {@link TrainingException} (the engine's, or an SQL error that crossed the {@code BlockSource} interface) keeps its
 * SQLSTATE, message and hint (the same ones the extension raises), and an {@link IllegalArgumentException} is a bad
 * argument (22023).
 */
final class Errors {
    /** A computation that may fail with the engine's unchecked exceptions. */
    interface Engine<T> {
        T run() throws SQLException;
    }

    private Errors() {
    }

    static <T> T call(Engine<T> engine) throws SQLException {
        try {
            return engine.run();
        } catch (SQLException e) {
            throw CorgiPileException.of(e);
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    static SQLException translate(RuntimeException e) {
        if (e instanceof TrainingException t) {
            return new CorgiPileException(t);
        }
        if (e instanceof IllegalArgumentException) {
            return new CorgiPileException(TrainingException.INVALID_PARAMETER_VALUE, e.getMessage(), null, e);
        }
        throw e;
    }
}
