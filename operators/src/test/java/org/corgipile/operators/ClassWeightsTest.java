package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code class_weights}: each training row's loss weighed by its class (binary models and softmax). */
class ClassWeightsTest {
    private static final SyntheticData BALANCED = SyntheticData.logistic(20_000, 10, 2, 5, false);
    private static final SyntheticData TEST = SyntheticData.logistic(5_000, 10, 2, 6, false);

    /** The balanced data with only every tenth positive row kept: positives are rare. */
    private static InMemoryBlockSource rarePositives() {
        List<double[]> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        int positives = 0;
        for (int i = 0; i < BALANCED.x.length; i++) {
            if (BALANCED.y[i] > 0 && positives++ % 10 != 0) {
                continue;
            }
            x.add(BALANCED.x[i]);
            y.add(BALANCED.y[i]);
        }
        return InMemoryBlockSource.dense(x.toArray(new double[0][]), y.stream().mapToDouble(Double::doubleValue)
                .toArray(), 20);
    }

    private static TrainSpecBuilder base() {
        return TrainSpec.builder().epochs(3).blockSize(4).seed(3).learningRate(0.05);
    }

    @Test
    void weighingTheRareClassRaisesItsRecall() {
        for (String model : List.of("logistic", "svm")) {
            TrainedModel plain = Trainer.train(base().model(model).build(), rarePositives(), null, null).model();
            TrainedModel weighted = Trainer.train(base().model(model).option("class_weights", List.of(1, 10))
                    .build(), rarePositives(), null, null).model();
            double plainRecall = plain.evaluate(TEST.source(20)).get("recall");
            double weightedRecall = weighted.evaluate(TEST.source(20)).get("recall");
            assertTrue(weightedRecall > plainRecall + 0.1, model + ": recall " + plainRecall + " -> "
                    + weightedRecall);
        }
    }

    @Test
    void unitWeightsChangeNothing() {
        TrainSpec spec = base().build();
        TrainResult plain = Trainer.train(spec, BALANCED.source(20), null, null);
        TrainResult ones = Trainer.train(spec.with("class_weights", List.of(1.0, 1.0)), BALANCED.source(20), null,
                null);
        assertArrayEquals(plain.model().parameters(), ones.model().parameters());
        assertEquals(List.of(1.0, 1.0), ones.spec().toMap().get("class_weights"), "recorded in the spec");
        assertEquals(null, plain.spec().toMap().get("class_weights"));
    }

    @Test
    void softmaxWeighsEachClass() {
        SyntheticData data = SyntheticData.multiclass(12_000, 8, 3, 1);
        SyntheticData test = SyntheticData.multiclass(3_000, 8, 3, 2);
        TrainSpecBuilder b = base().model("softmax").batchSize(8).learningRate(0.2);
        TrainedModel plain = Trainer.train(b.build(), data.source(20), null, null).model();
        TrainedModel heavy = Trainer.train(b.option("class_weights", "[1, 1, 20]").build(), data.source(20), null,
                null).model();
        assertTrue(predicted(heavy, test, 2) > predicted(plain, test, 2) + 100,
                "class 2 predicted more often: " + predicted(plain, test, 2) + " -> " + predicted(heavy, test, 2));
    }

    private static int predicted(TrainedModel m, SyntheticData data, int k) {
        int n = 0;
        for (double[] x : data.x) {
            n += m.predict(x) == k ? 1 : 0;
        }
        return n;
    }

    @Test
    void badWeightsAreRefusedWithTheArgumentNamed() {
        Map<Object, String> bad = Map.of(
                List.of(1), "class_weights must be a list of positive numbers, one per class (2 to 65536), got 1",
                List.of(1, 0), "class_weights must be a list of positive numbers, one per class, got 0",
                List.of(1, -2), "class_weights must be a list of positive numbers, one per class, got -2",
                "[1, x]", "class_weights must be a list of positive numbers, one per class, got \"x\"",
                7, "class_weights must be a list of positive numbers, one per class, got a number");
        bad.forEach((v, message) -> assertEquals(message, assertThrows(InvalidSpecException.class,
                () -> base().option("class_weights", v).build()).getMessage()));
        InvalidSpecException classes = assertThrows(InvalidSpecException.class, () -> Trainer.train(
                base().option("class_weights", List.of(1, 2, 3)).build(), BALANCED.source(20), null, null));
        assertEquals("class_weights must have one weight per class (2), got 3", classes.getMessage());
        for (String model : List.of("linear", "mlp")) {
            InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> Trainer.train(
                    base().model(model).option("class_weights", List.of(1, 2)).build(), BALANCED.source(20), null,
                    null));
            assertEquals("class_weights apply to logistic, svm and softmax models, not " + model, e.getMessage());
            assertEquals("22023", e.sqlState());
        }
        TrainingException gpu = assertThrows(TrainingException.class, () -> Trainer.train(
                base().device("gpu").option("class_weights", List.of(1, 2)).build(), BALANCED.source(20), null,
                null));
        assertEquals("0A000", gpu.sqlState());
    }
}
