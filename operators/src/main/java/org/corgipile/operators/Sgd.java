package org.corgipile.operators;

import org.corgipile.operators.model.Model;
import org.corgipile.operators.model.InPlaceLinearStep;

/**
 * Physical operator 3 of CorgiPile: the trainer. Consumes shuffled tuples in mini-batches of {@code batch_size}
 * (1 = classic per-tuple SGD), and for each batch:
 * <ol>
 *   <li>mean loss and mean gradient from the {@link BatchGradient} (the model itself on the CPU, or a device
 *       kernel),</li>
 *   <li>{@code g += l2 * w} for every non-bias weight,</li>
 *   <li>{@code w -= lr * g},</li>
 *   <li>L1 as a proximal step: {@code w = sign(w) * max(|w| - lr * l1, 0)} for every non-bias weight, which keeps
 *       exact zeros (a plain L1 subgradient would only make weights oscillate around 0).</li>
 * </ol>
 * Mini-batches never span two buffers: the last batch of a buffer may be smaller. The learning rate changes only
 * per epoch ({@link #rescan}), following the spec's schedule.
 *
 * <p>Fast path: a linear model (logistic, svm, linear) computing its own gradient, without L1, takes
 * {@link InPlaceLinearStep} steps straight into the weights (L2 through a scale factor folded back after each
 * buffer): a step costs O(non-zeros) on sparse rows instead of O(dimension), and two passes over dense weights
 * instead of four. Same arithmetic, reassociated; a {@link GradientProvider} always gets the generic path.
 *
 * <p>Divergence: a NaN/Inf batch loss, or NaN/Inf/huge (&gt; 1e100) weights after a buffer, raise a
 * {@link TrainingException} (SQLSTATE 22003) suggesting a smaller learning_rate.
 *
 * <p>Runs on the compute thread only. Checks a stop flag every 256 batches so a failure on the reading thread
 * does not wait for a whole buffer.
 */
public final class Sgd {
    private static final double HUGE = 1e100;

    private final BatchGradient gradient;
    private final double l2;
    private final double l1;
    private final int batchSize;
    private final TrainSpec spec;
    private final boolean[] bias;
    /** The indices where {@code bias} is true, and room for their running means (sampleAverage). */
    private final int[] biasIndices;
    private final double[] biasMeans;
    private final InPlaceLinearStep direct;
    private double scale = 1;
    private double[] params;
    private double[] grad;
    private double lr;
    private int epoch;
    private double lossSum;
    private long tuples;
    private volatile boolean stopped;
    private int batches; // of the current consume: the stop check and progress every 256
    /** The gather of deferred-permutation buffers (consume), shared with the reading thread ({@link #helpGather}). */
    private volatile SharedGather shared;
    /** Iterate averaging (average => true): the mean of the epoch's iterates, sampled every avgEvery steps. */
    private final boolean average;
    private final int avgEvery;
    private double[] avg;
    private long avgCount;
    private int sinceAvg;
    // tuples/lossSum for other threads (TrainingProgress), one consistent pair every 256 batches and per buffer.
    private record Published(long tuples, double lossSum) {
    }

    private volatile Published published = new Published(0, 0);

    public Sgd(Model model, BatchGradient gradient, TrainSpec spec) {
        this.gradient = gradient;
        this.spec = spec;
        this.l2 = spec.l2();
        this.l1 = spec.l1();
        this.batchSize = spec.batchSize();
        int p = model.parameterCount();
        bias = new boolean[p];
        int biases = 0;
        for (int i = 0; i < p; i++) {
            bias[i] = model.isBias(i);
            biases += bias[i] ? 1 : 0;
        }
        biasIndices = new int[biases];
        biasMeans = new double[biases];
        for (int i = 0, k = 0; i < p; i++) {
            if (bias[i]) {
                biasIndices[k++] = i;
            }
        }
        direct = gradient == model && spec.l1() == 0 && model instanceof InPlaceLinearStep s ? s : null;
        average = spec.average();
        // averaging costs O(parameters) per sample: sample every step for small models, and about every
        // parameters/256 steps for large ones (a million sparse dimensions), so it adds at most ~256 operations
        // per step on average
        avgEvery = Math.max(1, p / 256);
    }

