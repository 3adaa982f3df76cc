package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.corgipile.operators.model.Model;
import org.junit.jupiter.api.Test;

/** {@link TrainingSample}: a uniform reservoir of the rows SGD trains on, however they arrive. */
class TrainingSampleTest {
    /** Offers rows 0 .. n-1 (label = row number, one feature = row number) in chunks of random sizes. */
    private static TrainingSample offered(int n, long seed, long chunkSeed) {
        return offered(new TrainingSample(FeatureShape.dense(1), seed), n, chunkSeed, 0);
    }

    private static TrainingSample offered(TrainingSample s, int n, long chunkSeed) {
        return offered(s, n, chunkSeed, 0);
    }

    /** The same for a shard's {@code share} of the sample, rows {@code first .. first + n - 1}. */
    private static TrainingSample offered(int n, long seed, long chunkSeed, double share, int first) {
        return offered(new TrainingSample(FeatureShape.dense(1), seed, share), n, chunkSeed, first);
    }

    private static TrainingSample offered(TrainingSample s, int n, long chunkSeed, int first) {
        SplittableRandom chunks = new SplittableRandom(chunkSeed);
        int row = 0;
        while (row < n) {
            int size = Math.min(n - row, 1 + chunks.nextInt(3000));
            TupleBuffer b = new TupleBuffer(FeatureShape.dense(1), size);
            for (int i = 0; i < size; i++) {
                b.addDense(first + row + i, first + row + i, new double[] {first + row + i}, 0);
            }
            s.offer(b, 0, size);
            row += size;
        }
        return s;
    }

    private static double[] labels(TrainingSample s) {
        // the linear model w = 1, b = 0 on feature x = row: evaluateRow's prediction is the row number itself
        Model identity = Model.create("linear", 1, 0, null);
        double[] params = {1, 0};
        double[] out = new double[2];
        TupleBuffer rows = s.kept();
        double[] y = new double[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            identity.evaluateRow(params, rows, i, out);
            y[i] = rows.label(i);
            assertEquals(y[i], out[0]);
        }
        return y;
    }

    @Test
    void theSampleIsUniformOverTheWholeStreamNotItsFirstRows() {
        int n = 200_000;
        double[] y = labels(offered(n, 1, 2));
        assertEquals(TrainingSample.ROWS, y.length);
        int[] deciles = new int[10];
        for (double v : y) {
            deciles[(int) (v * 10 / n)]++;
        }
        // 1,000 expected per tenth of the stream, a standard deviation of ~30
        for (int d = 0; d < 10; d++) {
            assertTrue(deciles[d] > 850 && deciles[d] < 1150, "tenth " + d + ": " + deciles[d]);
        }
    }

    /**
     * Bug: the sample kept up to 10,000 rows although a 200,000-row table measures 2,000 of them. With the relation's
     * estimated row count it keeps what an epoch of that many rows measures, twice over (an estimate off by half
     * still measures all it should), at least {@link TrainingSample#MIN_MEASURED}; without an estimate, as before.
     * Still uniform over the whole stream; an estimate far too low measures the rows kept.
     */
    @Test
    void aTwoHundredThousandRowTableKeptTenThousandRowsToMeasureTwoThousand() {
        TrainingSample s = offered(new TrainingSample(FeatureShape.dense(1), 1, 200_000), 200_000, 2);
        assertEquals(4_000, s.capacity());
        assertEquals(2_000, s.measured(200_000));
        int[] deciles = new int[10];
        for (double v : labels(s)) {
            deciles[(int) (v * 10 / 200_000)]++;
        }
        // 400 expected per tenth of the stream, a standard deviation of ~19
        for (int d = 0; d < 10; d++) {
            assertTrue(deciles[d] > 320 && deciles[d] < 480, "tenth " + d + ": " + deciles[d]);
        }
        assertEquals(TrainingSample.MIN_MEASURED, new TrainingSample(FeatureShape.dense(1), 1, 20_000).capacity());
        assertEquals(TrainingSample.ROWS, new TrainingSample(FeatureShape.dense(1), 1, 5_000_000).capacity());
        assertEquals(TrainingSample.ROWS, new TrainingSample(FeatureShape.dense(1), 1, -1).capacity());
        // the width's budget still caps it: 2,621 rows of 200 doubles in 4 MB
        assertEquals(2_621, new TrainingSample(FeatureShape.dense(200), 1, 1_000_000, TrainingSample.BYTES)
                .capacity());
        TrainingSample low = offered(new TrainingSample(FeatureShape.dense(1), 1, 50_000), 200_000, 2);
        assertEquals(1_000, low.measured(200_000));
    }

