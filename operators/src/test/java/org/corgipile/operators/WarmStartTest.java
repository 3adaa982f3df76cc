package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Warm start: training continues from a stored model's parameters and standardisation. */
class WarmStartTest {
    private static final SyntheticData DATA = SyntheticData.logistic(10_000, 6, 4, 5, false);

    private static TrainSpecBuilder base() {
        return TrainSpec.builder().epochs(2).blockSize(4).seed(3).learningRate(0.05);
    }

    @Test
    void trainingContinuesFromTheWarmModel() {
        TrainedModel first = Trainer.train(base().build(), DATA.source(20), null, null).model();
        // a step too small to move: the warm-started model is the warm model; from scratch it stays near zero
        TrainSpec still = base().epochs(1).learningRate(1e-9).average(false).option("warm_start", "first").build();
        TrainResult warm = Trainer.train(still, DATA.source(20), null, null, null, first);
        TrainResult cold = Trainer.train(still.with("warm_start", null), DATA.source(20), null, null);
        double[] w = warm.model().parameters();
        for (int i = 0; i < w.length; i++) {
            assertEquals(first.parameters()[i], w[i], 1e-5, "parameter " + i);
            assertEquals(0, cold.model().parameters()[i], 1e-5, "parameter " + i);
        }
        assertEquals("first", warm.spec().warmStart());
        assertEquals("first", warm.spec().toMap().get("warm_start"));
        // the first epoch of a warm start is as good as where the warm model stopped
        TrainResult next = Trainer.train(base().epochs(1).build(), DATA.source(20), null, null, null, first);
        TrainResult scratch = Trainer.train(base().epochs(1).seed(4).average(false).learningRate(1e-3).build(),
                DATA.source(20), null, null);
        assertTrue(next.epochs().get(0).loss() < scratch.epochs().get(0).loss(),
                next.epochs().get(0).loss() + " < " + scratch.epochs().get(0).loss());
    }

    @Test
    void theWarmModelsStandardisationIsKept() {
        TrainedModel first = Trainer.train(base().standardize(true).build(), DATA.source(20), null, null).model();
        double[][] shifted = new double[DATA.x.length][];
        for (int i = 0; i < shifted.length; i++) {
            shifted[i] = DATA.x[i].clone();
            shifted[i][0] += 100;
        }
        TrainResult warm = Trainer.train(base().build(), InMemoryBlockSource.dense(shifted, DATA.y, 20), null, null,
                null, first);
        assertArrayEquals(first.mean(), warm.model().mean());
        assertArrayEquals(first.std(), warm.model().std());
        TrainedModel raw = Trainer.train(base().standardize(false).build(), DATA.source(20), null, null).model();
        TrainResult rawWarm = Trainer.train(base().build(), DATA.source(20), null, null, null, raw);
        assertEquals(null, rawWarm.model().mean(), "a model without standardisation continues without it");
        assertEquals(false, rawWarm.spec().toMap().get("standardize"));
    }

    @Test
    void aWarmModelThatDoesNotFitIsAClearError() {
        TrainedModel first = Trainer.train(base().build(), DATA.source(20), null, null).model();
        InvalidSpecException type = assertThrows(InvalidSpecException.class, () -> Trainer.train(
                base().model("svm").option("warm_start", "first").build(), DATA.source(20), null, null, null, first));
        assertEquals("warm_start model \"first\" is a logistic model, not svm", type.getMessage());
        assertEquals("Pass model => 'logistic' to continue it, or train a new model without warm_start.",
                type.hint());
        SyntheticData wider = SyntheticData.logistic(2_000, 7, 4, 5, false);
        TrainingException dims = assertThrows(TrainingException.class, () -> Trainer.train(
                base().option("warm_start", "first").build(), wider.source(20), null, null, null, first));
        assertEquals("22000", dims.sqlState());
        assertEquals("warm_start model \"first\" has 6 features but the relation has 7", dims.getMessage());

        SyntheticData multi = SyntheticData.multiclass(4_000, 6, 3, 1);
        TrainedModel soft = Trainer.train(base().model("softmax").build(), multi.source(20), null, null).model();
        InvalidSpecException classes = assertThrows(InvalidSpecException.class, () -> Trainer.train(
                base().model("softmax").classes(5).build(), multi.source(20), null, null, null, soft));
        assertEquals("warm_start model has 3 classes, not 5", classes.getMessage());
        TrainedModel mlp = Trainer.train(base().model("mlp").hidden(4).build(), multi.source(20), null, null)
                .model();
        InvalidSpecException hidden = assertThrows(InvalidSpecException.class, () -> Trainer.train(
                base().model("mlp").hidden(5).build(), multi.source(20), null, null, null, mlp));
        assertEquals("warm_start model has hidden layers [4], not [5]", hidden.getMessage());
        assertEquals(3, Trainer.train(base().model("softmax").build(), multi.source(20), null, null, null, soft)
                .model().params().get("classes"));
    }
}
