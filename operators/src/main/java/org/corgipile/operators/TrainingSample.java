package org.corgipile.operators;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.corgipile.operators.model.Model;

/**
 * A uniform random sample of the training rows, drawn while SGD consumes the first epoch of a call, on which the
 * default metrics ({@code train_metrics => 'running'}) measure each epoch's model: the {@code accuracy} of every
 * epoch without a second read of the table. The rows are those SGD trains on (standardised, in the strategy's
 * order); the sample is uniform over the epoch's rows whatever that order is, since it is a reservoir (Li's
 * "Algorithm L": after the first {@code capacity} rows, the next row to keep is drawn by a geometric skip, so a row
 * costs nothing until it is kept, and about {@code capacity * ln(rows / capacity)} rows are copied in all). It does
 * not change training: it only reads the rows, and its random stream ({@link Seeds#ACCURACY_SAMPLE}) is its own.
 *
 * <p>Capacity: {@link #ROWS} rows, fewer when the relation's row count is estimated (the training's profile pass):
 * {@link #HEADROOM} times what an epoch of that many rows measures, at least {@link #MIN_MEASURED} (4,000 rows of a
 * 200,000-row table); fewer when rows are wide: {@link #BYTES} of features at most, and at most a 32nd
 * of the JVM's heap (dense rows by their width; sparse rows by the mean non-zeros of the first rows offered). Rows so
 * wide that the budget holds fewer than {@link #MIN_ROWS} of them (more than 5,000 doubles a row with the default
 * heap) are not sampled: the accuracy is then not measured ({@code train_metrics => 'pass'} measures it). Each epoch
 * is measured on one in {@link #EPOCH_SHARE} of its rows, at least {@link #MIN_MEASURED} ({@link #measured}): 10,000
 * rows from a million-row table on (a standard error of about half a point on an accuracy near 70%), 2,000 of a
 * 200,000-row table (one point).
 *
 * <p>Threads: SGD's thread offers the rows; {@link #accuracy} runs on the thread that trains (the reading thread), on
 * a copy of each epoch's model, once the first epoch is over and nothing is offered any more, so it never runs
 * beside {@link #offer}.
 *
 * <p>A table sharded over servers: each server's round of the first epoch keeps a {@code share} of the capacity (its
 * share of the table's rows, as the coordinator estimates them) from the rows it trains on and sends them in a random
 * order ({@link #shuffledRows}); the coordinator takes from every server a number of rows in proportion to the rows
 * it trained on ({@link #apportion}), so that each row of the table had the same chance to be taken, and measures
 * each epoch's averaged model on that pool ({@link #of}).
 */
public final class TrainingSample {
    /** Rows kept at most. */
    public static final int ROWS = 10_000;
    /** Rows a sample needs at least: fewer would not estimate an accuracy (a standard error of 5 points). */
    public static final int MIN_ROWS = 100;
    /** Rows {@link #accuracy} measures at least, when kept. */
    public static final int MIN_MEASURED = 1_000;
    /** An epoch is measured on one in this many of its rows ({@link #measured}). */
    public static final int EPOCH_SHARE = 100;
    /** Bytes of features kept at most. */
    public static final long BYTES = 4L << 20;
    /** Rows kept per row an epoch of the estimated size measures: room for an estimate off by half. */
    static final int HEADROOM = 2;

    private final FeatureShape shape;
    private final long budget;
    /** Rows kept at most, before the budget's cap: {@link #ROWS}, fewer when the row count is estimated. */
    private final int rows;
    /** The part of the capacity this sample keeps: 1, or a server's share of a sharded table. */
    private final double share;
    private final SplittableRandom rnd;
    /** Rows kept (set by the first offer for sparse rows, whose width it measures); -1: rows too wide to sample. */
    private int capacity;
    /** Dense rows: the kept rows themselves. */
    private TupleBuffer dense;
    /** Sparse rows: each kept row's label, indices and values, and the buffer built of them for metrics. */
    private double[] labels;
    private int[][] indices;
    private double[][] values;
    private TupleBuffer built;
    /** The order in which {@link #accuracy} takes the kept rows, drawn at its first call. */
    private int[] order;
    /** Rows offered so far, and the index (in the stream of offered rows) of the next one to keep. */
    private long seen;
    private long next;
    private double w;

    /** A sample of a relation of unknown size: up to {@link #ROWS} rows. */
    public TrainingSample(FeatureShape shape, long seed) {
        this(shape, seed, -1);
    }

    /**
     * A sample of a relation of about {@code estimatedTuples} rows (negative: unknown): it keeps {@link #HEADROOM}
     * times what an epoch of that many rows measures ({@link #measured}), 1,000 to {@link #ROWS} rows.
     */
    public TrainingSample(FeatureShape shape, long seed, long estimatedTuples) {
        this(shape, seed, estimatedTuples, Math.min(BYTES, Runtime.getRuntime().maxMemory() / 32));
    }

