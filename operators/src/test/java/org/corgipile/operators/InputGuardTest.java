package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.corgipile.operators.model.Model;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link InputGuard} with sources that vouch for finite values ({@link BlockSource#valuesAreFinite()}, like the
 * heap-block reader, which rejects NaN/Inf in C): the finiteness test is skipped, nothing else changes.
 */
class InputGuardTest {
    private static final SyntheticData DATA = SyntheticData.logistic(3_000, 6, 4, 11, false);

    /** An in-memory source that declares its values finite. */
    private static final class Vouching extends ForwardingBlockSource {
        Vouching(BlockSource inner) {
            super(inner);
        }

        @Override
        public boolean valuesAreFinite() {
            return true;
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void vouchingSourcesTrainTheSameModelBitForBit(boolean standardize) {
        TrainSpec spec = TrainSpec.builder().epochs(2).blockSize(4).seed(5).learningRate(0.05)
                .standardize(standardize).build();
        TrainResult checked = Trainer.train(spec, DATA.source(20), null, null);
        TrainResult vouched = Trainer.train(spec, new Vouching(DATA.source(20)), null, null);
        assertArrayEquals(checked.model().parameters(), vouched.model().parameters());
        assertEquals(checked.epochs().get(1).loss(), vouched.epochs().get(1).loss());
    }

    @Test
    void labelsAreCheckedEvenWhenValuesAreVouchedFor() {
        InMemoryBlockSource labels = new InMemoryBlockSource(FeatureShape.dense(2), 10);
        for (int i = 0; i < 100; i++) {
            labels.addDense(i == 13 ? 2 : i % 2, 1, 2);
        }
        TrainingException e = assertThrows(TrainingException.class, () -> Trainer.train(
                TrainSpec.builder().epochs(1).blockSize(4).seed(1).build(), new Vouching(labels), null, null));
        assertEquals("the label of tuple (1,4) is 2, not a binary label for model logistic (expected 0/1 or -1/+1)",
                e.getMessage());
    }

    @Test
    void onlyTheFinitenessTestIsSkipped() {
        TupleBuffer b = new TupleBuffer(FeatureShape.dense(2), 4);
        b.addDense(1, TupleBuffer.tid(0, 1), new double[] {1, Double.NaN}, 0);
        InputGuard guard = new InputGuard("logistic", Model.Kind.BINARY, 2, 2, null, null);
        TrainingException e = assertThrows(TrainingException.class, () -> guard.accept(b, 0, 1));
        assertEquals("feature 1 of tuple (0,1) is NaN", e.getMessage());
        assertThrows(TrainingException.class, () -> guard.accept(b, 0, 1, (BlockSource) null));
        assertDoesNotThrow(() -> guard.accept(b, 0, 1, new Vouching(new InMemoryBlockSource(FeatureShape.dense(2), 10))));
    }

    /** Bug: a bigint label 9223372036854775807 (read as the double 2^63) was reported as 9.223372036854776E18. */
    @Test
    void aBigintLabelIsShownInPlainNotationNotAsADouble() {
        InMemoryBlockSource labels = new InMemoryBlockSource(FeatureShape.dense(2), 10);
        for (int i = 0; i < 10; i++) {
            labels.addDense(i == 3 ? 9223372036854775807.0 : i % 2, 1, 2);
        }
        TrainingException e = assertThrows(TrainingException.class, () -> Trainer.train(
                TrainSpec.builder().epochs(1).blockSize(4).seed(1).build(), labels, null, null));
        assertTrue(e.getMessage().endsWith(" is 9223372036854776000, not a binary label for model logistic (expected "
                + "0/1 or -1/+1)"), e.getMessage());
        assertTrue(InputGuard.oneClass("the label", 1e20, "logistic").getMessage()
                .startsWith("the label has one value, 1E+20, in every row"));
    }
}