    /** Starts training the given parameter vector (updated in place). */
    public void open(double[] params) {
        this.params = params;
        this.grad = new double[params.length];
        this.avg = average ? new double[params.length] : null;
        rescan(1);
    }

    /** Starts epoch {@code epoch}: sets its learning rate and resets the running loss. */
    public void rescan(int epoch) {
        this.epoch = epoch;
        this.lr = spec.learningRate(epoch);
        this.lossSum = 0;
        this.tuples = 0;
        this.avgCount = 0;
        this.sinceAvg = 0;
        publish();
    }

    /**
     * One SGD step on rows {@code [from, min(from + batch_size, size))} of {@code buffer}.
     *
     * @return the first row of the next batch
     */
    public int nextBatch(TupleBuffer buffer, int from) {
        int to = Math.min(buffer.size(), from + batchSize);
        int n = to - from;
        if (direct != null) {
            double shrink = 1 - lr * l2;
            if (shrink > 0) {
                if (scale * shrink < 1e-30) {
                    fold();
                }
                double loss = direct.inPlaceStep(params, buffer, from, to, scale, scale * shrink, lr);
                if (!Double.isFinite(loss)) {
                    throw diverged("the loss became " + loss);
                }
                scale *= shrink;
                lossSum += loss * n;
                tuples += n;
                sampleAverage();
                return to;
            }
            fold();
        }
        double loss = gradient.lossAndGradient(params, buffer, from, to, grad);
        if (!Double.isFinite(loss)) {
            throw diverged("the loss became " + loss);
        }
        lossSum += loss * n;
        tuples += n;
        double[] w = params;
        double[] g = grad;
        if (l2 > 0) {
            for (int i = 0; i < w.length; i++) {
                if (!bias[i]) {
                    g[i] += l2 * w[i];
                }
            }
        }
        for (int i = 0; i < w.length; i++) {
            w[i] -= lr * g[i];
        }
        if (l1 > 0) {
            double t = lr * l1;
            for (int i = 0; i < w.length; i++) {
                if (!bias[i]) {
                    double v = w[i];
                    w[i] = v > t ? v - t : v < -t ? v + t : 0.0;
                }
            }
        }
        sampleAverage();
        return to;
    }

    /** Adds the current iterate (the weights times the fast path's scale) to the epoch's running mean. */
    private void sampleAverage() {
        if (avg == null || ++sinceAvg < avgEvery) {
            return;
        }
        sinceAvg = 0;
        double inv = 1.0 / ++avgCount;
        double[] w = params;
        double[] a = avg;
        double sc = scale;
        // branch-free loops the JIT vectorises (this runs after every per-tuple step); w * 1 is exactly w
        if (sc == 1) {
            for (int i = 0; i < w.length; i++) {
                a[i] += (w[i] - a[i]) * inv;
            }
            return;
        }
        // the biases are not scaled: their means are kept aside and updated with the unscaled value
        int[] bi = biasIndices;
        double[] bm = biasMeans;
        for (int k = 0; k < bi.length; k++) {
            bm[k] = a[bi[k]];
        }
        for (int i = 0; i < w.length; i++) {
            a[i] += (w[i] * sc - a[i]) * inv;
        }
        for (int k = 0; k < bi.length; k++) {
            int b = bi[k];
            a[b] = bm[k] + (w[b] - bm[k]) * inv;
        }
    }

    /**
     * The model to evaluate and keep at the end of the epoch: with averaging, the mean of the epoch's iterates
     * (Polyak–Ruppert; scikit-learn's {@code average=True}), which does not follow the label mix of the last
     * buffer; otherwise the current weights. Training itself continues from the current weights.
     */
    public double[] model() {
        return avg != null && avgCount > 0 ? avg : params;
    }

