package org.corgipile.datasets;

import java.io.IOException;

/**
 * The one error a parser throws for bad input: it names the file, the line or record, and the reason, e.g.
 * {@code data.svm: line 3: bad feature token 'x:1' (expected INDEX:VALUE with INDEX >= 1)}.
 * Parsers promise that malformed input produces this exception and nothing else (see the fuzz tests).
 */
public final class InputFormatException extends IOException {
    private final String file;
    private final String location;
    private final String reason;

    public InputFormatException(String file, String location, String reason) {
        super(file + ": " + location + ": " + reason);
        this.file = file;
        this.location = location;
        this.reason = reason;
    }

    public InputFormatException(String file, String location, String reason, Throwable cause) {
        this(file, location, reason);
        initCause(cause);
    }

    /** File name (or source name) of the bad input. */
    public String file() {
        return file;
    }

    /** Where in the input: {@code line 3}, {@code record 17}, {@code header}. */
    public String location() {
        return location;
    }

    public String reason() {
        return reason;
    }
}
