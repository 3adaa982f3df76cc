package org.corgipile.datasets.format;

import java.util.Arrays;
import java.util.Locale;
import java.util.TreeSet;

import org.corgipile.datasets.LabelType;

/**
 * Maps source labels to table labels. Classification tables store {@code 0..K-1}: LIBSVM's {@code -1/+1} becomes
 * {@code 0/1}, classes {@code 1..10} become {@code 0..9}; labels already {@code 0..K-1} stay as they are, and so do
 * labels that are all 0 or all 1 (one class of a binary problem). Regression
 * labels pass through unchanged.
 */
final class LabelMap {
    /** More distinct values than this cannot be classes: the labels are treated as regression targets. */
    static final int MAX_CLASSES = 1000;

    private final LabelType type;
    private final double[] sorted;   // distinct source labels, when remapping; null = identity
    private final String description;

    private LabelMap(LabelType type, double[] sorted, String description) {
        this.type = type;
        this.sorted = sorted;
        this.description = description;
    }

    /**
     * Decides the label type (when {@code requested} is null) and mapping from what a pre-scan saw.
     *
     * @param distinct   distinct labels seen (at most {@link #MAX_CLASSES} + 1 are kept)
     * @param integral   whether every label was an integer
     * @param requested  forced type, or null for auto
     * @param firstNonIntegral where the first non-integer label was (for the error message), or null
     */
    static LabelMap decide(TreeSet<Double> distinct, boolean integral, LabelType requested, String file,
                           String firstNonIntegral) throws org.corgipile.datasets.InputFormatException {
        boolean classes = integral && distinct.size() <= MAX_CLASSES;
        LabelType type = requested != null ? requested : classes ? LabelType.INT : LabelType.FLOAT8;
        if (type == LabelType.FLOAT8) {
            return new LabelMap(type, null, "");
        }
        if (!integral) {
            throw new org.corgipile.datasets.InputFormatException(file, firstNonIntegral,
                    "label type int needs integer class labels; use --label-type float8 for regression");
        }
        if (distinct.size() > MAX_CLASSES) {
            throw new org.corgipile.datasets.InputFormatException(file, "labels",
                    "more than " + MAX_CLASSES + " distinct labels for label type int; use --label-type float8");
        }
        double[] d = distinct.stream().mapToDouble(Double::doubleValue).toArray();
        // 0..K-1 already, or a subset of the binary labels {0, 1} (a file holding one class: all ones stay 1)
        boolean identity = true;
        for (int i = 0; i < d.length; i++) {
            identity &= d[i] == i;
        }
        identity |= distinct.stream().allMatch(v -> v == 0.0 || v == 1.0);
        if (identity) {
            return new LabelMap(type, null, "");
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < d.length && i < 12; i++) {
            sb.append(i == 0 ? "" : ", ").append(fmt(d[i])).append("->").append(i);
        }
        if (d.length > 12) {
            sb.append(", ...");
        }
        return new LabelMap(type, d, sb.toString());
    }

    LabelType type() {
        return type;
    }

    String description() {
        return description;
    }

    double map(double label) {
        if (sorted == null) {
            return label;
        }
        int i = Arrays.binarySearch(sorted, label);
        if (i < 0) {
            throw new IllegalStateException("label " + label + " was not seen by the pre-scan. Please report a bug.");
        }
        return i;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%d", (long) v) : Double.toString(v);
    }
}