    /**
     * Trains on every tuple of {@code buffer}, in buffer order. A buffer with a deferred tuple permutation (corgipile)
     * is read in its shuffled order by gathering chunks of rows into a small buffer ({@link TupleBuffer#gatherDense}),
     * never by moving the rows of the large one; chunks are whole mini-batches, so the batches (and the model) are
     * exactly those of the settled buffer. The reading thread may copy some of the chunks ({@link #helpGather}).
     */
    public void consume(TupleBuffer buffer) {
        int size = buffer.size();
        batches = 0;
        if (!buffer.permutationPending()) {
            if (train(buffer, 0, size)) {
                return;
            }
        } else {
            int chunk = gatherRows(buffer.shape());
            if (shared == null) {
                shared = new SharedGather(buffer.shape(), chunk);
            }
            SharedGather.Job job = shared.begin(buffer, chunk);
            try {
                for (int c = 0; c < job.chunks(); c++) {
                    TupleBuffer rows = job.take(c);
                    if (train(rows, 0, rows.size())) {
                        return;
                    }
                }
            } finally {
                job.close();
            }
        }
        publish();
        fold();
        for (double v : params) {
            if (!(Math.abs(v) <= HUGE)) {
                throw diverged("a weight became " + v);
            }
        }
    }

    /** Batches over rows {@code [from, to)}; true when stopped (the scale folded back). */
    private boolean train(TupleBuffer rows, int from, int to) {
        while (from < to) {
            from = nextBatch(rows, from);
            if ((++batches & 255) == 0) {
                publish();
                if (stopped) {
                    fold();
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Gathers the next rows of the buffer being consumed, if any, ahead of the compute thread (see
     * {@link SharedGather}); the reading thread calls this while it would otherwise wait for SGD.
     *
     * @return a {@link DoubleBuffer.Helper} code
     */
    int helpGather() {
        SharedGather g = shared;
        return g == null ? DoubleBuffer.Helper.IDLE : g.help();
    }

    /** Rows per gathered chunk: whole mini-batches, about 128 kB of features (at least one batch). */
    private int gatherRows(FeatureShape shape) {
        long rowBytes = 8L * (shape.dimension() + 2);
        long batches = Math.max(1, (128 << 10) / (rowBytes * batchSize));
        return (int) Math.min(Integer.MAX_VALUE / 2, batches * batchSize);
    }

    /** Multiplies the fast path's scale back into the weights. */
    private void fold() {
        if (scale != 1) {
            for (int i = 0; i < params.length; i++) {
                if (!bias[i]) {
                    params[i] *= scale;
                }
            }
            scale = 1;
        }
    }

    private TrainingException diverged(String what) {
        return new TrainingException(TrainingException.NUMERIC_VALUE_OUT_OF_RANGE,
                "training diverged in epoch " + epoch + ": " + what + " (learning_rate " + spec.learningRate()
                        + ", rate in this epoch " + lr + ")",
                "try a smaller learning_rate, standardize => true, or a larger batch_size");
    }

    /** Mean pre-update mini-batch loss of the current epoch so far (the "running" training loss). */
    public double runningLoss() {
        return tuples == 0 ? Double.NaN : lossSum / tuples;
    }

    private void publish() {
        published = new Published(tuples, lossSum);
    }

    /** Tuples consumed in the current epoch as last published; safe to call from any thread. */
    public long publishedTuples() {
        return published.tuples();
    }

    /** {@link #runningLoss()} as last published; safe to call from any thread. */
    public double publishedRunningLoss() {
        Published p = published;
        return p.tuples() == 0 ? Double.NaN : p.lossSum() / p.tuples();
    }

    /** Tuples consumed in the current epoch. */
    public long tuples() {
        return tuples;
    }

    public double learningRate() {
        return lr;
    }

    public double[] params() {
        return params;
    }

    /** Asks a running {@link #consume} to return early (called from another thread when training is aborted). */
    public void stop() {
        stopped = true;
    }

    public void close() {
        grad = null;
    }
}
