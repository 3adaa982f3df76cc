package org.corgipile.gpu;

import java.util.SplittableRandom;
import org.corgipile.operators.FeatureShape;
import org.corgipile.operators.TupleBuffer;

/** Seeded random batches and parameters for gradient tests. */
final class Batches {
    /** Rows before and after the slice under test, so {@code from/to} handling is exercised too. */
    static final int MARGIN = 3;

    private Batches() {
    }

    /** A dense batch of {@code MARGIN + rows + MARGIN} rows with features in [-1, 1] and labels fitting the model. */
    static TupleBuffer batch(GradientModel model, int rows, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int d = model.width();
        int total = rows + 2 * MARGIN;
        TupleBuffer b = new TupleBuffer(FeatureShape.dense(d), total);
        double[] row = new double[d];
        for (int r = 0; r < total; r++) {
            for (int j = 0; j < d; j++) {
                row[j] = rnd.nextDouble(-1, 1);
            }
            b.addDense(label(model, rnd), r, row, 0);
        }
        return b;
    }

    private static double label(GradientModel model, SplittableRandom rnd) {
        return switch (model.kind()) {
            case LINEAR -> rnd.nextDouble(-2, 2);
            case LOGISTIC -> rnd.nextInt(2);
            case SVM -> rnd.nextBoolean() ? 1 : -1;
            case SOFTMAX, MLP -> model.classes() == 1 ? rnd.nextInt(2) : rnd.nextInt(model.classes());
        };
    }

    /** Parameters scaled like a He/Glorot initialisation, so outputs stay in a range where every loss branch runs. */
    static double[] params(GradientModel model, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] p = new double[model.paramCount()];
        int[] w = model.layerWidths();
        for (int l = 0; l + 1 < w.length; l++) {
            int off = model.weightOffset(l);
            double scale = Math.sqrt(3.0 / w[l]);
            int weights = w[l] * w[l + 1];
            for (int i = 0; i < weights; i++) {
                p[off + i] = rnd.nextDouble(-scale, scale);
            }
            for (int i = 0; i < w[l + 1]; i++) {
                p[off + weights + i] = rnd.nextDouble(-0.1, 0.1);
            }
        }
        return p;
    }
}
