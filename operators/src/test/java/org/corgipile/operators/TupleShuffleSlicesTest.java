package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 (warm epoch): for per-tuple SGD the tuple shuffle permutes a dense buffer in slices of rows that lie next
 * to each other in the buffer (about 4 kB of features, at most 32 rows), so the trainer's gather copies runs of
 * consecutive rows instead of one random row per miss to memory. Every row of a buffer still comes exactly once, the
 * slices' order is fresh per buffer and epoch, and wide rows, sparse rows and mini-batches stay permuted row by row.
 */
class TupleShuffleSlicesTest {
    @Test
    void sliceRowsFollowTheRowWidth() {
        assertEquals(18, TupleShuffle.sliceRows(28));
        assertEquals(28, TupleShuffle.sliceRows(18));
        assertEquals(32, TupleShuffle.sliceRows(2), "at most 32 rows");
        assertEquals(2, TupleShuffle.sliceRows(200));
        assertEquals(1, TupleShuffle.sliceRows(784), "Fashion-MNIST's pixels: row by row");
    }

    @Test
    void perTupleSgdGetsSlicesOfConsecutiveRowsEveryRowOnce() {
        List<List<Integer>> epochs = new ArrayList<>();
        for (int epoch = 1; epoch <= 2; epoch++) {
            List<Integer> rows = order(28, 1, epoch);
            assertEquals(3000, rows.size());
            assertEquals(3000, rows.stream().distinct().count(), "every row once");
            List<Integer> runs = runs(rows);
            // slices of 18 rows of the buffer in read order: a slice across two blocks (read in random block
            // order) is two runs of storage places, two slices may happen to follow each other
            double mean = (double) rows.size() / runs.size();
            assertTrue(mean >= 12 && mean <= 20, "mean run " + mean + ": " + runs);
            assertTrue(runs.stream().allMatch(n -> n <= 36 || n % 18 == 0), "runs " + runs);
            epochs.add(rows);
        }
        assertNotEquals(epochs.get(0), epochs.get(1), "a fresh order every epoch");
    }

    @Test
    void miniBatchesWideRowsAndSparseRowsStayRowByRow() {
        for (List<Integer> rows : List.of(order(28, 16, 1), order(784, 1, 1))) {
            double mean = (double) rows.size() / runs(rows).size();
            assertTrue(mean < 1.1, "mean run " + mean);
        }
    }

    /** The storage-order places of one epoch's tuples in the order the trainer reads them. */
    private static List<Integer> order(int dims, int batch, int epoch) {
        InMemoryBlockSource src = new InMemoryBlockSource(FeatureShape.dense(dims), 30);
        for (int i = 0; i < 3000; i++) {
            double[] x = new double[dims];
            x[0] = i; // the row's place in storage order
            src.addDense(i < 1500 ? 1 : 0, x);
        }
        TupleShuffle shuffle = new TupleShuffle(new BlockShuffle(BlockShuffle.Order.RANDOM, 4, 9,
                BlockShuffle.BlockHook.NONE), 0.25, 9, batch);
        shuffle.open(src);
        shuffle.rescan(epoch);
        TupleBuffer buf = new TupleBuffer(src.shape(), 16);
        List<Integer> rows = new ArrayList<>();
        while (shuffle.nextBuffer(buf)) {
            buf.settle();
            for (int i = 0; i < buf.size(); i++) {
                rows.add((int) buf.dense()[i * dims]);
            }
        }
        shuffle.close();
        return rows;
    }

    /** Lengths of the runs of consecutive places. */
    private static List<Integer> runs(List<Integer> rows) {
        List<Integer> runs = new ArrayList<>();
        int n = 1;
        for (int i = 1; i <= rows.size(); i++) {
            if (i < rows.size() && rows.get(i) == rows.get(i - 1) + 1) {
                n++;
            } else {
                runs.add(n);
                n = 1;
            }
        }
        return runs;
    }
}
