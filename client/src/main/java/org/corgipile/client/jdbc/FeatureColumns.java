package org.corgipile.client.jdbc;

import java.util.List;
import java.util.Locale;

/**
 * Which columns of a relation hold the features, in the three layouts the project supports — the same rules as the
 * in-database reader of the extension, so a {@code features} argument means the same in both training modes:
 * <ul>
 *   <li>{@code ARRAY}: one numeric array column ({@code float8[]}, {@code real[]}, {@code int[]}, {@code numeric[]},
 *       ...), every row of the same length;</li>
 *   <li>{@code COLUMNS}: numeric scalar columns, read as one dense vector in the order given;</li>
 *   <li>{@code SPARSE}: two array columns, {@code "indices, values"}: an integer array of 0-based feature indices and
 *       a numeric array of values of the same length (the paper's {@code (k int[], v float8[])} layout).</li>
 * </ul>
 * The textual form is a comma-separated list of column names ({@link org.corgipile.operators.FeaturesArgument#names}
 * parses it). The layout follows from the column types, so it is decided by {@link RelationColumns#resolve}.
 */
public record FeatureColumns(Layout layout, List<String> columns) {

    /** How the feature columns are laid out. */
    public enum Layout { ARRAY, COLUMNS, SPARSE }

    public FeatureColumns {
        columns = List.copyOf(columns);
        if (columns.isEmpty() || layout == Layout.ARRAY && columns.size() != 1
                || layout == Layout.SPARSE && columns.size() != 2) {
            throw new IllegalArgumentException("features: layout " + layout.name().toLowerCase(Locale.ROOT)
                    + " cannot have the columns " + columns);
        }
    }

    /** The textual form: the column names joined by {@code ", "}. */
    public String text() {
        return String.join(", ", columns);
    }
}
