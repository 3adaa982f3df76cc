package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;

import org.corgipile.operators.model.Model;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 (warm compute thread): CorgiPile's buffers are read through a gather on the compute thread, so the
 * standardisation of {@link InputGuard} is applied there, as the rows are copied, instead of as a second pass over
 * every row on the reading thread. The reading thread leaves the rows as read; {@link TupleBuffer#gatherDense} and
 * {@link TupleBuffer#settle()} give exactly the doubles the in-place standardisation gave; buffers not read through
 * a gather (storage-order passes, {@code clear()}ed buffers) are still standardised in place.
 */
class TupleShuffleDefersStandardizationTest {
    private static final int D = 5;
    private static final double[] MEAN = {0.5, -2, 3.25, 0, 10};
    private static final double[] STD = {2, 0.3, 7, 1, 0.01};

    private static InMemoryBlockSource source() {
        InMemoryBlockSource src = new InMemoryBlockSource(FeatureShape.dense(D), 7);
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 500; i++) {
            double[] x = new double[D];
            for (int k = 0; k < D; k++) {
                x[k] = r.nextGaussian() * STD[k] + MEAN[k] + (i < 250 ? 1 : -1);
            }
            src.addDense(i < 250 ? 1 : 0, x);
        }
        return src;
    }

    private static InputGuard guard(boolean standardize) {
        return new InputGuard("logistic", Model.Kind.BINARY, 1, D, standardize ? MEAN : null,
                standardize ? STD : null);
    }

    private static TupleBuffer firstBuffer(InputGuard hook) {
        InMemoryBlockSource src = source();
        TupleShuffle shuffle = new TupleShuffle(new BlockShuffle(BlockShuffle.Order.RANDOM, 3, 11, hook), 0.3, 11);
        shuffle.open(src);
        TupleBuffer buf = new TupleBuffer(src.shape(), 16);
        shuffle.nextBuffer(buf);
        return buf;
    }

    /** The rows of {@code raw} (settled, not standardised) standardised the way InputGuard does in place. */
    private static double[] expected(TupleBuffer raw) {
        double[] x = new double[raw.size() * D];
        for (int i = 0; i < raw.size(); i++) {
            for (int k = 0; k < D; k++) {
                x[i * D + k] = (raw.dense()[i * D + k] - MEAN[k]) * (1 / STD[k]);
            }
        }
        return x;
    }

    @Test
    void gatherAndSettleStandardiseExactlyAsInPlaceStandardisationDid() {
        TupleBuffer raw = firstBuffer(guard(false));
        raw.settle();
        double[] want = expected(raw);

        TupleBuffer deferred = firstBuffer(guard(true));
        assertEquals(raw.size(), deferred.size());
        // the reading thread left the features as read: the same multiset of raw rows, unstandardised
        double rawSum = 0;
        double deferredSum = 0;
        for (int i = 0; i < raw.size() * D; i++) {
            rawSum += Math.abs(raw.dense()[i]);
            deferredSum += Math.abs(deferred.dense()[i]);
        }
        assertEquals(rawSum, deferredSum, 1e-9 * rawSum, "no standardisation on the reading thread");

        TupleBuffer chunk = new TupleBuffer(deferred.shape(), 8);
        double[] gathered = new double[deferred.size() * D];
        for (int from = 0; from < deferred.size(); from += 37) {
            int to = Math.min(deferred.size(), from + 37);
            deferred.gatherDense(from, to, chunk);
            System.arraycopy(chunk.dense(), 0, gathered, from * D, (to - from) * D);
            for (int j = 0; j < to - from; j++) {
                assertEquals(raw.label(from + j), chunk.label(j));
                assertEquals(raw.id(from + j), chunk.id(j));
            }
        }
        assertArrayEquals(want, gathered, "gatherDense: the same doubles");

        deferred.settle();
        double[] settled = new double[deferred.size() * D];
        System.arraycopy(deferred.dense(), 0, settled, 0, settled.length);
        assertArrayEquals(want, settled, "settle: the same doubles");
        deferred.settle();
        assertArrayEquals(settled, java.util.Arrays.copyOf(deferred.dense(), settled.length),
                "a second settle standardises nothing twice");
    }

    @Test
    void aBufferNotFilledByTheTupleShuffleIsStandardisedInPlace() {
        InMemoryBlockSource src = source();
        BlockShuffle blocks = new BlockShuffle(BlockShuffle.Order.STORAGE, 3, 0, guard(true));
        blocks.open(src);
        TupleBuffer buf = new TupleBuffer(src.shape(), 16);
        buf.deferStandardization();
        buf.clear(); // a buffer reused for a storage-order pass (Trainer's metrics) forgets the deferral
        blocks.fillBlocks(buf, 100);
        TupleBuffer raw = new TupleBuffer(src.shape(), 16);
        BlockShuffle rawBlocks = new BlockShuffle(BlockShuffle.Order.STORAGE, 3, 0, guard(false));
        rawBlocks.open(src);
        rawBlocks.fillBlocks(raw, 100);
        assertArrayEquals(expected(raw), java.util.Arrays.copyOf(buf.dense(), raw.size() * D));
    }
}
