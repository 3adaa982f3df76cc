package org.corgipile.datasets.cli;

import org.corgipile.datasets.Layout;
import org.corgipile.datasets.LoadOptions;

import picocli.CommandLine.Option;

/** Options shared by {@code load} and {@code import}: target table, layout, split, seed. */
final class LayoutOptions {
    @Option(names = "--table", paramLabel = "T", description = "target table (default: dataset or file name)")
    String table;

    @Option(names = "--layout", paramLabel = "L", defaultValue = "natural",
            description = "physical order: clustered (sorted by label), shuffled (seeded), natural (default)")
    String layout;

    @Option(names = "--test-fraction", paramLabel = "F", defaultValue = "0",
            description = "fraction of rows moved to T_test, in [0, 1) (default 0: no test table)")
    double testFraction;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42",
            description = "seed of generators, shuffled layout and split (default 42)")
    long seed;

    @Option(names = "--replace", description = "drop and replace existing T / T_test (atomically)")
    boolean replace;

    @Option(names = "--no-progress", description = "no progress bar (there is none either when stderr is not a terminal)")
    boolean noProgress;

    LoadOptions toLoadOptions(long rows) {
        return LoadOptions.defaults().table(table).layout(Layout.parse(layout)).testFraction(testFraction)
                .seed(seed).rows(rows).replace(replace).progress(!noProgress && System.console() != null);
    }
}
