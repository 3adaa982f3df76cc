package org.corgipile.operators;

import java.util.ArrayList;
import java.util.List;

/**
 * The one Java parser of a {@code features} argument (one array column {@code 'features'}, a comma-separated list
 * of scalar columns {@code 'x1, x2'}, or sparse {@code 'indices, values'}), for the in-database reader and the
 * client alike, with the rules of SQL's {@code corgipile.feature_columns} (and of the C reader): split at every
 * comma, each name trimmed of spaces and tabs at both ends and then used exactly as written (no case folding, no
 * quotes); an empty name ({@code 'a,,b'}, {@code 'a,'}, {@code ' , '}) or an empty argument is 22023. What the
 * names are (which layout, whether they exist) is the reader's question, not the parser's.
 */
public final class FeaturesArgument {

    private FeaturesArgument() {
    }

    /** The column names of {@code features}, in order; 22023 ({@link InvalidSpecException}) for a malformed one. */
    public static List<String> names(String features) {
        List<String> out = new ArrayList<>();
        if (features != null) {
            for (String part : features.split(",", -1)) {
                int from = 0;
                int to = part.length();
                while (from < to && (part.charAt(from) == ' ' || part.charAt(from) == '\t')) {
                    from++;
                }
                while (to > from && (part.charAt(to - 1) == ' ' || part.charAt(to - 1) == '\t')) {
                    to--;
                }
                if (from == to) {
                    throw malformed(features);
                }
                out.add(part.substring(from, to));
            }
        }
        if (out.isEmpty()) {
            throw malformed(features);
        }
        return List.copyOf(out);
    }

    private static InvalidSpecException malformed(String features) {
        return new InvalidSpecException("features must name one array column or a comma-separated list of columns, "
                + "got \"" + (features == null ? "NULL" : features) + "\"", "For example 'features' or 'x1, x2'.");
    }
}
