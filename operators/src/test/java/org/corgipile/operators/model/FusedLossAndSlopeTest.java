package org.corgipile.operators.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The training loops take a row's loss and slope from one {@link GeneralizedLinearModel#slope} call (logistic: one
 * exp for both); they must be exactly {@code loss} and {@code dloss}, or models would change with the fusion.
 */
class FusedLossAndSlopeTest {
    @ParameterizedTest
    @ValueSource(strings = {"logistic", "svm", "linear"})
    void slopeAndLastLossAreLossAndDlossBitForBit(String type) {
        GeneralizedLinearModel model = (GeneralizedLinearModel) Model.create(type, 3, 2, null);
        SplittableRandom rnd = new SplittableRandom(5);
        double[] margins = {0.0, -0.0, 1e-300, -1e-300, 1, -1, 36, -36, 710, -710, 745.2, -745.2, 1e308, -1e308,
            Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        double[] labels = {0, 1, -1, 0.5, 2.5};
        for (int i = 0; i < 200_000 + margins.length; i++) {
            double m = i < margins.length ? margins[i] : rnd.nextGaussian() * Math.scalb(1.0, rnd.nextInt(-20, 8));
            for (double y : labels) {
                double slope = model.slope(m, y);
                String at = type + " at m=" + m + ", y=" + y;
                assertEquals(Double.doubleToRawLongBits(model.dloss(m, y)), Double.doubleToRawLongBits(slope), at);
                assertEquals(Double.doubleToRawLongBits(model.loss(m, y)), Double.doubleToRawLongBits(model.lastLoss),
                        at);
            }
        }
    }
}
