package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The convergence criterion on a label-clustered table (100k x 28, sorted by label, 50 tuples per page,
 * 4-page blocks = 500 blocks, buffer 10% = 50 blocks; per-tuple SGD, 10 epochs, learning rate 0.02 decaying by 0.8
 * per epoch): CorgiPile ends within 1 accuracy point of a full shuffle every epoch, No Shuffle at least 10 points
 * below, Shuffle Once within 1 point of Epoch Shuffle. Accuracy on a separate, unclustered test set.
 *
 * <p>Why these settings: a buffer of B single-label blocks has a label mix that varies by about 1/(2 sqrt(B)); the
 * last buffer of the last epoch pulls the bias towards its own mix unless the learning rate has decayed. With 25
 * blocks per buffer and lr 0.005, decay 0.95, one seed out of six lost 2.5 points; with 50 blocks per buffer and
 * lr 0.02, decay 0.8 the gap over six seeds stayed below 0.5 points. A rate decaying much faster (0.7) also rescues
 * No Shuffle to within ~7 points, hiding the effect this test is about. So does iterate averaging (the default,
 * {@code average => true}) on this linear, symmetric task: this test trains plain SGD, as the paper does.
 */
class ConvergenceTest {
    private static final Map<String, Double> ACCURACY = new LinkedHashMap<>();

    @BeforeAll
    static void trainEveryStrategy() {
        SyntheticData train = SyntheticData.logistic(100_000, 28, 4, 1, false).clustered();
        SyntheticData test = SyntheticData.logistic(20_000, 28, 4, 2, false);
        InMemoryBlockSource trainSource = train.source(50);
        InMemoryBlockSource testSource = test.source(50);
        for (String shuffle : TrainSpec.SHUFFLES) {
            TrainSpec spec = TrainSpec.builder().model("logistic").shuffle(shuffle).epochs(10).learningRate(0.02).decay(0.8)
                    .blockSize(4).bufferSize(0.1).seed(11).trainMetrics("running").average(false).build();
            TrainResult r = Trainer.train(spec, trainSource, null, null);
            ACCURACY.put(shuffle, r.model().evaluate(testSource).get("accuracy"));
        }
        System.out.println("test accuracy on the clustered table after 10 epochs: " + ACCURACY);
    }

    @Test
    void corgipileWithinOnePointOfEpochShuffle() {
        assertTrue(Math.abs(ACCURACY.get("corgipile") - ACCURACY.get("epoch_shuffle")) <= 0.01, ACCURACY::toString);
    }

    @Test
    void noShuffleAtLeastTenPointsBelow() {
        assertTrue(ACCURACY.get("none") <= ACCURACY.get("epoch_shuffle") - 0.10, ACCURACY::toString);
    }

    @Test
    void shuffleOnceWithinOnePointOfEpochShuffle() {
        assertTrue(Math.abs(ACCURACY.get("shuffle_once") - ACCURACY.get("epoch_shuffle")) <= 0.01, ACCURACY::toString);
    }

    @Test
    void fullShuffleLearnsTheTeacher() {
        assertTrue(ACCURACY.get("epoch_shuffle") >= 0.80, ACCURACY::toString);
    }
}
