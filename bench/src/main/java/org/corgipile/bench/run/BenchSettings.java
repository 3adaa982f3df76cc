package org.corgipile.bench.run;

import org.corgipile.operators.Sizing;

import java.util.List;

import org.corgipile.bench.engine.Strategy;
import org.corgipile.bench.io.DeviceProfile;

/**
 * Everything one benchmark run is parameterised by; recorded verbatim in results.json.
 *
 * @param profiles        device profiles to run, in order
 * @param datasets        dataset names (the built-in {@code synthetic} generator)
 * @param layouts         {@code clustered} and/or {@code shuffled}
 * @param strategies      strategies per table
 * @param rows            training tuples per dataset
 * @param testFraction    test tuples as a fraction of training tuples
 * @param dims            feature count of the synthetic generator
 * @param epochs          epochs per training
 * @param learningRate    initial learning rate
 * @param decay           learning-rate factor per epoch
 * @param seed            seed of data, layouts and training
 * @param blockPages      heap pages per block, 0 = {@link #blockPagesFor(long)}
 * @param bufferFraction  tuple buffer as a fraction of the table
 * @param probePages      pages read by the random-vs-sequential page probe
 * @param engine          {@code auto}, {@code in-db} or {@code jdbc-reference}
 * @param engineOptions   JSON passed as {@code train_sgd(options => ...)}
 * @param targetTolerance accuracy below the shuffle-once accuracy still counted as reaching it (0.01 = 1 point)
 * @param extraConf       extra postgresql.conf lines for every profile's cluster
 */
public record BenchSettings(List<DeviceProfile> profiles, List<String> datasets, List<String> layouts,
                            List<Strategy> strategies, long rows, double testFraction, int dims, int epochs,
                            double learningRate, double decay, long seed, int blockPages, double bufferFraction,
                            int probePages, String engine, String engineOptions, double targetTolerance,
                            List<String> extraConf) {

    public BenchSettings {
        if (profiles.isEmpty() || datasets.isEmpty() || layouts.isEmpty() || strategies.isEmpty()) {
            throw new IllegalArgumentException("profiles, datasets, layouts and strategies must not be empty");
        }
        if (rows < 100) {
            throw new IllegalArgumentException("rows must be >= 100, got " + rows);
        }
        if (!(testFraction > 0 && testFraction <= 1)) {
            throw new IllegalArgumentException("test fraction must be in (0, 1], got " + testFraction);
        }
        if (epochs < 1 || epochs > 1000) {
            throw new IllegalArgumentException("epochs must be in [1, 1000], got " + epochs);
        }
        if (blockPages < 0) {
            throw new IllegalArgumentException("block pages must be >= 0 (0 = auto), got " + blockPages);
        }
        if (!(bufferFraction >= 0 && bufferFraction <= 1)) {
            throw new IllegalArgumentException("buffer fraction must be in (0, 1] or 0 for the product's default, got "
                    + bufferFraction);
        }
        if (probePages < 1) {
            throw new IllegalArgumentException("probe pages must be >= 1, got " + probePages);
        }
        if (!List.of("auto", "in-db", "jdbc-reference").contains(engine)) {
            throw new IllegalArgumentException("engine must be auto, in-db or jdbc-reference, got '" + engine + "'");
        }
        if (!(targetTolerance >= 0 && targetTolerance < 1)) {
            throw new IllegalArgumentException("target tolerance must be in [0, 1), got " + targetTolerance);
        }
        profiles = List.copyOf(profiles);
        datasets = List.copyOf(datasets);
        layouts = List.copyOf(layouts);
        strategies = List.copyOf(strategies);
        extraConf = List.copyOf(extraConf);
    }

    /**
     * Block size for a table of {@code pages} pages: the configured one, or (0) the one train_sgd derives from the
     * table with its default memory budget ({@link Sizing}) — the product's default, so the numbers show it.
     */
    public int blockPagesFor(long pages) {
        return blockPages > 0 ? blockPages : sizing(pages).blockPages();
    }

    /** Buffer fraction for a table of {@code pages} pages: the configured one, or (0) the product's default. */
    public double bufferFractionFor(long pages) {
        return bufferFraction > 0 ? bufferFraction : sizing(pages).bufferSize();
    }

    private Sizing sizing(long pages) {
        return Sizing.of(blockPages, bufferFraction, pages, Sizing.DEFAULT_BUFFER_MEMORY);
    }
}