    /** As above, with at most {@code budget} bytes of features. */
    TrainingSample(FeatureShape shape, long seed, long estimatedTuples, long budget) {
        this(shape, seed, budget, estimatedTuples < 0 ? ROWS : (int) Math.min(ROWS,
                Math.max(MIN_MEASURED, HEADROOM * (estimatedTuples / EPOCH_SHARE))), 1, true);
    }

    /**
     * A server's part of a sharded table's sample: {@code share} (in (0, 1]) of {@link #ROWS}, so that the servers'
     * parts add up to one sample's rows and bytes.
     */
    public TrainingSample(FeatureShape shape, long seed, double share) {
        this(shape, seed, Math.min(BYTES, Runtime.getRuntime().maxMemory() / 32), ROWS, share, true);
    }

    /** @param reservoir false: rows are given ({@link #of}), not offered */
    private TrainingSample(FeatureShape shape, long seed, long budget, int rows, double share, boolean reservoir) {
        if (!(share > 0 && share <= 1)) {
            throw new IllegalArgumentException("share must be in (0, 1], got " + share);
        }
        this.shape = shape;
        this.budget = budget;
        this.rows = rows;
        this.share = share;
        this.rnd = new SplittableRandom(Seeds.derive(seed, Seeds.ACCURACY_SAMPLE, 0));
        if (reservoir && !shape.sparse()) {
            start(shape.dimension());
        }
    }

    /**
     * A sample made of {@code rows} (a sharded table's pool, {@link #apportion}): nothing is offered to it, it only
     * measures.
     */
    public static TrainingSample of(TupleBuffer rows, long seed) {
        TrainingSample s = new TrainingSample(rows.shape(), seed, 0, ROWS, 1, false);
        // kept whole: no offer reaches keep (the stream is over)
        s.capacity = Math.max(1, rows.size());
        s.seen = rows.size();
        s.next = Long.MAX_VALUE;
        s.built = rows;
        return s;
    }

    /**
     * Sizes the reservoir for rows of about {@code width} values and draws the first skip. Rows too wide for
     * {@link #MIN_ROWS} of them in the whole budget are not sampled, whatever the share (a server's part may be
     * smaller: the pooled sample is what is measured).
     */
    private void start(double width) {
        long full = (long) Math.min(rows, budget / (8 * Math.max(1, width)));
        if (full < MIN_ROWS) {
            capacity = -1;
            return;
        }
        capacity = (int) Math.max(1, Math.ceil(full * share));
        if (shape.sparse()) {
            labels = new double[capacity];
            indices = new int[capacity][];
            values = new double[capacity][];
        } else {
            dense = new TupleBuffer(shape, Math.min(capacity, 1024));
        }
        w = Math.exp(Math.log(uniform()) / capacity);
        next = capacity + skip();
    }

    /** Rows kept at most; 0 before a sparse sample saw a row, -1 for rows too wide to sample. */
    public int capacity() {
        return capacity;
    }

    /** Rows kept so far. */
    public int size() {
        return (int) Math.min(seen, Math.max(0, capacity));
    }

    /** Offers rows {@code [from, to)} of {@code buffer} (rows SGD trains on, in the order it trains on them). */
    public void offer(TupleBuffer buffer, int from, int to) {
        if (capacity == 0 && from < to) {
            // sparse: 12 bytes a non-zero (index and value), measured on these rows
            start(1.5 * (buffer.rowEnd(to - 1) - buffer.rowStart(from)) / (to - from));
        }
        if (capacity < 0 || from >= to) {
            return;
        }
        long start = seen; // the stream position of row `from`
        long end = start + (to - from);
        for (long p = start; p < Math.min(end, capacity); p++) {
            keep((int) p, buffer, from + (int) (p - start));
        }
        while (next < end) {
            keep(rnd.nextInt(capacity), buffer, from + (int) (next - start));
            w *= Math.exp(Math.log(uniform()) / capacity);
            next += 1 + skip();
        }
        seen = end;
    }

    /**
     * Rows {@link #accuracy} measures for an epoch of {@code tuples} rows: one in {@link #EPOCH_SHARE} of them, at
     * least {@link #MIN_MEASURED} (at most the rows kept). An epoch's measurement then costs about 1% of its rows'
     * predictions, which matters where the reading thread is what bounds the epoch (storage order's small chunks).
     */
    public int measured(long tuples) {
        return Math.min(size(), toMeasure(tuples));
    }

    /**
     * Rows an epoch of {@code tuples} rows is measured on when the sample holds them: one in {@link #EPOCH_SHARE},
     * {@link #MIN_MEASURED} to {@link #ROWS} (the pool a sharded table's coordinator keeps).
     */
    public static int toMeasure(long tuples) {
        return (int) Math.min(ROWS, Math.max(MIN_MEASURED, tuples / EPOCH_SHARE));
    }

