package org.corgipile.pg;

import org.corgipile.operators.TrainingException;

/** Maps exceptions of the engine to {SQLSTATE, message, detail, hint} for the launcher. */
final class Errors {
    private Errors() {
    }

    static String[] map(Throwable t) {
        if (t instanceof TrainingException e) {
            return new String[] {e.sqlState(), e.getMessage(), null, e.hint()};
        }
        if (t instanceof IllegalArgumentException) {
            return new String[] {"22023", t.getMessage(), null, null};
        }
        return null;
    }
}
