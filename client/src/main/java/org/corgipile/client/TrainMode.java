package org.corgipile.client;

import java.util.Locale;

/**
 * Where training runs.
 * <ul>
 *   <li>{@link #SERVER}: inside PostgreSQL, by {@code SELECT * FROM train_sgd(...)} of the corgipile extension —
 *       the data never leaves the server;</li>
 *   <li>{@link #CLIENT}: in this JVM, with the same operators reading heap page ranges over JDBC (binary COPY of
 *       TID range scans) — for servers that cannot load the extension (managed services, stock images);</li>
 *   <li>{@link #AUTO}: {@code SERVER} when the database has the extension ({@code pg_extension}), else
 *       {@code CLIENT}.</li>
 * </ul>
 * Both modes store the model in the same catalog, {@code corgipile.models}.
 */
public enum TrainMode {
    AUTO, SERVER, CLIENT;

    /** Parses {@code auto}, {@code server} or {@code client} (any case). */
    public static TrainMode parse(String text) {
        for (TrainMode m : values()) {
            if (m.name().equalsIgnoreCase(text == null ? "" : text.strip())) {
                return m;
            }
        }
        throw new IllegalArgumentException("mode must be one of auto, server, client, got \"" + text + "\"");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
