package org.corgipile.bench.convergence;

import java.util.SplittableRandom;

import org.corgipile.datasets.LabelType;
import org.corgipile.datasets.Record;
import org.corgipile.datasets.RecordSource;
import org.corgipile.datasets.TableShape;

/**
 * A data set no generator of the datasets module makes: two classes, each a mixture of three Gaussian clusters with
 * its own random covariance (x = mu + A z, A a random matrix per cluster), in 12 dimensions whose scales differ by
 * up to 1,000x. The Bayes boundary is quadratic, so a linear model cannot reach 100% and the best linear model is
 * not the teacher of any generator here; the scales test the defaults' standardisation.
 */
final class GaussianMixtureSource implements RecordSource {
    static final String NAME = "gaussian-mixture";
    private static final int DIMS = 12;
    private static final int CLUSTERS = 3;

    private final long rows;
    private final SplittableRandom rnd;
    private final double[][][] mean = new double[2][CLUSTERS][DIMS];
    private final double[][][][] mix = new double[2][CLUSTERS][DIMS][DIMS];
    private final double[] scale = new double[DIMS];
    private long emitted;

    GaussianMixtureSource(long rows, long seed) {
        this.rows = rows;
        SplittableRandom setup = new SplittableRandom(seed ^ 0x6A09E667F3BCC909L);
        for (int k = 0; k < DIMS; k++) {
            scale[k] = Math.pow(10, setup.nextDouble(-1, 2));
        }
        for (int c = 0; c < 2; c++) {
            for (int m = 0; m < CLUSTERS; m++) {
                for (int k = 0; k < DIMS; k++) {
                    mean[c][m][k] = (c == 0 ? -0.12 : 0.12) + setup.nextGaussian() * 0.3;
                    for (int j = 0; j < DIMS; j++) {
                        mix[c][m][k][j] = setup.nextGaussian() * (c == 0 ? 0.35 : 0.6) / Math.sqrt(DIMS)
                                + (k == j ? (c == 0 ? 0.5 : 1.0) : 0);
                    }
                }
            }
        }
        this.rnd = new SplittableRandom(seed);
    }

    @Override
    public TableShape shape() {
        return TableShape.dense(LabelType.INT, DIMS);
    }

    @Override
    public long expectedRows() {
        return rows;
    }

    @Override
    public boolean next(Record r) {
        if (emitted >= rows) {
            return false;
        }
        emitted++;
        int c = rnd.nextInt(2);
        int m = rnd.nextInt(CLUSTERS);
        double[] z = new double[DIMS];
        for (int j = 0; j < DIMS; j++) {
            z[j] = rnd.nextGaussian();
        }
        double[] x = r.dense(DIMS);
        for (int k = 0; k < DIMS; k++) {
            double v = mean[c][m][k];
            for (int j = 0; j < DIMS; j++) {
                v += mix[c][m][k][j] * z[j];
            }
            x[k] = v * scale[k];
        }
        r.label = c;
        return true;
    }

    @Override
    public String name() {
        return NAME;
    }
}
