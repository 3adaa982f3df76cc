package org.corgipile.operators;

/**
 * One sequential pass over the training relation, made only when the spec needs it before training can start:
 * feature mean and standard deviation for {@code standardize}, and the label range to infer the number of classes
 * of softmax/mlp when {@code classes} is not given. Also rejects NaN/Inf early, naming the tuple.
 *
 * <p>Mean and variance use Welford's update (stable for large offsets); profiles of disjoint parts of a table (the
 * servers of a sharded table) combine with Chan et al.'s pairwise update ({@link #merge}), so the combined mean and
 * deviation are those of one pass over all rows (up to rounding). A constant feature gets std 1, so it
 * standardises to 0 rather than dividing by zero.
 */
public final class DataProfile {
    private final long tuples;
    private final double[] mean;
    private final double[] m2;
    private final double minLabel;
    private final double maxLabel;
    private final boolean integralLabels;

    private DataProfile(long tuples, double[] mean, double[] m2, double minLabel, double maxLabel,
                        boolean integralLabels) {
        this.tuples = tuples;
        this.mean = mean;
        this.m2 = m2;
        this.minLabel = minLabel;
        this.maxLabel = maxLabel;
        this.integralLabels = integralLabels;
    }

    /**
     * A profile from its parts (as {@link #tuples}, {@link #mean}, {@link #m2}, ... returned them, e.g. sent over
     * the network by a server); {@code mean} and {@code m2} are null without moments.
     */
    public static DataProfile of(long tuples, double[] mean, double[] m2, double minLabel, double maxLabel,
                                 boolean integralLabels) {
        if ((mean == null) != (m2 == null) || mean != null && mean.length != m2.length) {
            throw new IllegalArgumentException("mean and m2 must both be null or have the same length");
        }
        return new DataProfile(tuples, mean == null ? null : mean.clone(), m2 == null ? null : m2.clone(),
                minLabel, maxLabel, integralLabels);
    }

    /** One storage-order pass over {@code source}; {@code moments}: also the features' mean and variance. */
    public static DataProfile scan(BlockSource source, int blockPages, boolean moments) {
        FeatureShape shape = source.shape();
        int d = shape.dimension();
        double[] mean = moments ? new double[d] : null;
        double[] m2 = moments ? new double[d] : null;
        long[] n = {0};
        double[] range = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        boolean[] integral = {true};
        BlockShuffle.BlockHook hook = (b, from, to) -> {
            for (int i = from; i < to; i++) {
                double y = b.label(i);
                if (!Double.isFinite(y)) {
                    throw InputGuard.nonFinite("the label", y, b.id(i));
                }
                range[0] = Math.min(range[0], y);
                range[1] = Math.max(range[1], y);
                integral[0] &= y == Math.rint(y);
                long count = ++n[0];
                if (moments) {
                    double[] x = b.dense();
                    int base = i * d;
                    for (int k = 0; k < d; k++) {
                        double v = x[base + k];
                        if (!Double.isFinite(v)) {
                            throw InputGuard.nonFinite("feature " + k, v, b.id(i));
                        }
                        double delta = v - mean[k];
                        mean[k] += delta / count;
                        m2[k] += delta * (v - mean[k]);
                    }
                }
            }
        };
        BlockShuffle blocks = new BlockShuffle(BlockShuffle.Order.STORAGE, blockPages, 0, hook);
        blocks.open(source);
        TupleBuffer buf = new TupleBuffer(shape, 1024);
        while (true) {
            buf.clear();
            if (blocks.nextBlock(buf) < 0) {
                break;
            }
        }
        blocks.close();
        return new DataProfile(n[0], mean, m2, range[0], range[1], integral[0]);
    }

    /**
     * The profile of the union of two disjoint sets of rows (Chan, Golub and LeVeque's pairwise update of mean and
     * sum of squared deviations). Both must have moments or neither.
     */
    public DataProfile merge(DataProfile o) {
        if ((mean == null) != (o.mean == null) || mean != null && mean.length != o.mean.length) {
            throw new IllegalArgumentException("profiles of different features: "
                    + (mean == null ? "no" : mean.length) + " and " + (o.mean == null ? "no" : o.mean.length)
                    + " moments");
        }
        long n = tuples + o.tuples;
        double[] mu = null;
        double[] s2 = null;
        if (mean != null) {
            mu = new double[mean.length];
            s2 = new double[mean.length];
            for (int k = 0; k < mu.length; k++) {
                if (o.tuples == 0 || tuples == 0) {
                    mu[k] = tuples == 0 ? o.mean[k] : mean[k];
                    s2[k] = tuples == 0 ? o.m2[k] : m2[k];
                    continue;
                }
                double delta = o.mean[k] - mean[k];
                mu[k] = mean[k] + delta * o.tuples / n;
                s2[k] = m2[k] + o.m2[k] + delta * delta * ((double) tuples * o.tuples / n);
            }
        }
        return new DataProfile(n, mu, s2, Math.min(minLabel, o.minLabel), Math.max(maxLabel, o.maxLabel),
                integralLabels && o.integralLabels);
    }

    /** Rows seen (non-NULL label and features). */
    public long tuples() {
        return tuples;
    }

    /** Feature means, null without moments. */
    public double[] mean() {
        return mean == null ? null : mean.clone();
    }

    /** Per feature, the sum of squared deviations from the mean; null without moments. */
    public double[] m2() {
        return m2 == null ? null : m2.clone();
    }

    /** Sample standard deviations (1 for a constant feature), null without moments. */
    public double[] std() {
        if (m2 == null) {
            return null;
        }
        double[] std = new double[m2.length];
        for (int k = 0; k < std.length; k++) {
            double var = tuples > 1 ? m2[k] / (tuples - 1) : 0;
            std[k] = var > 0 ? Math.sqrt(var) : 1;
        }
        return std;
    }

    public double minLabel() {
        return minLabel;
    }

    public double maxLabel() {
        return maxLabel;
    }

    public boolean integralLabels() {
        return integralLabels;
    }

    /**
     * The number of classes of {@code model} (softmax, mlp) the labels imply: largest label + 1, at least 2; mlp
     * also takes -1/+1 labels as 2 classes.
     *
     * @throws TrainingException (22000) for no rows, labels that are not class indices or too many classes
     */
    public int classes(String model) {
        if (tuples == 0) {
            throw new TrainingException(TrainingException.DATA_EXCEPTION, "the training relation is empty", null);
        }
        if (model.equals("mlp") && minLabel == -1 && maxLabel == 1) {
            return 2;
        }
        if (!integralLabels || minLabel < 0) {
            throw new TrainingException(TrainingException.DATA_EXCEPTION, "labels of model " + model
                    + " must be class indices 0 .. K-1, found labels between " + minLabel + " and "
                    + maxLabel + (integralLabels ? "" : " that are not all integers"),
                    "map the labels to 0 .. K-1");
        }
        long k = (long) maxLabel + 1;
        if (k > TrainSpec.MAX_CLASSES) {
            throw new TrainingException(TrainingException.DATA_EXCEPTION, "largest label " + maxLabel
                    + " implies more than " + TrainSpec.MAX_CLASSES + " classes", null);
        }
        return (int) Math.max(2, k);
    }
}
