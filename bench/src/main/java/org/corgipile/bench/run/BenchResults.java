package org.corgipile.bench.run;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

import org.corgipile.bench.engine.EpochResult;
import org.corgipile.bench.io.DeviceProfile;

/**
 * The whole record of a run, written as results.json; the CSV, plots and report are derived from it, and
 * {@code --combine} reads it back to report several runs in one table.
 *
 * @param command the command line that made the run (null in results written before it was recorded)
 */
public record BenchResults(String startedAt, String finishedAt, String host, BenchSettings settings,
                           List<ProfileResult> profiles, List<Skipped> skipped, String command) {

    /** The same results, recorded with the command line that made them. */
    public BenchResults withCommand(String commandLine) {
        return new BenchResults(startedAt, finishedAt, host, settings, profiles, skipped, commandLine);
    }

    /** A profile that could not run here, and why. */
    public record Skipped(String profile, String reason) {
    }

    /**
     * One device profile.
     *
     * @param device   the throttled block device ("254:0"), null when unthrottled
     * @param ioProbes the I/O emulation evidence: sequential scan, random-order and in-order page reads
     */
    public record ProfileResult(DeviceProfile profile, String device, List<IoProbe> ioProbes,
                                List<TableResult> tables) {
    }

    /**
     * One timed read.
     *
     * @param kind         {@code seq_scan} ({@code SELECT count(features)}), {@code random_pages} or
     *                     {@code sequential_pages} (the same contiguous pages, visited shuffled or in order)
     * @param bytesRead    bytes the server read from the device (blkio counters; 0 when unthrottled)
     * @param readRequests read requests the device served (blkio counters; 0 when unthrottled)
     */
    public record IoProbe(String table, String kind, long pages, double seconds, long bytesRead,
                          long readRequests) {
        public double pagesPerSecond() {
            return seconds > 0 ? pages / seconds : Double.NaN;
        }
    }

    /**
     * One training table (dataset x layout) and every strategy trained on it.
     *
     * @param features the width of the feature arrays (float8 per row); 0 when unknown (results written before it
     *                 was recorded)
     * @param repeats  the repeated points ({@code --repeat N}, every profile; cold on ssd/hdd as round 1): rounds
     *                 2..N of the scan floor, {@code corgipile} and {@code none} on this same table, each run after
     *                 the previous one (round 1 is this record's own floor and strategies); empty when not repeated
     */
    public record TableResult(String dataset, String layout, String table, String testTable, long rows,
                              long testRows, long pages, long bytes, int blockPages, double scanFloorSeconds,
                              long scanFloorBytesRead, List<StrategyResult> strategies, int features,
                              List<Round> repeats) {

        public TableResult {
            strategies = List.copyOf(strategies);
            // results.json written before repeats existed reads it back as null
            repeats = repeats == null ? List.of() : List.copyOf(repeats);
        }

        /** A table measured once: no repeated rounds. */
        public TableResult(String dataset, String layout, String table, String testTable, long rows, long testRows,
                           long pages, long bytes, int blockPages, double scanFloorSeconds, long scanFloorBytesRead,
                           List<StrategyResult> strategies, int features) {
            this(dataset, layout, table, testTable, rows, testRows, pages, bytes, blockPages, scanFloorSeconds,
                    scanFloorBytesRead, strategies, features, List.of());
        }

        /** Every round of the table: round 1 (its own floor and strategies), then its repeats. */
        public List<Round> rounds() {
            List<Round> all = new ArrayList<>();
            all.add(new Round(1, scanFloorSeconds, strategies));
            all.addAll(repeats);
            return all;
        }

        /** Rows stored partly out of line (TOAST): the table's bytes exceed its heap pages by more than 5%. */
        public boolean toasted() {
            return bytes > pages * 8192L * 1.05;
        }
    }

    /**
     * One round of the repeated points on a table: its scan floor measured again, then the repeated strategies
     * ({@code corgipile} and {@code none}, those of them the run trains) in the run's order.
     *
     * @param round            2..N (1 is the table's own record)
     * @param scanFloorSeconds this round's {@code SELECT count(features)}
     */
    public record Round(int round, double scanFloorSeconds, List<StrategyResult> strategies) {
        public Round {
            strategies = List.copyOf(strategies);
        }
    }

    /**
     * One strategy on one table.
     *
     * @param engine                 {@code in-db} or {@code client}
     * @param trainedTable           the relation trained on (the rewritten copy for shuffle_once)
     * @param preparationSeconds     time before the first epoch (shuffle_once's rewrite; 0 otherwise)
     * @param callSeconds            wall time of the whole training call as the benchmark saw it: the epochs plus
     *                               what the engine does outside them (the in-DB engine's profile pass for
     *                               {@code standardize}, its per-epoch metric and validation passes; the reference
     *                               engine's test passes)
     * @param pageCacheBudget        cold profiles: the server's page cache was limited to this many bytes (a memory
     *                               cgroup), so every epoch of a larger table is cold; 0 when not limited (warm
     *                               profile, or no memory cgroup: then only the first epoch is cold)
     * @param peakPageCache          the largest page cache the server held during the training (0 when unlimited)
     * @param heapBlocksRead         pg_statio_user_tables.heap_blks_read delta of the trained relation
     * @param heapBlocksHit          pg_statio_user_tables.heap_blks_hit delta of the trained relation
     * @param deviceBytesRead        bytes read from the throttled device during training (0 when unthrottled)
     * @param error                  why the training failed, null when it succeeded
     * @param blockPages             the block size the engine used, in pages (the stored model's spec: derived by
     *                               the product unless {@code --block-pages} gave it); 0 when unknown
     * @param bufferSize             the tuple buffer the engine used (the spec's buffer_size: a fraction of the
     *                               table, or tuples when above 1); NaN when unknown
     * @param preparationBytesWritten bytes the preparation's backend wrote (shuffle_once's copy: the new table, its
     *                               WAL, the sort's temporary files; {@code write_bytes} of its /proc/pid/io, counted
     *                               when pages are dirtied: the device's write-back is not throttled, see
     *                               docs/bench.md); 0 without preparation, -1 when unreadable
     * @param trainingBytesWritten   bytes the training backend wrote during the call (in-DB engine; -1 in client
     *                               mode or when unreadable)
     */
    public record StrategyResult(String strategy, String label, String engine, String trainedTable,
                                 double preparationSeconds, double callSeconds, long pageCacheBudget,
                                 long peakPageCache, List<EpochResult> epochs,
                                 long heapBlocksRead, long heapBlocksHit, long deviceBytesRead,
                                 long deviceReadRequests, String error, int blockPages, double bufferSize,
                                 long preparationBytesWritten, long trainingBytesWritten) {

        /** Sum of epoch times. */
        public double trainingSeconds() {
            return epochs.stream().mapToDouble(EpochResult::seconds).sum();
        }

        /** End to end: preparation, the engine's storage probe and profile pass before epoch 1 and every epoch. */
        public double endToEndSeconds() {
            return preparationSeconds + epochs.stream().mapToDouble(EpochResult::endToEndSeconds).sum();
        }

        /**
         * Median epoch time of epochs 2..n (all epochs when only one ran): the steady state, without the first
         * epoch's one-time costs (JIT, catalog, the shuffle-once rewrite is not in any epoch here).
         */
        public double medianEpochSeconds() {
            return medianOfLaterEpochs(EpochResult::seconds);
        }

        /** The median of {@code metric} over epochs 2..n (all epochs when only one ran), NaN without epochs. */
        public double medianOfLaterEpochs(ToDoubleFunction<EpochResult> metric) {
            if (epochs.isEmpty()) {
                return Double.NaN;
            }
            return median(epochs.stream().skip(epochs.size() > 1 ? 1 : 0).mapToDouble(metric).toArray());
        }

        /** Mean epoch time. */
        public double meanEpochSeconds() {
            return epochs.isEmpty() ? Double.NaN : trainingSeconds() / epochs.size();
        }

        /** How many times the table's size was read from the device (0 when unthrottled). */
        public double devicePasses(long tableBytes) {
            return tableBytes > 0 ? (double) deviceBytesRead / tableBytes : Double.NaN;
        }

        /** Final test accuracy. */
        public double finalTestAccuracy() {
            return epochs.isEmpty() ? Double.NaN : epochs.get(epochs.size() - 1).testAccuracy();
        }
    }

    /** The median of {@code values} (the mean of the two middle ones for an even count), NaN for none. */
    public static double median(double... values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
