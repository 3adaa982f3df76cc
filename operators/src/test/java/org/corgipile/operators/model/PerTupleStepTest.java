package org.corgipile.operators.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.corgipile.operators.FeatureShape;
import org.corgipile.operators.TupleBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Per-tuple SGD without L2 or class weights (the defaults) takes a shortcut of the in-place step that leaves out
 * the multiplications by exactly 1 (row weight, 1 / n, scale); the models must be bit for bit those of the general
 * step, which a model with class weights 1 and 1 takes (linear regression, without class weights, runs the same
 * shortcut code).
 */
class PerTupleStepTest {
    @ParameterizedTest
    @ValueSource(strings = {"logistic", "svm"})
    void theShortcutIsTheGeneralStepBitForBit(String type) {
        int d = 18;
        SplittableRandom rnd = new SplittableRandom(3);
        TupleBuffer rows = new TupleBuffer(FeatureShape.dense(d), 2000);
        double[] x = new double[d];
        for (int i = 0; i < 2000; i++) {
            double m = 0;
            for (int k = 0; k < d; k++) {
                x[k] = rnd.nextGaussian();
                m += x[k] * (k % 3 - 1);
            }
            rows.addDense(m > 0 ? 1 : 0, i, x, 0);
        }
        GeneralizedLinearModel shortcut = (GeneralizedLinearModel) Model.create(type, d, 2, null);
        GeneralizedLinearModel general = (GeneralizedLinearModel) Model.create(type, d, 2, null);
        general.classWeights(new double[] {1, 1});
        double[] a = new double[d + 1];
        double[] b = new double[d + 1];
        double[] sumA = new double[d + 1];
        double[] sumB = new double[d + 1];
        double q = 0;
        for (int pass = 0; pass < 3; pass++) {
            for (int i = 0; i < rows.size(); i++) {
                double la = shortcut.inPlaceStep(a, rows, i, i + 1, 1, 1, 0.05, sumA, q, q);
                double lb = general.inPlaceStep(b, rows, i, i + 1, 1, 1, 0.05, sumB, q, q);
                assertEquals(Double.doubleToRawLongBits(lb), Double.doubleToRawLongBits(la), "loss of row " + i);
                q += 1;
            }
        }
        for (int k = 0; k <= d; k++) {
            assertEquals(Double.doubleToRawLongBits(b[k]), Double.doubleToRawLongBits(a[k]), "w" + k);
            assertEquals(Double.doubleToRawLongBits(sumB[k]), Double.doubleToRawLongBits(sumA[k]), "sum" + k);
        }
    }
}
