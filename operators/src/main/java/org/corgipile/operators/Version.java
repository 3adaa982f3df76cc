package org.corgipile.operators;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The version of corgipile, read from the extension's control file ({@code pljava-ext/corgipile.control},
 * {@code default_version}), which the build copies into this jar: one place for the version of the extension, the
 * client, the CLIs and the version recorded with every model.
 */
public final class Version {
    private static final Pattern DEFAULT_VERSION = Pattern.compile("^\\s*default_version\\s*=\\s*'([^']+)'");

    /** The {@code default_version} of {@code corgipile.control}, e.g. {@code 0.2.0}. */
    public static final String CURRENT = read();

    private Version() {
    }

    private static String read() {
        try (InputStream in = Version.class.getResourceAsStream("corgipile.control")) {
            if (in == null) {
                throw new IllegalStateException("corgipile.control is missing from the operators jar; please report "
                        + "a bug");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                Matcher m = DEFAULT_VERSION.matcher(line);
                if (m.find()) {
                    return m.group(1);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("corgipile.control has no default_version; please report a bug");
    }
}
