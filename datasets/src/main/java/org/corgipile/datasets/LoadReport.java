package org.corgipile.datasets;

import java.util.Locale;

/**
 * What a load did: tables written, row counts, wire bytes (binary COPY stream), wall time and, for generated data,
 * the best accuracy any model can reach on it.
 *
 * @param table        train (or only) table
 * @param testTable    test table, or null without a split
 * @param rows         rows loaded in total (train + test)
 * @param testRows     rows in the test table
 * @param bytes        bytes of binary COPY data sent
 * @param seconds      wall time of the whole load (parse, COPY, layout, commit)
 * @param bestAccuracy best achievable accuracy (teacher model with known label noise), NaN when unknown
 * @param labelMapping how source labels were mapped, or empty
 */
public record LoadReport(String table, String testTable, long rows, long testRows, long bytes, double seconds,
                         double bestAccuracy, String labelMapping) {

    public double rowsPerSecond() {
        return seconds > 0 ? rows / seconds : 0;
    }

    public double megabytesPerSecond() {
        return seconds > 0 ? bytes / 1e6 / seconds : 0;
    }

    /** One line for humans, e.g. {@code loaded 100000 rows into higgs (90012) + higgs_test (9988) ...}. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "loaded %d rows into %s", rows, table));
        if (testTable != null) {
            sb.append(String.format(Locale.ROOT, " (%d) + %s (%d)", rows - testRows, testTable, testRows));
        }
        sb.append(String.format(Locale.ROOT, " in %.2f s: %.0f rows/s, %.1f MB/s (%.1f MB binary COPY)",
                seconds, rowsPerSecond(), megabytesPerSecond(), bytes / 1e6));
        if (!Double.isNaN(bestAccuracy)) {
            sb.append(String.format(Locale.ROOT, "; best achievable accuracy %.4f", bestAccuracy));
        }
        if (labelMapping != null && !labelMapping.isEmpty()) {
            sb.append("; labels ").append(labelMapping);
        }
        return sb.toString();
    }
}
