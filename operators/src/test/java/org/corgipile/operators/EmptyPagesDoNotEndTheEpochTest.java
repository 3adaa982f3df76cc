package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.corgipile.operators.strategy.ShuffleStrategy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bug: {@code TupleShuffle.nextBuffer} returned "end of epoch" at the first buffer whose blocks held no visible
 * tuple, so a table with a run of empty pages (DELETE + VACUUM) or of rows the reader skips (NULL label/features)
 * trained on the rows before the hole only. Every strategy must read every live row each epoch, whatever holes
 * the heap has.
 */
class EmptyPagesDoNotEndTheEpochTest {
    private static final int PER_PAGE = 10;
    private static final int BLOCK_PAGES = 4;

    /**
     * 1,003 live rows: 400 rows, a run of 240 empty pages (60 blocks, far more than a 10% buffer), 3 blocks of dead
     * tuples only (as rows with a NULL label look to the operators), then 603 rows with a dead tuple every 7th line
     * pointer, and 12 empty pages at the very end.
     */
    static InMemoryBlockSource holedSource() {
        InMemoryBlockSource s = new InMemoryBlockSource(FeatureShape.dense(2), PER_PAGE);
        int row = 0;
        for (; row < 400; row++) {
            s.addDense(row < 200 ? 0 : 1, row, 1);
        }
        s.addEmptyPages(240);
        for (int i = 0; i < 3 * BLOCK_PAGES * PER_PAGE; i++) {
            s.addDead();
        }
        for (int k = 0; row < 1003; k++) {
            if (k % 7 == 3) {
                s.addDead();
            } else {
                s.addDense(row < 700 ? 0 : 1, row, 1);
                row++;
            }
        }
        s.addEmptyPages(12);
        return s;
    }

    @ParameterizedTest
    @ValueSource(strings = {"corgipile", "block_only", "none", "shuffle_once", "epoch_shuffle", "sliding_window"})
    void everyStrategyEmitsEveryLiveRowEachEpoch(String strategy) {
        for (long seed = 1; seed <= 5; seed++) {
            emitsEveryLiveRow(strategy, seed);
        }
    }

    private static void emitsEveryLiveRow(String strategy, long seed) {
        InMemoryBlockSource src = holedSource();
        assertEquals(1003, src.size());
        ShuffleStrategy s = ShuffleStrategy.named(strategy);
        s.open(src, new ShuffleStrategy.Config(BLOCK_PAGES, 0.05, seed, BlockShuffle.BlockHook.NONE));
        TupleBuffer buf = new TupleBuffer(src.shape(), 16);
        for (int epoch = 1; epoch <= 5; epoch++) {
            s.rescan(epoch);
            Set<Integer> rows = new HashSet<>();
            int emitted = 0;
            while (s.nextBuffer(buf)) {
                for (int i = 0; i < buf.size(); i++) {
                    rows.add((int) buf.dense()[2 * i]);
                    emitted++;
                }
            }
            assertEquals(1003, emitted, strategy + " seed " + seed + " epoch " + epoch);
            assertEquals(1003, rows.size(), strategy + " epoch " + epoch);
        }
        s.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"corgipile", "block_only", "none", "shuffle_once", "epoch_shuffle", "sliding_window",
            "mrs"})
    void trainingSeesEveryLiveRowEachEpoch(String strategy) {
        int reservoir = 100;
        TrainSpec spec = TrainSpec.builder().shuffle(strategy).epochs(4).blockSize(BLOCK_PAGES).seed(5)
                .bufferSize(strategy.equals("mrs") ? reservoir : 0.1).build();
        TrainResult r = Trainer.train(spec, holedSource(), null, null);
        assertEquals(4, r.epochs().size());
        for (EpochStats e : r.epochs()) {
            // mrs trains on a sample by design: the I/O path (all rows but the reservoir's), plus as many draws
            // from the previous epoch's reservoir from epoch 2 on; both counts need every live row read
            long expected = !strategy.equals("mrs") ? 1003 : e.epoch() == 1 ? 1003 - reservoir : 2 * (1003 - reservoir);
            assertEquals(expected, e.tuples(), strategy + " epoch " + e.epoch());
            assertTrue(Double.isFinite(e.loss()));
        }
    }
}
