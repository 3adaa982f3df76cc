package org.corgipile.bench.run;

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
 * @param learningRate    initial learning rate, 0 = the product's default
 * @param decay           learning-rate factor per epoch, 0 = the product's default
 * @param seed            seed of data, layouts and training
 * @param blockPages      heap pages per block, 0 = the product's default
 * @param bufferFraction  tuple buffer as a fraction of the table, 0 = the product's default
 * @param probePages      pages read by the random-vs-sequential page probe
 * @param engine          {@code auto}, {@code in-db} ({@code train_sgd}) or {@code client} (client mode)
 * @param engineOptions   JSON passed as {@code train_sgd(options => ...)}
 * @param targetTolerance accuracy below the shuffle-once accuracy still counted as reaching it (0.01 = 1 point)
 * @param extraConf       extra postgresql.conf lines for every profile's cluster
 * @param pageCacheFraction cold profiles: the server's page cache is limited to this fraction of the table being
 *                        trained, so every epoch reads from the device (0.125: the table is 8x the cache)
 * @param repeat          every profile: the scan floor, {@code corgipile} and {@code none} run this many times on
 *                        each table, one round after another (the other strategies once; on ssd/hdd each call as
 *                        cold as the first), so an epoch ratio is a median over rounds with its spread, not one
 *                        run's noise; 1 = once (0 in results.json written before it existed reads back as 1)
 */
public record BenchSettings(List<DeviceProfile> profiles, List<String> datasets, List<String> layouts,
                            List<Strategy> strategies, long rows, double testFraction, int dims, int epochs,
                            double learningRate, double decay, long seed, int blockPages, double bufferFraction,
                            int probePages, String engine, String engineOptions, double targetTolerance,
                            List<String> extraConf, double pageCacheFraction, int repeat) {

    /** The most rounds {@code --repeat} accepts. */
    public static final int MAX_REPEAT = 50;

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
            throw new IllegalArgumentException("block pages must be >= 0 (0 = default), got " + blockPages);
        }
        if (!(bufferFraction >= 0 && bufferFraction <= 1)) {
            throw new IllegalArgumentException("buffer fraction must be in (0, 1] (0 = default), got " + bufferFraction);
        }
        if (!(learningRate >= 0) || !(decay >= 0)) {
            throw new IllegalArgumentException("learning rate and decay must be > 0 (0 = default), got "
                    + learningRate + " and " + decay);
        }
        if (!(pageCacheFraction > 0 && pageCacheFraction <= 1)) {
            throw new IllegalArgumentException("page cache fraction must be in (0, 1], got " + pageCacheFraction);
        }
        if (repeat == 0) {
            repeat = 1;
        }
        if (repeat < 1 || repeat > MAX_REPEAT) {
            throw new IllegalArgumentException("repeat must be in [1, " + MAX_REPEAT + "], got " + repeat);
        }
        if (probePages < 1) {
            throw new IllegalArgumentException("probe pages must be >= 1, got " + probePages);
        }
        if (!List.of("auto", "in-db", "client").contains(engine)) {
            throw new IllegalArgumentException("engine must be auto, in-db or client, got '" + engine + "'");
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

    /** Block size passed to the engine for a table of {@code pages} pages: the configured one, 0 = its default. */
    public int blockPagesFor(long pages) {
        return blockPages;
    }
}