    @Test
    void theSameSeedKeepsTheSameRowsWhateverTheChunks() {
        assertArrayEquals(labels(offered(50_000, 7, 1)), labels(offered(50_000, 7, 99)));
        double[] other = labels(offered(50_000, 8, 1));
        assertTrue(!java.util.Arrays.equals(labels(offered(50_000, 7, 1)), other));
    }

    @Test
    void aTableSmallerThanTheSampleIsKeptWhole() {
        double[] y = labels(offered(1234, 1, 2));
        assertEquals(1234, y.length);
        for (int i = 0; i < y.length; i++) {
            assertEquals(i, y[i]);
        }
        assertTrue(Double.isNaN(new TrainingSample(FeatureShape.dense(3), 1).accuracy(
                Model.create("logistic", 3, 0, null), new double[4], 0)));
    }

    @Test
    void wideRowsKeepFewerRowsAndSparseRowsAreCopied() {
        // 4 MB of features: 262 rows of 2,000 doubles, 2,621 of 200, the 10,000-row cap at 28
        long mb4 = TrainingSample.BYTES;
        assertEquals(262, new TrainingSample(FeatureShape.dense(2_000), 1, -1, mb4).capacity());
        assertEquals(2_621, new TrainingSample(FeatureShape.dense(200), 1, -1, mb4).capacity());
        assertEquals(TrainingSample.ROWS, new TrainingSample(FeatureShape.dense(28), 1, -1, mb4).capacity());
        // a 32 MB heap gives the sample 1 MB: 131 rows of 1,000 doubles; rows of 50,000 (10 in 4 MB) are not sampled
        assertEquals(131, new TrainingSample(FeatureShape.dense(1_000), 1, -1, (32L << 20) / 32).capacity());
        TrainingSample tooWide = new TrainingSample(FeatureShape.dense(50_000), 1, -1, mb4);
        assertEquals(-1, tooWide.capacity());
        TupleBuffer row = new TupleBuffer(FeatureShape.dense(50_000), 1);
        row.addDense(1, 0, new double[50_000], 0);
        tooWide.offer(row, 0, 1);
        assertEquals(0, tooWide.size());
        assertTrue(Double.isNaN(tooWide.accuracy(Model.create("logistic", 50_000, 0, null), new double[50_001], 1)));
        TrainingSample sparse = new TrainingSample(FeatureShape.sparse(100), 1);
        TupleBuffer b = new TupleBuffer(FeatureShape.sparse(100), 4);
        b.addSparse(1, 0, new int[] {3, 70}, new double[] {2.0, -1.0}, 0, 2);
        b.addSparse(0, 1, new int[] {5}, new double[] {4.0}, 0, 1);
        sparse.offer(b, 0, 2);
        // sized by the rows' non-zeros: 1.5 a row is 18 bytes, so the cap is the row count
        assertEquals(TrainingSample.ROWS, sparse.capacity());
        b.clear(); // the caller reuses its buffer: the sample holds its own copies
        TupleBuffer kept = sparse.kept();
        assertEquals(2, kept.size());
        assertEquals(70, kept.indices()[kept.rowStart(0) + 1]);
        assertEquals(4.0, kept.values()[kept.rowStart(1)]);
        // logistic with w[3] = 1: row 0 has margin 2 (predicted 1, label 1), row 1 margin 0 (predicted 0, label 0)
        double[] params = new double[101];
        params[3] = 1;
        assertEquals(1.0, sparse.accuracy(Model.create("logistic", 100, 0, null), params, 2));
    }

    /** Sparse rows of 100,000 non-zeros (12 GB in 10,000 rows): 4 MB hold 3 of them, too few: not sampled. */
    @Test
    void wideSparseRowsAreCappedByTheirNonZeros() {
        TrainingSample s = new TrainingSample(FeatureShape.sparse(1_000_000), 1, -1, TrainingSample.BYTES);
        TupleBuffer b = new TupleBuffer(FeatureShape.sparse(1_000_000), 2);
        int[] idx = new int[100_000];
        double[] val = new double[100_000];
        for (int k = 0; k < idx.length; k++) {
            idx[k] = 10 * k;
        }
        b.addSparse(1, 0, idx, val, 0, idx.length);
        b.addSparse(0, 1, idx, val, 0, idx.length);
        s.offer(b, 0, 2);
        assertEquals(-1, s.capacity());
        assertEquals(0, s.size());
    }

