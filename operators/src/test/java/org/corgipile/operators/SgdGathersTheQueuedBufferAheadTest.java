package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.corgipile.operators.model.Model;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 (warm compute thread, the reserve): once the reading thread is a full ring ahead of SGD, it gathers the
 * first chunks of the buffer queued behind the current one into {@link SharedGather}'s reserve, and SGD's next job
 * adopts them. The rows, their order and the model must stay bit for bit those of a gather on one thread, also
 * when the queued buffer was refilled or another buffer comes first.
 */
class SgdGathersTheQueuedBufferAheadTest {
    private static final int D = 18;

    private static TupleBuffer permuted(TupleBuffer buf, int rows, long seed) {
        buf.clear();
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[D];
        for (int i = 0; i < rows; i++) {
            for (int k = 0; k < D; k++) {
                x[k] = r.nextDouble(-3, 3);
            }
            buf.addDense(i & 1, i, x, 0);
        }
        double[] mean = new double[D];
        double[] inv = new double[D];
        for (int k = 0; k < D; k++) {
            mean[k] = 0.25 * k;
            inv[k] = 1 / (1 + 0.5 * k);
        }
        buf.deferStandardization();
        buf.standardizeOnRead(mean, inv);
        FisherYates.permute(buf.permutationArray(rows), rows, r);
        buf.deferPermutation();
        return buf;
    }

    private static TupleBuffer permuted(int rows, long seed) {
        return permuted(new TupleBuffer(FeatureShape.dense(D), 16), rows, seed);
    }

    /** Takes every chunk of {@code job} and compares it with the plain gather of {@code buf}. */
    private static void takeAllAndCompare(SharedGather.Job job, TupleBuffer buf, int chunkRows, String what) {
        TupleBuffer expected = new TupleBuffer(buf.shape(), chunkRows);
        for (int c = 0; c < job.chunks(); c++) {
            TupleBuffer got = job.take(c);
            int from = c * chunkRows;
            buf.gatherDense(from, Math.min(buf.size(), from + chunkRows), expected, false);
            assertEquals(expected.size(), got.size(), what + " chunk " + c);
            for (int i = 0; i < got.size(); i++) {
                assertEquals(expected.label(i), got.label(i), what + " chunk " + c + " row " + i);
            }
            assertArrayEquals(Arrays.copyOf(expected.dense(), expected.size() * D),
                    Arrays.copyOf(got.dense(), got.size() * D), what + " chunk " + c);
        }
        job.close();
    }

    /** Helps until there is nothing to do: the ring of the current buffer, then the reserve of the queued one. */
    private static int helpAll(SharedGather shared, TupleBuffer queued) {
        int helped = 0;
        while (shared.help(queued) == DoubleBuffer.Helper.HELPED) {
            helped++;
        }
        return helped;
    }

    @Test
    void theQueuedBuffersFirstChunksAreGatheredAheadAndAdopted() {
        int chunkRows = 100; // 16 kB chunks: a ring of 8 and a reserve of 262 (4 MB)
        TupleBuffer first = permuted(5_000, 1);
        TupleBuffer second = permuted(40_000, 2);
        SharedGather shared = new SharedGather(first.shape(), chunkRows);
        SharedGather.Job job = shared.begin(first, chunkRows);
        int ring = helpAll(shared, null);
        assertEquals(8, ring, "without a queued buffer the helper stops at a full ring");
        int withReserve = helpAll(shared, second);
        assertEquals(262, withReserve, "then it fills the reserve with the queued buffer's first chunks");
        takeAllAndCompare(job, first, chunkRows, "first");
        SharedGather.Job next = shared.begin(second, chunkRows);
        assertEquals(DoubleBuffer.Helper.HELPED, shared.help(null), "the adopted job goes on after its reserve");
        takeAllAndCompare(next, second, chunkRows, "second");
    }

    @Test
    void aBufferRefilledAfterItsChunksWereGatheredAheadIsGatheredAgain() {
        int chunkRows = 100;
        TupleBuffer first = permuted(5_000, 1);
        TupleBuffer second = permuted(3_000, 2);
        SharedGather shared = new SharedGather(first.shape(), chunkRows);
        SharedGather.Job job = shared.begin(first, chunkRows);
        assertTrue(helpAll(shared, second) > 8, "the reserve was filled");
        permuted(second, 3_000, 3); // the same object, another fill and permutation
        takeAllAndCompare(job, first, chunkRows, "first");
        takeAllAndCompare(shared.begin(second, chunkRows), second, chunkRows, "refilled");
    }

