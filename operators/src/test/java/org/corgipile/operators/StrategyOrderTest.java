package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.corgipile.operators.strategy.ShuffleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The orders the strategies emit: exactly once per epoch, fresh randomness per epoch, reproducible per seed. */
class StrategyOrderTest {
    private static final int N = 2003;           // 201 pages of 10 tuples, the last one partial
    private static final int PER_PAGE = 10;

    private static InMemoryBlockSource source() {
        InMemoryBlockSource s = new InMemoryBlockSource(FeatureShape.dense(2), PER_PAGE);
        for (int i = 0; i < N; i++) {
            s.addDense(i % 2, i, -i);
        }
        return s;
    }

    /** Storage positions emitted per epoch, and the buffer boundaries. */
    private static List<List<Integer>> run(String strategy, long seed, double bufferSize, int epochs,
                                           List<List<Integer>> bufferSizes) {
        InMemoryBlockSource src = source();
        ShuffleStrategy s = ShuffleStrategy.named(strategy);
        s.open(src, new ShuffleStrategy.Config(4, bufferSize, seed, BlockShuffle.BlockHook.NONE));
        List<List<Integer>> out = new ArrayList<>();
        TupleBuffer buf = new TupleBuffer(src.shape(), 16);
        for (int e = 1; e <= epochs; e++) {
            s.rescan(e);
            List<Integer> order = new ArrayList<>();
            List<Integer> sizes = new ArrayList<>();
            while (s.nextBuffer(buf)) {
                buf.settle();
                assertFalse(buf.isEmpty());
                sizes.add(buf.size());
                for (int i = 0; i < buf.size(); i++) {
                    int pos = src.indexOf(buf.id(i));
                    assertEquals(pos, (int) buf.dense()[i * 2], "features travel with their tuple id");
                    order.add(pos);
                }
            }
            assertTrue(buf.isEmpty());
            out.add(order);
            if (bufferSizes != null) {
                bufferSizes.add(sizes);
            }
        }
        s.close();
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"corgipile", "block_only", "none", "shuffle_once", "epoch_shuffle", "sliding_window"})
    void everyTupleExactlyOncePerEpoch(String strategy) {
        for (List<Integer> epoch : run(strategy, 7, 0.1, 3, null)) {
            assertEquals(N, epoch.size());
            assertEquals(N, new HashSet<>(epoch).size());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"corgipile", "block_only", "none", "shuffle_once", "epoch_shuffle", "sliding_window",
            "mrs"})
    void sameSeedSameOrderOtherSeedOtherOrder(String strategy) {
        assertEquals(run(strategy, 7, 0.1, 3, null), run(strategy, 7, 0.1, 3, null));
        if (!strategy.equals("none")) {
            assertNotEquals(run(strategy, 7, 0.1, 3, null), run(strategy, 8, 0.1, 3, null));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"corgipile", "block_only", "none", "shuffle_once", "epoch_shuffle", "sliding_window"})
    void sparseTuplesTravelWholeAndExactlyOnce(String strategy) {
        InMemoryBlockSource src = new InMemoryBlockSource(FeatureShape.sparse(5000), PER_PAGE);
        for (int i = 0; i < N; i++) {
            int nnz = 1 + i % 3;   // rows of different lengths, each carrying its own position
            int[] idx = new int[nnz];
            double[] val = new double[nnz];
            for (int k = 0; k < nnz; k++) {
                idx[k] = (i + k) % 5000;
                val[k] = i;
            }
            src.addSparse(i % 2, idx, val);
        }
        ShuffleStrategy s = ShuffleStrategy.named(strategy);
        s.open(src, new ShuffleStrategy.Config(4, 300, 7, BlockShuffle.BlockHook.NONE));
        TupleBuffer buf = new TupleBuffer(src.shape(), 16);
        for (int e = 1; e <= 2; e++) {
            s.rescan(e);
            Set<Integer> seen = new HashSet<>();
            while (s.nextBuffer(buf)) {
                buf.settle();
                for (int r = 0; r < buf.size(); r++) {
                    int pos = src.indexOf(buf.id(r));
                    assertTrue(seen.add(pos), "emitted twice: " + pos);
                    assertEquals(1 + pos % 3, buf.rowEnd(r) - buf.rowStart(r));
                    for (int k = buf.rowStart(r); k < buf.rowEnd(r); k++) {
                        assertEquals(pos, (int) buf.values()[k]);
                        assertEquals((pos + k - buf.rowStart(r)) % 5000, buf.indices()[k]);
                    }
                }
            }
            assertEquals(N, seen.size());
        }
        s.close();
    }

    @Test
    void noneIsStorageOrder() {
        List<Integer> storage = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            storage.add(i);
        }
        for (List<Integer> epoch : run("none", 7, 0.1, 2, null)) {
            assertEquals(storage, epoch);
        }
    }

    @Test
    void blockOrderDiffersBetweenEpochsAndPagesStayInOrder() {
        InMemoryBlockSource src = source();
        BlockShuffle blocks = new BlockShuffle(BlockShuffle.Order.RANDOM, 4, 7, null);
        blocks.open(src);
        assertEquals(51, blocks.blockCount(), "201 pages in blocks of 4: the last partial block is kept");
        int[] first = blocks.blockOrder();
        blocks.rescan(2);
        int[] second = blocks.blockOrder();
        assertFalse(Arrays.equals(first, second));
        int[] sorted = second.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            assertEquals(i, sorted[i]);
        }
        // block_only: tuples inside each block in storage order, blocks in the drawn order
        List<Integer> epoch = run("block_only", 7, 0.1, 1, null).get(0);
        int runs = 1;
        for (int i = 1; i < epoch.size(); i++) {
            if (epoch.get(i) != epoch.get(i - 1) + 1) {
                runs++;
                assertEquals(0, epoch.get(i) % 40, "a new run starts at a block boundary");
            }
        }
        assertTrue(runs > 40, "blocks visited out of storage order: " + runs + " runs");
    }

    @Test
    void corgipileBuffersAreWholeBlocksShuffledFreshEveryEpoch() {
        List<List<Integer>> sizes = new ArrayList<>();
        List<List<Integer>> epochs = run("corgipile", 7, 0.1, 2, sizes);
        // 0.1 of 201 pages = 20.1 pages -> 6 blocks of 4 pages (the target is reached once 24 >= 20.1)
        for (int size : sizes.get(0).subList(0, 5)) {
            assertTrue(size == 240 || size == 203, "whole blocks per buffer: " + size);
        }
        // the first buffer's tuples are a set of whole blocks, and not in storage order inside
        List<Integer> firstBuffer = epochs.get(0).subList(0, sizes.get(0).get(0));
        Set<Integer> blocksSeen = new HashSet<>();
        for (int pos : firstBuffer) {
            blocksSeen.add(pos / 40);
        }
        assertEquals(6, blocksSeen.size());
        List<Integer> sorted = new ArrayList<>(firstBuffer);
        sorted.sort(null);
        assertNotEquals(sorted, firstBuffer);

        // one buffer holding the whole table: same tuples every epoch, a different permutation every epoch
        List<List<Integer>> whole = run("corgipile", 7, 1.0, 3, null);
        assertNotEquals(whole.get(0), whole.get(1));
        assertNotEquals(whole.get(1), whole.get(2));
    }

    @Test
    void shuffleOnceReusesOnePermutationEpochShuffleDrawsANewOne() {
        List<List<Integer>> once = run("shuffle_once", 7, 0.1, 3, null);
        assertEquals(once.get(0), once.get(1));
        assertEquals(once.get(1), once.get(2));
        List<Integer> sorted = new ArrayList<>(once.get(0));
        sorted.sort(null);
        assertNotEquals(sorted, once.get(0));
        List<List<Integer>> fresh = run("epoch_shuffle", 7, 0.1, 3, null);
        assertNotEquals(fresh.get(0), fresh.get(1));
        assertNotEquals(fresh.get(1), fresh.get(2));
    }

    @Test
    void slidingWindowMovesTuplesAtMostOneWindowEarlier() {
        int window = 200;   // buffer_size as a tuple count
        List<Integer> epoch = run("sliding_window", 7, window, 1, null).get(0);
        for (int p = 0; p < epoch.size(); p++) {
            assertTrue(epoch.get(p) <= p + window, "tuple " + epoch.get(p) + " emitted at " + p);
        }
        List<Integer> sorted = new ArrayList<>(epoch);
        sorted.sort(null);
        assertNotEquals(sorted, epoch);
    }

    @Test
    void mrsIsDocumentedSampling() {
        int reservoir = 150;
        List<List<Integer>> epochs = run("mrs", 7, reservoir, 2, null);
        // epoch 1: the I/O path only — every tuple but the B that end in the reservoir, each once
        List<Integer> first = epochs.get(0);
        assertEquals(N - reservoir, first.size());
        assertEquals(N - reservoir, new HashSet<>(first).size());
        Set<Integer> kept = new HashSet<>();
        for (int i = 0; i < N; i++) {
            kept.add(i);
        }
        kept.removeAll(first);
        assertEquals(reservoir, kept.size());
        // epoch 2: I/O path interleaved one-for-one with the previous reservoir, cycled
        List<Integer> second = epochs.get(1);
        assertEquals(2 * (N - reservoir), second.size());
        Set<Integer> memoryPath = new HashSet<>();
        for (int i = 1; i < second.size(); i += 2) {
            memoryPath.add(second.get(i));
        }
        assertEquals(kept, memoryPath);

        // a reservoir at least as large as the table: every tuple once per epoch, in a random order
        for (List<Integer> epoch : run("mrs", 7, N, 2, null)) {
            assertEquals(N, epoch.size());
            assertEquals(N, new HashSet<>(epoch).size());
        }
    }
}
