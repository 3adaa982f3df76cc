package org.corgipile.operators;

import java.util.Arrays;
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
 * <p>Iterate averaging ({@code average}): the model of an epoch is the mean of its iterates, sampled after every
 * step (about every parameters/256 steps for large models). The sum of the samples is kept as {@code sum + q * v}
 * ({@code qBias} for the biases, which the fast path does not scale): the fast path's step updates {@code sum} on
 * the coordinates it touches ({@link InPlaceLinearStep}) and a sample only adds the iterate's scale to q, so
 * averaging costs no pass over the weights per step; the mean is formed when the model is read ({@link #model}).
 * The generic path adds its dense iterate to {@code sum}.
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
    private final InPlaceLinearStep direct;
    private double scale = 1;
    /**
     * The fast path folds its scale back before it falls below this: 1e-30 keeps the weights far from underflow;
     * with averaging, 1e-6, since the iterates' sum is {@code sum + q * v} where v grows as 1 / scale while the
     * sum does not, and the two terms would cancel to the sum's value with a relative error of about 1e-16 / scale.
     */
    private final double minScale;
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
    /** The sum of the epoch's sampled iterates is {@code sum + q * params} ({@code qBias} at the biases). */
    private double[] sum;
    private double q;
    private double qBias;
    /** The mean formed by {@link #model}. */
    private double[] avg;
    private long avgCount;
    private int sinceAvg;
    // tuples/lossSum for other threads (TrainingProgress), one consistent pair every 256 batches and per buffer.
    private record Published(long tuples, double lossSum) {
    }

    private volatile Published published = new Published(0, 0);
    /** The rows the default metrics measure each epoch's model on, drawn from epoch {@code sampleEpoch}'s rows. */
    private TrainingSample sample;
    private int sampleEpoch;
    private boolean sampling;

    public Sgd(Model model, BatchGradient gradient, TrainSpec spec) {
        this.gradient = gradient;
        this.spec = spec;
        this.l2 = spec.l2();
        this.l1 = spec.l1();
        this.batchSize = spec.batchSize();
        int p = model.parameterCount();
        bias = new boolean[p];
        for (int i = 0; i < p; i++) {
            bias[i] = model.isBias(i);
        }
        direct = gradient == model && spec.l1() == 0 && model instanceof InPlaceLinearStep s ? s : null;
        average = spec.average();
        // a sample costs O(parameters) on the generic path (and when the fast path folds its scale back): sample
        // every step for small models, and about every parameters/256 steps for large ones (a million sparse
        // dimensions), so it adds at most ~256 operations per step on average
        avgEvery = Math.max(1, p / 256);
        minScale = average ? 1e-6 : 1e-30;
    }

    /** Starts training the given parameter vector (updated in place). */
    public void open(double[] params) {
        this.params = params;
        this.grad = new double[params.length];
        this.sum = average ? new double[params.length] : null;
        this.avg = average ? new double[params.length] : null;
        rescan(1);
    }

    /**
     * Offers every row SGD trains on in epoch {@code epoch} to {@code sample} ({@link TrainingSample}), in the
     * order it trains on them; call before that epoch starts.
     */
    public void sample(TrainingSample sample, int epoch) {
        this.sample = sample;
        this.sampleEpoch = epoch;
        this.sampling = sample != null && this.epoch == epoch;
    }

    /** Starts epoch {@code epoch}: sets its learning rate and resets the running loss. */
    public void rescan(int epoch) {
        this.epoch = epoch;
        this.sampling = sample != null && epoch == sampleEpoch;
        this.lr = spec.learningRate(epoch);
        this.lossSum = 0;
        this.tuples = 0;
        this.avgCount = 0;
        this.sinceAvg = 0;
        if (sum != null) {
            Arrays.fill(sum, 0);
            q = 0;
            qBias = 0;
        }
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
                if (scale * shrink < minScale) {
                    fold();
                }
                double loss = direct.inPlaceStep(params, buffer, from, to, scale, scale * shrink, lr, sum, q, qBias);
                if (!Double.isFinite(loss)) {
                    throw diverged("the loss became " + Numbers.text(loss));
                }
                scale *= shrink;
                lossSum += loss * n;
                tuples += n;
                if (sum != null && ++sinceAvg >= avgEvery) {
                    // the step kept sum + q * v equal to the samples so far; this one adds scale * v (bias: v)
                    sinceAvg = 0;
                    avgCount++;
                    q += scale;
                    qBias += 1;
                }
                return to;
            }
            fold();
        }
        double loss = gradient.lossAndGradient(params, buffer, from, to, grad);
        if (!Double.isFinite(loss)) {
            throw diverged("the loss became " + Numbers.text(loss));
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

    /** The generic path's sample: adds the current (dense, unscaled) iterate to the epoch's sum. */
    private void sampleAverage() {
        if (sum == null || ++sinceAvg < avgEvery) {
            return;
        }
        sinceAvg = 0;
        avgCount++;
        settleSum();
        double[] w = params;
        double[] a = sum;
        for (int i = 0; i < w.length; i++) {
            a[i] += w[i];
        }
    }

    /** Moves {@code q * params} into {@code sum} (biases: {@code qBias}), so that the sum is {@code sum} alone. */
    private void settleSum() {
        if (q == 0 && qBias == 0) {
            return;
        }
        double[] w = params;
        double[] a = sum;
        for (int i = 0; i < w.length; i++) {
            a[i] += (bias[i] ? qBias : q) * w[i];
        }
        q = 0;
        qBias = 0;
    }

    /**
     * The model to evaluate and keep at the end of the epoch: with averaging, the mean of the epoch's iterates
     * (Polyak–Ruppert; scikit-learn's {@code average=True}), which does not follow the label mix of the last
     * buffer; otherwise the current weights. Training itself continues from the current weights.
     */
    public double[] model() {
        if (sum == null || avgCount == 0) {
            return params;
        }
        double[] w = params;
        for (int i = 0; i < w.length; i++) {
            avg[i] = (sum[i] + (bias[i] ? qBias : q) * w[i]) / avgCount;
        }
        return avg;
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
            buffer.settle(); // a deferred standardisation (none, block_only) runs here, not on the reading thread
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
                throw diverged("a weight became " + Numbers.text(v));
            }
        }
    }

    /** Batches over rows {@code [from, to)}; true when stopped (the scale folded back). */
    private boolean train(TupleBuffer rows, int from, int to) {
        if (sampling) {
            sample.offer(rows, from, to);
        }
        while (from < to) {
            if (perTuple()) {
                // the rows up to the next stop check in one call, with nextBatch's bookkeeping per run
                int end = Math.min(to, from + 256 - (batches & 255));
                int n = end - from;
                lossSum = direct.perTupleSteps(params, rows, from, end, lr, sum, q, qBias, lossSum);
                if (!Double.isFinite(lossSum)) {
                    throw diverged("the loss became " + Numbers.text(lossSum));
                }
                tuples += n;
                if (sum != null) {
                    // a sample after every step (avgEvery 1), each adding scale 1
                    avgCount += n;
                    q += n;
                    qBias += n;
                }
                batches += n - 1;
                from = end;
            } else {
                from = nextBatch(rows, from);
            }
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
     * Per-tuple SGD on the fast path at scale 1 with a sample after every step (the defaults for small linear
     * models): {@link InPlaceLinearStep#perTupleSteps} takes whole runs of rows, with {@link #nextBatch}'s updates
     * of the averaging bookkeeping (q, qBias and the sample count grow by 1 per step).
     */
    private boolean perTuple() {
        return direct != null && batchSize == 1 && l2 == 0 && scale == 1 && (sum == null || avgEvery == 1);
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

    /** Multiplies the fast path's scale back into the weights (the averaging sum stays that of the same iterates). */
    private void fold() {
        if (scale != 1) {
            if (sum != null) {
                settleSum();
            }
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
                "training diverged in epoch " + epoch + ": " + what + " (learning_rate "
                        + Numbers.text(spec.learningRate()) + ", rate in this epoch " + Numbers.text(lr) + ")",
                divergedHint());
    }

    /** What helps: standardisation only when it is off; with it on, the rate, and for linear also the label's scale. */
    private String divergedHint() {
        if (!spec.standardize()) {
            return "Try a smaller learning_rate, standardize => true, or a larger batch_size.";
        }
        if (!spec.classifier()) {
            return "Features are already standardized: try a smaller learning_rate, or scale the label down"
                    + " (for example divide it by its standard deviation) for linear regression.";
        }
        return "Features are already standardized: try a smaller learning_rate or a larger batch_size.";
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