    /** The sample counts predictions with {@link Model#predictRow}: the prediction {@code evaluateRow} gives. */
    @Test
    void predictRowIsEvaluateRowsPrediction() {
        SplittableRandom r = new SplittableRandom(3);
        TupleBuffer rows = new TupleBuffer(FeatureShape.dense(5), 50);
        for (int i = 0; i < 50; i++) {
            rows.addDense(r.nextInt(3), i, r.doubles(5, -2, 2).toArray(), 0);
        }
        for (Model m : new Model[] {Model.create("logistic", 5, 0, null), Model.create("svm", 5, 0, null),
                Model.create("linear", 5, 0, null), Model.create("softmax", 5, 3, null),
                Model.create("mlp", 5, 3, new int[] {4})}) {
            double[] params = r.doubles(m.parameterCount(), -1, 1).toArray();
            double[] out = new double[2];
            for (int i = 0; i < rows.size(); i++) {
                m.evaluateRow(params, rows, i, out);
                assertEquals(out[0], m.predictRow(params, rows, i), m.type() + " row " + i);
            }
        }
    }

    /**
     * An epoch is measured on one row in 100 of the sample (at least 1,000): the reading thread measures every
     * epoch, and where it bounds the epoch (storage order) 10,000 rows' predictions cost 3-6 ms of a 0.03 s epoch of
     * 200,000 rows. The rows measured are a random subset of the kept ones, so the measurement stays uniform: the
     * reservoir's first slots hold the stream's first rows (one class of a clustered table) more often than others.
     */
    @Test
    void anEpochIsMeasuredOnOneRowInAHundredTakenAtRandomFromTheSample() {
        TrainingSample s = offered(200_000, 1, 2);
        assertEquals(2_000, s.measured(200_000));
        assertEquals(TrainingSample.MIN_MEASURED, s.measured(20_000));
        assertEquals(TrainingSample.ROWS, s.measured(5_000_000));
        // rows 2,000 .. 9,999 of the stream (4% of it) have feature 1, the others 0, every label is 1; logistic
        // regression with w = 1, b = -0.5 predicts 1 for exactly those rows, so its "accuracy" is the share of them
        // among the rows measured: ~4% when the 2,000 rows measured are a random subset of the sample; 0 had they
        // been the reservoir's first 2,000 slots, which hold only rows 0 .. 1,999 of the stream's first 10,000
        TrainingSample marked = new TrainingSample(FeatureShape.dense(1), 1);
        TupleBuffer b = new TupleBuffer(FeatureShape.dense(1), 1000);
        for (int row = 0; row < 200_000; row += 1000) {
            b.clear();
            for (int i = row; i < row + 1000; i++) {
                b.addDense(1, i, new double[] {i >= 2_000 && i < 10_000 ? 1 : 0}, 0);
            }
            marked.offer(b, 0, 1000);
        }
        double share = marked.accuracy(Model.create("logistic", 1, 0, null), new double[] {1, -0.5}, 200_000);
        assertEquals(0.04, share, 0.02);
    }