    /**
     * The accuracy of the model {@code params} of {@code model} on {@link #measured} rows of the sample
     * ({@link Metrics#correct}); NaN without rows. Predictions only (no loss, no score): this runs every epoch. The
     * rows are a random subset of the kept ones (the slots in an order drawn once, after the last offer: the
     * reservoir's first slots hold the stream's first rows more often than others), so also a uniform sample.
     */
    public double accuracy(Model model, double[] params, long tuples) {
        int n = measured(tuples);
        if (n == 0) {
            return Double.NaN;
        }
        if (order == null || order.length != size()) {
            order = FisherYates.permutation(size(), rnd);
        }
        TupleBuffer b = kept();
        Model.Kind kind = model.kind();
        long correct = 0;
        for (int i = 0; i < n; i++) {
            int row = order[i];
            if (Metrics.correct(kind, b.label(row), model.predictRow(params, b, row))) {
                correct++;
            }
        }
        return (double) correct / n;
    }

    /**
     * The kept rows in a random order (a fresh permutation of this sample's stream), so that any first {@code m} of
     * them are a uniform sample too: what a server of a sharded table sends the coordinator. Call after the last
     * offer.
     */
    public TupleBuffer shuffledRows() {
        int n = size();
        TupleBuffer kept = kept();
        int[] perm = FisherYates.permutation(n, rnd);
        TupleBuffer out = new TupleBuffer(shape, Math.max(1, n));
        for (int k = 0; k < n; k++) {
            out.addFrom(kept, perm[k]);
        }
        return out;
    }

    /**
     * How many rows to take from each server's part of a sharded table's sample ({@link #shuffledRows}) so that the
     * pool is uniform over the table: in proportion to the rows each server trained on, {@code tuples[s]}, at most
     * the rows it kept, {@code kept[s]}, and {@code target} rows in all when every server kept enough (else fewer:
     * the largest pool in proportion that the parts hold). Each row of the table then had the same chance,
     * {@code pool / rows}, up to the rounding of one row per server (largest remainders, Hamilton's method). A
     * server that trained on rows but kept none (rows too wide, or a server of an older version) leaves no pool: all
     * zeros.
     */
    public static int[] apportion(long[] tuples, int[] kept, int target) {
        int k = tuples.length;
        if (kept.length != k) {
            throw new IllegalArgumentException(k + " servers' rows but " + kept.length + " servers' samples");
        }
        long total = 0;
        for (long t : tuples) {
            total += t;
        }
        int[] take = new int[k];
        if (total == 0 || target <= 0) {
            return take;
        }
        // the largest pool each server's part allows: kept[s] / (tuples[s] / total); exact in longs (a pool of at
        // most ROWS rows times a table of up to 10^14 rows)
        long pool = target;
        for (int s = 0; s < k; s++) {
            if (tuples[s] > 0) {
                pool = Math.min(pool, kept[s] * total / tuples[s]);
            }
        }
        if (pool <= 0) {
            return take;
        }
        long[] remainder = new long[k];
        long given = 0;
        for (int s = 0; s < k; s++) {
            take[s] = (int) Math.min(kept[s], pool * tuples[s] / total);
            remainder[s] = pool * tuples[s] - take[s] * total;
            given += take[s];
        }
        // the rows left by rounding down, one each to the largest remainders with a row to spare (ties: the first)
        while (given < pool) {
            int best = -1;
            for (int s = 0; s < k; s++) {
                if (take[s] < kept[s] && tuples[s] > 0 && (best < 0 || remainder[s] > remainder[best])) {
                    best = s;
                }
            }
            if (best < 0) {
                break;
            }
            take[best]++;
            remainder[best] -= total;
            given++;
        }
        return take;
    }

    private void keep(int slot, TupleBuffer buffer, int row) {
        if (!shape.sparse()) {
            if (slot == dense.size()) {
                dense.addFrom(buffer, row);
            } else {
                dense.setDenseFrom(slot, buffer, row);
            }
            return;
        }
        labels[slot] = buffer.label(row);
        int s = buffer.rowStart(row);
        int e = buffer.rowEnd(row);
        indices[slot] = Arrays.copyOfRange(buffer.indices(), s, e);
        values[slot] = Arrays.copyOfRange(buffer.values(), s, e);
        built = null;
    }

    /** The kept rows as one buffer (sparse rows: built again only after a row changed). */
    TupleBuffer kept() {
        if (dense != null) {
            return dense;
        }
        if (built == null) {
            int n = size();
            TupleBuffer b = new TupleBuffer(shape, Math.max(1, n));
            for (int k = 0; k < n; k++) {
                b.addSparse(labels[k], k, indices[k], values[k], 0, indices[k].length);
            }
            built = b;
        }
        return built;
    }

    /** Rows to pass over before the next one kept: geometric with success probability 1 - w. */
    private long skip() {
        double s = Math.floor(Math.log(uniform()) / Math.log(1 - w));
        return s >= Long.MAX_VALUE / 4 ? Long.MAX_VALUE / 4 : (long) s;
    }

    /** Uniform in (0, 1]. */
    private double uniform() {
        return 1 - rnd.nextDouble();
    }
}
