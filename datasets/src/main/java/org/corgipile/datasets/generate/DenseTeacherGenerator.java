package org.corgipile.datasets.generate;

import java.util.SplittableRandom;

import org.corgipile.datasets.LabelType;
import org.corgipile.datasets.Record;
import org.corgipile.datasets.RecordSource;
import org.corgipile.datasets.TableShape;

/**
 * Dense binary classification data from a known linear teacher, the shape of the paper's higgs, susy and epsilon.
 *
 * <p>Features are independent Gaussians with per-feature mean and scale (so a learner has to cope with unequal
 * scales, as on the real data). The teacher {@code w ~ N(0, 1)}, with a bias that centres its margin, labels a row
 * 1 when {@code w.x + b > 0}; then each label is flipped with probability {@code flip}. Because the flips are
 * independent of {@code x}, the teacher itself is the Bayes-optimal classifier and the best achievable accuracy is
 * exactly {@code 1 - flip} in expectation -- a trainer's test accuracy can be judged against it.
 *
 * <p>Everything derives from the seed: the same seed, name and row count give the same rows.
 */
public final class DenseTeacherGenerator implements RecordSource {
    private final String name;
    private final int dims;
    private final long rows;
    private final double flip;
    private final double[] mean;
    private final double[] scale;
    private final double[] w;
    private final double bias;
    private final SplittableRandom rnd;
    private long produced;

    public DenseTeacherGenerator(String name, int dims, long rows, double flip, long seed) {
        if (dims < 1) {
            throw new IllegalArgumentException("dims must be >= 1, got " + dims);
        }
        if (!(flip >= 0 && flip < 0.5)) {
            throw new IllegalArgumentException("flip must be in [0, 0.5), got " + flip);
        }
        this.name = name;
        this.dims = dims;
        this.rows = rows;
        this.flip = flip;
        SplittableRandom teacher = new SplittableRandom(seed);
        this.mean = new double[dims];
        this.scale = new double[dims];
        this.w = new double[dims];
        double b = 0;
        for (int j = 0; j < dims; j++) {
            mean[j] = teacher.nextDouble(-1, 1);
            scale[j] = teacher.nextDouble(0.5, 2.0);
            w[j] = teacher.nextGaussian() / scale[j]; // every feature matters about equally
            b -= w[j] * mean[j];
        }
        this.bias = b;
        this.rnd = teacher.split();
    }

    @Override
    public TableShape shape() {
        return TableShape.dense(LabelType.INT, dims);
    }

    @Override
    public long expectedRows() {
        return rows;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public double bestAccuracy() {
        return 1 - flip;
    }

    @Override
    public boolean next(Record r) {
        if (produced == rows) {
            return false;
        }
        produced++;
        double[] x = r.dense(dims);
        double z = bias;
        for (int j = 0; j < dims; j++) {
            x[j] = mean[j] + scale[j] * rnd.nextGaussian();
            z += w[j] * x[j];
        }
        boolean positive = z > 0;
        if (rnd.nextDouble() < flip) {
            positive = !positive;
        }
        r.label = positive ? 1 : 0;
        return true;
    }

    /** Teacher weights (a copy), for tests and for reporting. */
    public double[] teacherWeights() {
        return w.clone();
    }

    public double teacherBias() {
        return bias;
    }
}
