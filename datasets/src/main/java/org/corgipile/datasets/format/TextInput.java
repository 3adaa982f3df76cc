package org.corgipile.datasets.format;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Opens a file for reading, transparently gunzipping it when it starts with the gzip magic bytes. */
final class TextInput {
    private static final int BUFFER = 1 << 16;

    private TextInput() {
    }

    static InputStream open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), BUFFER);
        in.mark(2);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        return b1 == 0x1f && b2 == 0x8b ? new BufferedInputStream(new GZIPInputStream(in, BUFFER), BUFFER) : in;
    }

    static BufferedReader reader(Path file) throws IOException {
        return new BufferedReader(new InputStreamReader(open(file), StandardCharsets.UTF_8), BUFFER);
    }

    /** Parses a finite double, or returns NaN for anything else (callers turn NaN into a located error). */
    static double parseFinite(String s) {
        if (s.isEmpty() || s.length() > 64) {
            return Double.NaN;
        }
        char c = s.charAt(s.length() - 1);
        // Java accepts "1d", "1f", hex floats; data files mean none of these.
        if (c == 'd' || c == 'D' || c == 'f' || c == 'F' || s.indexOf('x') >= 0 || s.indexOf('X') >= 0) {
            return Double.NaN;
        }
        try {
            double v = Double.parseDouble(s);
            return Double.isFinite(v) ? v : Double.NaN;
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
