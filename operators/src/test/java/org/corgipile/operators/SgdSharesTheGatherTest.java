package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.corgipile.operators.model.Model;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 13 (warm compute thread): the reading thread, instead of blocking on SGD, copies chunks of CorgiPile's
 * shuffled gather ahead of the compute thread ({@link SharedGather}). Whoever copies a chunk, the compute thread must
 * see the same rows (standardised) in the same order, so the model is bit for bit that of a gather on one thread:
 * checked chunk by chunk with a fixed interleaving of help and take on one thread, and on the model with a helper
 * thread racing the compute thread.
 */
class SgdSharesTheGatherTest {
    private static TupleBuffer permuted(int rows, int d, long seed, boolean standardized) {
        TupleBuffer buf = new TupleBuffer(FeatureShape.dense(d), 16);
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[d];
        for (int i = 0; i < rows; i++) {
            for (int k = 0; k < d; k++) {
                x[k] = r.nextDouble(-3, 3);
            }
            buf.addDense(i & 1, i, x, 0);
        }
        if (standardized) {
            double[] mean = new double[d];
            double[] inv = new double[d];
            for (int k = 0; k < d; k++) {
                mean[k] = 0.25 * k;
                inv[k] = 1 / (1 + 0.5 * k);
            }
            buf.deferStandardization();
            buf.standardizeOnRead(mean, inv);
        }
        FisherYates.permute(buf.permutationArray(rows), rows, r);
        buf.deferPermutation();
        return buf;
    }

    /** The helper fills the ring ahead, then keeps one chunk ahead of each take: every chunk is the plain gather's. */
    @ParameterizedTest
    @CsvSource({"5000, 18, 100", "5000, 28, 64", "1001, 3, 1000", "77, 4, 10"})
    void everyChunkIsThePlainGathersWhoeverCopiedIt(int rows, int d, int chunkRows) {
        TupleBuffer buf = permuted(rows, d, 5, true);
        SharedGather shared = new SharedGather(buf.shape(), chunkRows);
        SharedGather.Job job = shared.begin(buf, chunkRows);
        int helped = 0;
        while (shared.help() == DoubleBuffer.Helper.HELPED) {
            helped++;
        }
        assertTrue(helped > 0, "the helper copied chunks ahead");
        TupleBuffer expected = new TupleBuffer(buf.shape(), chunkRows);
        for (int c = 0; c < job.chunks(); c++) {
            TupleBuffer got = job.take(c);
            if (c % 3 == 1 && shared.help() == DoubleBuffer.Helper.HELPED) {
                helped++;
            }
            int from = c * chunkRows;
            buf.gatherDense(from, Math.min(rows, from + chunkRows), expected, false);
            assertEquals(expected.size(), got.size(), "chunk " + c);
            for (int i = 0; i < got.size(); i++) {
                assertEquals(expected.label(i), got.label(i), "chunk " + c + " row " + i);
            }
            assertArrayEquals(java.util.Arrays.copyOf(expected.dense(), expected.size() * d),
                    java.util.Arrays.copyOf(got.dense(), got.size() * d), "chunk " + c);
        }
        job.close();
        assertEquals(DoubleBuffer.Helper.RETRY_SOON, shared.help(), "nothing left to claim after close");
    }

    /** A helper thread racing the compute thread: the model is bit for bit the one without a helper. */
    @Test
    void aRacingHelperLeavesTheModelBitForBit() throws InterruptedException {
        double[] alone = train(false, new AtomicLong());
        AtomicLong helped = new AtomicLong();
        for (int run = 0; run < 3; run++) {
            assertArrayEquals(alone, train(true, helped), "run " + run);
        }
        System.out.println("chunks copied by the helper thread: " + helped.get());
    }

    private static double[] train(boolean withHelper, AtomicLong helped) throws InterruptedException {
        int d = 18;
        Model model = Model.create("logistic", d, 2, null);
        TrainSpec spec = TrainSpec.builder().model("logistic").learningRate(0.01).l2(1e-4).build();
        double[] params = new double[model.parameterCount()];
        model.initialize(params, 7);
        Sgd sgd = new Sgd(model, model, spec);
        sgd.open(params);
        AtomicBoolean done = new AtomicBoolean();
        Thread helper = new Thread(() -> {
            while (!done.get()) {
                if (sgd.helpGather() == DoubleBuffer.Helper.HELPED) {
                    helped.incrementAndGet();
                } else {
                    Thread.onSpinWait();
                }
            }
        });
        if (withHelper) {
            helper.start();
        }
        try {
            for (int b = 0; b < 4; b++) {
                sgd.consume(permuted(20_000, d, 100 + b, b % 2 == 0));
            }
        } finally {
            done.set(true);
            if (withHelper) {
                helper.join();
            }
        }
        assertEquals(80_000, sgd.tuples());
        return sgd.model().clone();
    }
}
