package org.corgipile.operators;

/**
 * One sequential pass over the training relation, made only when the spec needs it before training can start:
 * feature mean and standard deviation for {@code standardize}, and the label range to infer the number of classes
 * of softmax/mlp when {@code classes} is not given. Also rejects NaN/Inf early, naming the tuple.
 *
 * <p>Mean and variance use Welford's update (stable for large offsets). A constant feature gets std 1, so it
 * standardises to 0 rather than dividing by zero.
 */
final class DataProfile {
    final long tuples;
    final double[] mean;
    final double[] std;
    final double minLabel;
    final double maxLabel;
    final boolean integralLabels;

    private DataProfile(long tuples, double[] mean, double[] std, double minLabel, double maxLabel,
                        boolean integralLabels) {
        this.tuples = tuples;
        this.mean = mean;
        this.std = std;
        this.minLabel = minLabel;
        this.maxLabel = maxLabel;
        this.integralLabels = integralLabels;
    }

    static DataProfile scan(BlockSource source, int blockPages, boolean moments) {
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
        double[] std = null;
        if (moments) {
            std = new double[d];
            for (int k = 0; k < d; k++) {
                double var = n[0] > 1 ? m2[k] / (n[0] - 1) : 0;
                std[k] = var > 0 ? Math.sqrt(var) : 1;
            }
        }
        return new DataProfile(n[0], mean, std, range[0], range[1], integral[0]);
    }
}
