package org.corgipile.datasets.format;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;

import org.corgipile.datasets.InputFormatException;

/**
 * The lines of a (possibly gzipped) text file with their 1-based numbers, for the text formats' row pass: a read
 * failure (a corrupt gzip stream) becomes an {@link InputFormatException} naming the line it broke in.
 */
final class NumberedLines implements Closeable {
    private final String name;
    private final BufferedReader in;
    private long number;

    NumberedLines(Path file, String name) throws IOException {
        this.name = name;
        this.in = TextInput.reader(file);
    }

    /** The next line, or null at the end; {@link #number()} is then its number. */
    String next() throws InputFormatException {
        String s;
        try {
            s = in.readLine();
        } catch (IOException e) {
            throw unreadable(name, number + 1, e);
        }
        if (s != null) {
            number++;
        }
        return s;
    }

    /** Number of the line {@link #next()} returned last (0 before the first). */
    long number() {
        return number;
    }

    /** The error for a file that cannot be read at line {@code line}. */
    static InputFormatException unreadable(String name, long line, IOException e) {
        return new InputFormatException(name, "line " + line, "unreadable (" + reason(e) + ")", e);
    }

    /**
     * What went wrong reading, for a message: the exception's text, or for an end of file without one (a gzip
     * file cut inside its header) that the file ends early, never "null".
     */
    static String reason(IOException e) {
        if (e instanceof EOFException) {
            return "the file ends early: truncated?" + (e.getMessage() == null ? "" : " " + e.getMessage());
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
