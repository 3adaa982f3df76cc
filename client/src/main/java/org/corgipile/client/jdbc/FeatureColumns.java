package org.corgipile.client.jdbc;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which columns of a relation hold the features, in the three layouts the project supports:
 * <ul>
 *   <li>{@code dense}: one array column ({@code float8[]}, {@code real[]}, {@code int[]}, ...), all rows of the same
 *       length;</li>
 *   <li>{@code columns}: a list of numeric scalar columns, read as one dense vector in the order given;</li>
 *   <li>{@code sparse}: an {@code int[]} column of 0-based feature indices and a numeric array column of values of
 *       the same length (the paper's {@code (k int[], v float8[])} layout); the dimensionality is given or computed
 *       as {@code max(index) + 1}.</li>
 * </ul>
 *
 * <p>The textual form (what {@code train_sgd(features => ...)} and the CLI accept) is parsed by {@link #parse}: a
 * single name is a dense array column, {@code "a, b, c"} a list of scalar columns, and {@code "k:v"} a sparse
 * index/value pair. Names are SQL identifiers as the user typed them: unquoted names are folded to lower case like
 * PostgreSQL does, double-quoted names are kept verbatim.
 */
public record FeatureColumns(Layout layout, List<String> columns) {

    /** How the feature columns are laid out. */
    public enum Layout { DENSE, COLUMNS, SPARSE }

    public FeatureColumns {
        columns = List.copyOf(columns);
        int expected = switch (layout) {
            case DENSE -> 1;
            case SPARSE -> 2;
            case COLUMNS -> -1;
        };
        if (columns.isEmpty() || (expected > 0 && columns.size() != expected)) {
            throw new IllegalArgumentException("features: layout " + layout.name().toLowerCase(Locale.ROOT)
                    + " needs " + (expected > 0 ? expected : "at least 1") + " column(s), got " + columns);
        }
    }

    public static FeatureColumns dense(String arrayColumn) {
        return new FeatureColumns(Layout.DENSE, List.of(arrayColumn));
    }

    public static FeatureColumns columns(List<String> scalarColumns) {
        return new FeatureColumns(Layout.COLUMNS, scalarColumns);
    }

    public static FeatureColumns sparse(String indexColumn, String valueColumn) {
        return new FeatureColumns(Layout.SPARSE, List.of(indexColumn, valueColumn));
    }

    /**
     * Parses the textual form: {@code "features"} (dense array), {@code "x1, x2, x3"} (scalar columns) or
     * {@code "k:v"} (sparse indices:values).
     */
    public static FeatureColumns parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("features must name a column (\"features\"), a list of numeric "
                    + "columns (\"x1, x2\") or a sparse index:value pair (\"k:v\"), got " + quote(text));
        }
        if (text.indexOf(':') >= 0) {
            List<String> parts = split(text, ':');
            if (parts.size() != 2) {
                throw new IllegalArgumentException("features: a sparse layout is \"indices:values\" (two columns), "
                        + "got " + quote(text));
            }
            return sparse(parts.get(0), parts.get(1));
        }
        List<String> parts = split(text, ',');
        return parts.size() == 1 ? dense(parts.get(0)) : columns(parts);
    }

    /** The textual form accepted by {@link #parse}. */
    public String text() {
        return switch (layout) {
            case DENSE -> columns.get(0);
            case COLUMNS -> String.join(", ", columns);
            case SPARSE -> columns.get(0) + ":" + columns.get(1);
        };
    }

    private static List<String> split(String text, char separator) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch == '"') {
                quoted = !quoted;
                cur.append(ch);
            } else if (ch == separator && !quoted) {
                out.add(SqlNames.fold(cur.toString(), "features", text));
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("features: unbalanced double quote in " + quote(text));
        }
        out.add(SqlNames.fold(cur.toString(), "features", text));
        return out;
    }

    private static String quote(String s) {
        return s == null ? "null" : "'" + s + "'";
    }
}
