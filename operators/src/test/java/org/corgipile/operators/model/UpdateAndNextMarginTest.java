package org.corgipile.operators.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.corgipile.operators.FeatureShape;
import org.corgipile.operators.TupleBuffer;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: per-tuple steps on dense rows with averaging update the weights and form the next row's dot product in
 * one pass ({@link RowAlgebra#axpy2AndDot}); the weights, the averaging sum and the dot product must be bit for bit
 * those of {@link RowAlgebra#axpy2} followed by {@link RowAlgebra#dot}, at every width around the four accumulators
 * and their tail, for a zero coefficient and for weights that are negative zeros.
 */
class UpdateAndNextMarginTest {
    @Test
    void onePassIsTheUpdateThenTheDotBitForBit() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int d = 1; d <= 40; d++) {
            TupleBuffer rows = new TupleBuffer(FeatureShape.dense(d), 2);
            double[] x = new double[d];
            for (int i = 0; i < 2; i++) {
                for (int k = 0; k < d; k++) {
                    x[k] = rnd.nextGaussian() * Math.pow(10, rnd.nextInt(-8, 9));
                }
                rows.addDense(i, i, x, 0);
            }
            for (double a : new double[] {0.0, -0.0, rnd.nextGaussian(), 1e-300, -3.5}) {
                double[] w = new double[d];
                double[] p = new double[d];
                for (int k = 0; k < d; k++) {
                    w[k] = k % 5 == 0 ? -0.0 : rnd.nextGaussian();
                    p[k] = k % 7 == 0 ? -0.0 : rnd.nextGaussian() * 100;
                }
                double[] w2 = w.clone();
                double[] p2 = p.clone();
                double c = -rnd.nextDouble() * 1000 * a;
                RowAlgebra.axpy2(rows, 0, a, w, c, p, 0);
                double expected = RowAlgebra.dot(rows, 1, w, 0);
                double actual = RowAlgebra.axpy2AndDot(rows, 0, a, w2, c, p2, 1);
                String at = "d " + d + " a " + a;
                assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(actual), "dot, " + at);
                for (int k = 0; k < d; k++) {
                    assertEquals(Double.doubleToRawLongBits(w[k]), Double.doubleToRawLongBits(w2[k]),
                            "w[" + k + "], " + at);
                    assertEquals(Double.doubleToRawLongBits(p[k]), Double.doubleToRawLongBits(p2[k]),
                            "p[" + k + "], " + at);
                }
            }
        }
    }
}
