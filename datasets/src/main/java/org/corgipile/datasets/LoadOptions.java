package org.corgipile.datasets;

import java.util.regex.Pattern;

/**
 * How to load: target table, physical layout, train/test split, seed, size. Immutable; build with
 * {@code LoadOptions.defaults().table("higgs").rows(100_000).layout(Layout.CLUSTERED)}.
 *
 * @param table        target table (optionally {@code schema.table}); null = the dataset's own name
 * @param layout       physical order of rows
 * @param testFraction fraction of rows moved to {@code <table>_test}, in [0, 1); 0 = no test table
 * @param seed         seed of generators, of the shuffled layout and of the split
 * @param rows         rows to generate, or the maximum number of rows to read from a real dataset; 0 = default
 * @param replace      drop existing {@code table} / {@code table_test} (in the same transaction) instead of failing
 * @param progress     draw a progress bar on stderr
 */
public record LoadOptions(String table, Layout layout, double testFraction, long seed, long rows, boolean replace,
                          boolean progress) {
    private static final Pattern NAME = Pattern.compile("([A-Za-z_][A-Za-z0-9_]{0,62}\\.)?[A-Za-z_][A-Za-z0-9_]{0,57}");
    public static final long DEFAULT_SEED = 42;

    public LoadOptions {
        if (table != null && !NAME.matcher(table).matches()) {
            throw new IllegalArgumentException("table must be an unquoted SQL name (letters, digits, _; at most 58 "
                    + "characters, optionally schema.table), got '" + table + "'");
        }
        if (layout == null) {
            throw new IllegalArgumentException("layout must be one of clustered, shuffled, natural; got null");
        }
        if (!(testFraction >= 0 && testFraction < 1)) {
            throw new IllegalArgumentException("test fraction must be in [0, 1), got " + testFraction);
        }
        if (rows < 0) {
            throw new IllegalArgumentException("rows must be >= 0 (0 = the dataset's default), got " + rows);
        }
    }

    /** Natural layout, no test split, seed 42, default size, no replace, no progress bar. */
    public static LoadOptions defaults() {
        return new LoadOptions(null, Layout.NATURAL, 0, DEFAULT_SEED, 0, false, false);
    }

    public LoadOptions table(String t) {
        return new LoadOptions(t, layout, testFraction, seed, rows, replace, progress);
    }

    public LoadOptions layout(Layout l) {
        return new LoadOptions(table, l, testFraction, seed, rows, replace, progress);
    }

    public LoadOptions testFraction(double f) {
        return new LoadOptions(table, layout, f, seed, rows, replace, progress);
    }

    public LoadOptions seed(long s) {
        return new LoadOptions(table, layout, testFraction, s, rows, replace, progress);
    }

    public LoadOptions rows(long n) {
        return new LoadOptions(table, layout, testFraction, seed, n, replace, progress);
    }

    public LoadOptions replace(boolean r) {
        return new LoadOptions(table, layout, testFraction, seed, rows, r, progress);
    }

    public LoadOptions progress(boolean p) {
        return new LoadOptions(table, layout, testFraction, seed, rows, replace, p);
    }

    /**
     * The table name to use: {@link #table} or, when null, {@code fallback} made a valid unquoted SQL name (lower
     * case, other characters to {@code _}, a leading digit prefixed with {@code t_}, at most 58 characters).
     */
    public String tableOr(String fallback) {
        if (table != null) {
            return table.toLowerCase(java.util.Locale.ROOT);
        }
        String t = fallback.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        if (t.isEmpty() || Character.isDigit(t.charAt(0))) {
            t = "t_" + t;
        }
        return t.length() > 58 ? t.substring(0, 58) : t;
    }
}
