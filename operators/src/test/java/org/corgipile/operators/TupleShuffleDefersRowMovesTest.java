package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Issue 13: the tuple shuffle draws each buffer's permutation on the reading thread but leaves the rows where the
 * blocks put them; {@link TupleBuffer#settle()} (on the compute thread) moves them, giving exactly the order the
 * shuffle drew. A buffer cleared before it is settled forgets the pending permutation.
 */
class TupleShuffleDefersRowMovesTest {
    @Test
    void rowsMoveAtSettleNotInNextBuffer() {
        InMemoryBlockSource src = new InMemoryBlockSource(FeatureShape.dense(2), 10);
        for (int i = 0; i < 400; i++) {
            src.addDense(i % 2, i, 1000 - i);
        }
        TupleShuffle a = new TupleShuffle(new BlockShuffle(BlockShuffle.Order.STORAGE, 4, 1, BlockShuffle.BlockHook.NONE), 1.0, 5);
        a.open(src);
        TupleBuffer buf = new TupleBuffer(src.shape(), 16);
        a.nextBuffer(buf);
        List<Double> before = firstFeatures(buf);
        assertEquals(0.0, before.get(0));
        assertEquals(1.0, before.get(1), "storage order until settled");
        buf.settle();
        List<Double> after = firstFeatures(buf);
        assertNotEquals(before, after, "settle applies the permutation");
        for (int i = 0; i < buf.size(); i++) {
            assertEquals(1000.0, buf.dense()[2 * i] + buf.dense()[2 * i + 1], "features travel together");
        }
        buf.settle();
        assertEquals(after, firstFeatures(buf), "a second settle changes nothing");
        buf.clear();
        buf.settle();
        assertEquals(0, buf.size());
    }

    private static List<Double> firstFeatures(TupleBuffer b) {
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < b.size(); i++) {
            out.add(b.dense()[2 * i]);
        }
        return out;
    }
}
