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
 * <p>Capacity: {@link #ROWS} rows (a standard error of about half a point on an accuracy near 70%), fewer when a
 * dense row is wide ({@link #BYTES} of features at most, at least 1,000 rows). Threads: SGD's thread offers the
 * rows; {@link #metrics} runs on the thread that trains (the reading thread), on a copy of each epoch's model, once
 * the first epoch is over and nothing is offered any more, so it never runs beside {@link #offer}.
 */
public final class TrainingSample {
    /** Rows kept at most. */
    public static final int ROWS = 10_000;
    /** Bytes of dense features kept at most (at least 1,000 rows whatever their width). */
    public static final long BYTES = 8L << 20;

    private final FeatureShape shape;
    private final int capacity;
    private final SplittableRandom rnd;
    private final double[] labels;
    private final double[][] values;
    private final int[][] indices;
    /** Rows offered so far, and the index (in the stream of offered rows) of the next one to keep. */
    private long seen;
    private long next;
    private double w;
    private TupleBuffer rows;

    public TrainingSample(FeatureShape shape, long seed) {
        this.shape = shape;
        this.capacity = shape.sparse() ? ROWS
                : (int) Math.max(1_000, Math.min(ROWS, BYTES / (8L * Math.max(1, shape.dimension()))));
        this.rnd = new SplittableRandom(Seeds.derive(seed, Seeds.ACCURACY_SAMPLE, 0));
        this.labels = new double[capacity];
        this.values = new double[capacity][];
        this.indices = shape.sparse() ? new int[capacity][] : null;
        this.w = Math.exp(Math.log(uniform()) / capacity);
        this.next = capacity + skip();
    }

    /** Rows kept at most. */
    public int capacity() {
        return capacity;
    }

    /** Rows kept so far. */
    public int size() {
        return (int) Math.min(seen, capacity);
    }

    /** Offers rows {@code [from, to)} of {@code buffer} (rows SGD trains on, in the order it trains on them). */
    public void offer(TupleBuffer buffer, int from, int to) {
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

    /** The sample's metrics for the model {@code params} of {@code model}; null without rows. */
    public Metrics metrics(Model model, double[] params) {
        if (seen == 0) {
            return null;
        }
        TupleBuffer b = kept();
        Metrics m = new Metrics(model);
        m.addRows(model, params, b);
        return m;
    }

    private void keep(int slot, TupleBuffer buffer, int row) {
        labels[slot] = buffer.label(row);
        if (shape.sparse()) {
            int s = buffer.rowStart(row);
            int n = buffer.rowEnd(row) - s;
            indices[slot] = Arrays.copyOfRange(buffer.indices(), s, s + n);
            values[slot] = Arrays.copyOfRange(buffer.values(), s, s + n);
        } else {
            int d = shape.dimension();
            if (values[slot] == null) {
                values[slot] = new double[d];
            }
            System.arraycopy(buffer.dense(), row * d, values[slot], 0, d);
        }
        rows = null;
    }

    /** The kept rows as one buffer, built again only after a row changed. */
    TupleBuffer kept() {
        if (rows == null) {
            int n = size();
            TupleBuffer b = new TupleBuffer(shape, n);
            for (int k = 0; k < n; k++) {
                if (shape.sparse()) {
                    b.addSparse(labels[k], k, indices[k], values[k], 0, indices[k].length);
                } else {
                    b.addDense(labels[k], k, values[k], 0);
                }
            }
            rows = b;
        }
        return rows;
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