    /**
     * Bug: a sharded table's training accuracy under the default metrics was NULL. Each shard keeps its share of
     * the sample; the coordinator takes rows from each in proportion to the rows it trained on, so that every row of
     * the table had the same chance: never more than a shard kept, exactly the target when they kept enough, and
     * within one row of the exact proportion (largest remainders).
     */
    @Test
    void aShardedTablesPoolTakesEveryShardInProportionToItsRows() {
        // the estimates were right: the pool is the target, in proportion
        assertArrayEquals(new int[] {1_500, 500}, TrainingSample.apportion(new long[] {150_000, 50_000},
                new int[] {7_500, 2_500}, 2_000));
        // an estimate was short (a shard kept 5,000 of the 9,000 its rows ask for): the largest pool in proportion
        assertArrayEquals(new int[] {5_000, 555}, TrainingSample.apportion(new long[] {900_000, 100_000},
                new int[] {5_000, 5_000}, 10_000));
        // rounding: one row to the largest remainders, the pool adds up to the target
        int[] take = TrainingSample.apportion(new long[] {1, 1, 1}, new int[] {500, 500, 500}, 1_000);
        assertArrayEquals(new int[] {334, 333, 333}, take);
        // a shard without rows takes nothing; one that trained on rows but kept none leaves no pool (not uniform)
        assertArrayEquals(new int[] {0, 1_000}, TrainingSample.apportion(new long[] {0, 40_000},
                new int[] {0, 3_000}, 1_000));
        assertArrayEquals(new int[] {0, 0}, TrainingSample.apportion(new long[] {10_000, 40_000},
                new int[] {0, 3_000}, 1_000));
        SplittableRandom rnd = new SplittableRandom(3);
        for (int trial = 0; trial < 1_000; trial++) {
            int k = 1 + rnd.nextInt(5);
            long[] tuples = new long[k];
            int[] kept = new int[k];
            long total = 0;
            for (int s = 0; s < k; s++) {
                tuples[s] = rnd.nextInt(3) == 0 ? 0 : 1 + rnd.nextInt(1_000_000);
                kept[s] = tuples[s] == 0 ? 0 : (int) Math.min(tuples[s], 1 + rnd.nextInt(10_000));
                total += tuples[s];
            }
            int target = TrainingSample.toMeasure(total);
            take = TrainingSample.apportion(tuples, kept, target);
            long pool = java.util.Arrays.stream(take).sum();
            assertTrue(pool <= target, "at most the target");
            for (int s = 0; s < k; s++) {
                assertTrue(take[s] <= kept[s], "at most what shard " + s + " kept");
                if (total > 0) {
                    assertEquals((double) pool * tuples[s] / total, take[s], 1.0, "in proportion, shard " + s);
                }
            }
        }
    }

    /**
     * The shards' parts, each drawn with a share from wrong estimates and pooled as the coordinator pools them (the
     * first rows of each part's random order), are a uniform sample of the whole table: here three shards of 60%,
     * 30% and 10% of the rows whose estimates said equal shares, so the pool comes out as 60/30/10, each shard's
     * rows evenly from its whole stream.
     */
    @Test
    void theShardsPartsPoolIntoAUniformSampleOfTheTable() {
        int[] rows = {120_000, 60_000, 20_000};
        long[] tuples = new long[3];
        int[] kept = new int[3];
        TupleBuffer[] parts = new TupleBuffer[3];
        int first = 0;
        for (int s = 0; s < 3; s++) {
            TrainingSample part = offered(rows[s], 10 + s, s, 1.0 / 3, first);
            assertEquals(3_334, part.capacity(), "a third of the capacity");
            parts[s] = part.shuffledRows();
            tuples[s] = rows[s];
            kept[s] = parts[s].size();
            first += rows[s];
        }
        int total = first;
        int[] take = TrainingSample.apportion(tuples, kept, TrainingSample.ROWS);
        // 3,334 rows of 60% of the table: a pool of 5,556
        assertArrayEquals(new int[] {3_334, 1_667, 555}, take);
        int[] tenths = new int[10];
        for (int s = 0; s < 3; s++) {
            for (int i = 0; i < take[s]; i++) {
                tenths[(int) (parts[s].label(i) * 10 / total)]++;
            }
        }
        // 556 expected per tenth of the table (a standard deviation of ~22), whichever shard holds it
        for (int d = 0; d < 10; d++) {
            assertTrue(tenths[d] > 470 && tenths[d] < 640, "tenth " + d + ": " + tenths[d]);
        }
    }

    /** A part's first rows are a uniform sample of its shard: the order is random, not the reservoir's slots. */
    @Test
    void aPartsFirstRowsAreAUniformSampleOfItsShard() {
        int n = 200_000;
        TupleBuffer rows = offered(n, 4, 5).shuffledRows();
        assertEquals(TrainingSample.ROWS, rows.size());
        // the reservoir's first slots hold the stream's first rows more often: the first 1,000 of a random order
        // do not
        int[] tenths = new int[10];
        for (int i = 0; i < 1_000; i++) {
            tenths[(int) (rows.label(i) * 10 / n)]++;
        }
        for (int d = 0; d < 10; d++) {
            assertTrue(tenths[d] > 55 && tenths[d] < 145, "tenth " + d + ": " + tenths[d]);
        }
        // the pool measures every row it was given
        TrainingSample pool = TrainingSample.of(rows, 1);
        assertEquals(TrainingSample.ROWS, pool.size());
        assertEquals(TrainingSample.ROWS, pool.measured(5_000_000));
        assertEquals(TrainingSample.MIN_MEASURED, pool.measured(20_000));
    }
}