    @Test
    void anotherBufferThanTheOneGatheredAheadComesNext() {
        int chunkRows = 100;
        TupleBuffer first = permuted(5_000, 1);
        TupleBuffer queued = permuted(3_000, 2);
        TupleBuffer other = permuted(3_000, 4);
        SharedGather shared = new SharedGather(first.shape(), chunkRows);
        SharedGather.Job job = shared.begin(first, chunkRows);
        assertTrue(helpAll(shared, queued) > 8, "the reserve was filled");
        takeAllAndCompare(job, first, chunkRows, "first");
        SharedGather.Job o = shared.begin(other, chunkRows);
        // the helper finds the reserve of the closed job ahead no longer its to fill
        assertEquals(8, helpAll(shared, null), "the new job's ring");
        takeAllAndCompare(o, other, chunkRows, "other");
        takeAllAndCompare(shared.begin(queued, chunkRows), queued, chunkRows, "queued after all");
    }

    @Test
    void theReserveWaitsUntilTheCurrentJobTrainedPastItsOwn() {
        int chunkRows = 100;
        TupleBuffer a = permuted(30_000, 1);
        TupleBuffer b = permuted(30_000, 2);
        SharedGather shared = new SharedGather(a.shape(), chunkRows);
        SharedGather.Job first = shared.begin(a, chunkRows);
        helpAll(shared, b);
        takeAllAndCompare(first, a, chunkRows, "a");
        SharedGather.Job second = shared.begin(b, chunkRows); // adopts 262 reserved chunks
        TupleBuffer c = permuted(30_000, 3);
        // ring of b is free but its reserved chunks are not trained yet: only the ring is filled, not c's reserve
        assertEquals(8, helpAll(shared, c), "only the ring while the reserve holds b's chunks");
        TupleBuffer expected = new TupleBuffer(b.shape(), chunkRows);
        for (int k = 0; k <= 262; k++) {
            TupleBuffer got = second.take(k);
            b.gatherDense(k * chunkRows, (k + 1) * chunkRows, expected, false);
            assertArrayEquals(Arrays.copyOf(expected.dense(), chunkRows * D), Arrays.copyOf(got.dense(),
                    chunkRows * D), "b chunk " + k);
        }
        assertTrue(helpAll(shared, c) > 0, "past its reserved chunks, c's reserve may be filled");
        SharedGather.Job rest = second;
        TupleBuffer expectedRest = new TupleBuffer(b.shape(), chunkRows);
        for (int k = 263; k < rest.chunks(); k++) {
            TupleBuffer got = rest.take(k);
            int from = k * chunkRows;
            b.gatherDense(from, Math.min(b.size(), from + chunkRows), expectedRest, false);
            assertArrayEquals(Arrays.copyOf(expectedRest.dense(), expectedRest.size() * D),
                    Arrays.copyOf(got.dense(), got.size() * D), "b chunk " + k);
        }
        rest.close();
        takeAllAndCompare(shared.begin(c, chunkRows), c, chunkRows, "c");
    }

    /** A helper thread racing the compute thread over a queue of buffers: the model is bit for bit the lone one. */
    @Test
    void aRacingHelperWithTheQueuedBufferLeavesTheModelBitForBit() throws InterruptedException {
        double[] alone = train(false, new AtomicLong());
        AtomicLong helped = new AtomicLong();
        for (int run = 0; run < 3; run++) {
            assertArrayEquals(alone, train(true, helped), "run " + run);
        }
        System.out.println("chunks copied by the helper thread: " + helped.get());
    }

    private static double[] train(boolean withHelper, AtomicLong helped) throws InterruptedException {
        Model model = Model.create("logistic", D, 2, null);
        TrainSpec spec = TrainSpec.builder().model("logistic").learningRate(0.01).build();
        double[] params = new double[model.parameterCount()];
        model.initialize(params, 7);
        Sgd sgd = new Sgd(model, model, spec);
        sgd.open(params);
        int buffers = 6;
        TupleBuffer[] bufs = new TupleBuffer[buffers];
        for (int b = 0; b < buffers; b++) {
            bufs[b] = permuted(20_000 + 1_000 * b, 100 + b);
        }
        AtomicReference<TupleBuffer> queued = new AtomicReference<>();
        AtomicBoolean done = new AtomicBoolean();
        Thread helper = new Thread(() -> {
            while (!done.get()) {
                if (sgd.helpGather(queued.get()) == DoubleBuffer.Helper.HELPED) {
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
            for (int b = 0; b < buffers; b++) {
                queued.set(b + 1 < buffers ? bufs[b + 1] : null);
                sgd.consume(bufs[b]);
            }
        } finally {
            done.set(true);
            if (withHelper) {
                helper.join();
            }
        }
        return sgd.model().clone();
    }
}
