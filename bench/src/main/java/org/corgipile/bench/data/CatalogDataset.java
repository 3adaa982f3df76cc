package org.corgipile.bench.data;

import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Stream;
import java.util.Locale;

import org.corgipile.datasets.DatasetLoader;
import org.corgipile.datasets.Layout;
import org.corgipile.datasets.LoadOptions;
import org.corgipile.datasets.LoadReport;
import org.corgipile.datasets.real.DatasetCatalog;

/**
 * A dataset of the datasets module ({@code higgs-like}, {@code susy-like}, {@code flights-binary}, ...) loaded with
 * {@link DatasetLoader} straight into the layout the benchmark asks for, with its {@code <table>_test} split.
 * Only dense two-class sets ({@code features float8[]}, label 0/1) can be benchmarked: the matrix trains logistic
 * regression on that column.
 */
public final class CatalogDataset {
    private CatalogDataset() {
    }

    /**
     * Real two-class sets with dense features. On clustered fashion-mnist-binary storage order stays behind a
     * shuffle with the product's defaults (docs/convergence.md), unlike on the symmetric generators.
     */
    private static final List<String> REAL_BINARY = List.of("flights-binary", "fashion-mnist-binary");

    /** Names the benchmark accepts besides {@code synthetic}: the dense generators and the real binary sets. */
    public static List<String> names() {
        var generated = DatasetCatalog.entries().stream().filter(DatasetCatalog.Entry::generated)
                .map(DatasetCatalog.Entry::name).filter(n -> !n.equals("criteo-like"));
        return Stream.concat(generated, REAL_BINARY.stream().map(n -> DatasetCatalog.entry(n).name()))
                .toList();
    }

    /** The training table name of a dataset in a layout, e.g. {@code higgs_like_clustered}. */
    public static String table(String dataset, String layout) {
        return dataset.replace('-', '_') + "_" + layout;
    }

    /** Loads {@code rows} training rows plus the test split into {@code table} and {@code table_test}. */
    public static LoadReport load(Connection c, String dataset, String layout, long rows, double testFraction,
                                  long seed) throws SQLException {
        TableLayouts.validate(layout);
        String table = table(dataset, layout);
        // testFraction of the bench is relative to the training rows, the loader's to the total
        double loaderFraction = testFraction / (1 + testFraction);
        long total = Math.round(rows * (1 + testFraction));
        LoadOptions o = LoadOptions.defaults().table(table)
                .layout(TableLayouts.CLUSTERED.equals(layout) ? Layout.CLUSTERED : Layout.SHUFFLED)
                .testFraction(loaderFraction).rows(total).seed(seed).replace(true);
        LoadReport r;
        try {
            r = DatasetLoader.load(c, dataset, o);
        } catch (IOException e) {
            throw new SQLException("loading " + dataset + " failed: " + e.getMessage(), e);
        }
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(String.format(Locale.ROOT, "SELECT format_type(atttypid, atttypmod)"
                     + " FROM pg_attribute WHERE attrelid = '%s'::regclass AND attname = 'features'", table))) {
            if (!rs.next() || !rs.getString(1).equals("double precision[]")) {
                throw new IllegalArgumentException("dataset " + dataset + " has no dense features float8[] column;"
                        + " the benchmark supports: synthetic, " + String.join(", ", names()));
            }
        }
        TableLayouts.settle(c, r.table());
        TableLayouts.settle(c, r.testTable());
        return r;
    }
}
