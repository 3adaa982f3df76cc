package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.corgipile.operators.strategy.ShuffleStrategy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bug: sliding_window and mrs reserved their window / reservoir for buffer_size tuples up front (an {@code int[]} of
 * that many slots), so {@code train_sgd(..., shuffle => 'sliding_window', buffer_size => 2147483647)} on a table of
 * 21 pages ended in "Java heap exhausted in corgipile: Requested array size exceeds VM limit" (53200), and
 * 200000000 in "Java heap space". The slots grow as they fill: a buffer larger than the table holds the table, in
 * the same order as a buffer of exactly the table's tuples.
 */
class SlotStrategyBufferAboveTheTableTest {
    private static final int N = 2003;
    private static final int PER_PAGE = 10;

    private static List<List<Integer>> run(String strategy, double bufferSize) {
        InMemoryBlockSource src = new InMemoryBlockSource(FeatureShape.dense(2), PER_PAGE);
        for (int i = 0; i < N; i++) {
            src.addDense(i % 2, i, -i);
        }
        ShuffleStrategy s = ShuffleStrategy.named(strategy);
        s.open(src, new ShuffleStrategy.Config(4, bufferSize, 7, BlockShuffle.BlockHook.NONE));
        List<List<Integer>> epochs = new ArrayList<>();
        TupleBuffer buf = new TupleBuffer(src.shape(), 16);
        for (int e = 1; e <= 3; e++) {
            s.rescan(e);
            List<Integer> order = new ArrayList<>();
            while (s.nextBuffer(buf)) {
                buf.settle();
                for (int i = 0; i < buf.size(); i++) {
                    order.add(src.indexOf(buf.id(i)));
                }
            }
            epochs.add(order);
        }
        s.close();
        return epochs;
    }

    @ParameterizedTest
    @ValueSource(strings = {"sliding_window", "mrs"})
    void aBufferSizeOfMoreTuplesThanTheTableHoldsTheTableWithoutReservingTheBuffer(String strategy) {
        List<List<Integer>> huge = run(strategy, Integer.MAX_VALUE);
        for (List<Integer> epoch : huge) {
            assertEquals(N, epoch.size());
            assertEquals(N, new HashSet<>(epoch).size(), "every tuple once");
        }
        assertEquals(run(strategy, N), huge, "the order of a buffer of exactly the table");
        assertEquals(huge, run(strategy, 200_000_000));
    }
}
