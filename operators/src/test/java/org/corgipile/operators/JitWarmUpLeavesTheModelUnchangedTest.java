package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.corgipile.operators.model.Model;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link JitWarmUp}: the compute thread's warm-up before the first buffer trains a throw-away model on the run's
 * {@link Model} object, so a training must give the same model bit for bit with and without it, and it must stop
 * after one round once it is told to.
 */
class JitWarmUpLeavesTheModelUnchangedTest {
    @AfterEach
    void restore() {
        JitWarmUp.enabled = true;
    }

    private static TrainResult train(String model, String shuffle, boolean warmUp, SyntheticData data) {
        JitWarmUp.enabled = warmUp;
        TrainSpec spec = TrainSpec.builder().model(model).shuffle(shuffle).epochs(3).blockSize(4).bufferSize(0.2)
                .seed(11).build();
        return Trainer.train(spec, data.source(20), null, null);
    }

    @ParameterizedTest
    @CsvSource({"logistic, corgipile", "logistic, none", "svm, corgipile", "linear, corgipile", "linear, none"})
    void sameModelWithAndWithoutTheWarmUp(String model, String shuffle) {
        SyntheticData data = model.equals("linear") ? SyntheticData.regression(6_000, 12, 3)
                : SyntheticData.logistic(6_000, 12, 4, 3, false).clustered();
        long rounds0 = JitWarmUp.ROUNDS.get();
        TrainResult with = train(model, shuffle, true, data);
        assertTrue(JitWarmUp.ROUNDS.get() > rounds0, "the warm-up ran");
        TrainResult without = train(model, shuffle, false, data);
        assertArrayEquals(without.model().parameters(), with.model().parameters(), 0.0);
        assertEquals(without.epochs().get(2).loss(), with.epochs().get(2).loss(), 0.0);
    }

    @Test
    void stopsWhenToldAndAfterItsRounds() {
        Model model = Model.create("logistic", 28, 0, null);
        TrainSpec spec = TrainSpec.builder().epochs(1).build();
        FeatureShape shape = FeatureShape.dense(28);
        assertEquals(1, JitWarmUp.run(model, spec, shape, true, true, () -> true));
        AtomicInteger asked = new AtomicInteger();
        assertEquals(3, JitWarmUp.run(model, spec, shape, true, true, () -> asked.incrementAndGet() >= 3));
        assertEquals(JitWarmUp.MAX_ROUNDS, JitWarmUp.run(model, spec, shape, false, false, () -> false));
    }
}
