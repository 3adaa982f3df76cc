package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Bug: a finite feature far outside the values a model was trained on overflowed once standardised (or in the score),
 * and the NaN became a prediction of 0, a NULL probability or NULL metrics. Now it is 22003 naming the feature.
 */
class FeaturesBeyondTheTrainingRangeTest {
    /** Logistic, two features, weights {1, 1}, no bias; standardised with deviations 0.01 and 1. */
    private static final TrainedModel NARROW = TrainedModel.restore("logistic", 2, new double[] {1, 1, 0},
            new double[] {0, 0}, new double[] {0.01, 1}, null);

    @Test
    void featuresBeyondTheTrainingRangeWereSilentNaN() {
        for (double[] x : List.of(new double[] {1e308, 1}, new double[] {-1e308, 1})) {
            TrainingException e = assertThrows(TrainingException.class, () -> NARROW.predictProba(x));
            assertEquals("22003", e.sqlState());
            assertEquals("cannot evaluate the logistic model on feature 0: it is beyond double precision once "
                    + "standardised with the model's training mean and standard deviation", e.getMessage());
            assertThrows(TrainingException.class, () -> NARROW.predict(x));
        }
        assertEquals(1, NARROW.predict(new double[] {1e300, 1}), "1e302 once standardised is still a number");
    }

    @Test
    void aScoreThatIsNotANumberIsAnErrorNamingTheLargestFeature() {
        // 1e300 * 1e10 - 1e300 * 1e10 is inf - inf
        TrainedModel m = TrainedModel.restore("linear", 3, new double[] {1e300, -1e300, 1, 0}, null, null, null);
        TrainingException e = assertThrows(TrainingException.class, () -> m.predict(new double[] {1e10, 1e10, 1}));
        assertEquals("22003", e.sqlState());
        assertEquals("cannot evaluate the linear model on feature 0: it is 10000000000 as the model sees it, too "
                + "large for its score in double precision", e.getMessage());
    }

    @Test
    void anEvaluationPassNamesTheTupleOfAValueBeyondTheTrainingRange() {
        InMemoryBlockSource source = InMemoryBlockSource.dense(new double[][] {{0.001, 1}, {1e308, 1}},
                new double[] {1, 0}, 8);
        TrainingException e = assertThrows(TrainingException.class, () -> NARROW.evaluate(source));
        assertEquals("22003", e.sqlState());
        assertEquals("cannot evaluate the logistic model on feature 0 of tuple (0,2): it is beyond double precision "
                + "once standardised with the model's training mean and standard deviation", e.getMessage());
    }
}
