package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * h13e measured ~0.13 s of epoch 1 on the hdd profile in the 1.5x growth copies of the first shuffle buffers; the
 * tuple shuffle now reserves a full buffer's rows (at the first block's density, plus one block) as soon as the first
 * block is in: the buffer holds exactly that capacity, not a 1.5x step beyond it, and a small table's buffer stays
 * small.
 */
class TupleShuffleReservesTheBufferTest {
    private static final int D = 5;

    private static InMemoryBlockSource table(int rows) {
        InMemoryBlockSource s = new InMemoryBlockSource(FeatureShape.dense(D), 10);
        for (int i = 0; i < rows; i++) {
            s.addDense(i % 2, i, i + 1, i + 2, i + 3, i + 4);
        }
        return s;
    }

    private static TupleBuffer firstBuffer(InMemoryBlockSource source, double bufferSize) {
        TupleShuffle shuffle = new TupleShuffle(
                new BlockShuffle(BlockShuffle.Order.RANDOM, 10, 3, BlockShuffle.BlockHook.NONE), bufferSize, 3);
        shuffle.open(source);
        TupleBuffer out = new TupleBuffer(source.shape(), 16);
        shuffle.nextBuffer(out);
        return out;
    }

    @Test
    void aFullBufferIsReservedOnceItsFirstBlockIsIn() {
        // 10,000 rows, 10 per page, blocks of 10 pages: half the table is 5,000 rows, plus one block of 100
        TupleBuffer out = firstBuffer(table(10_000), 0.5);
        assertEquals(5_000, out.size());
        assertEquals(5_100 * D, out.dense().length);
    }

    @Test
    void aTupleCountBufferIsReservedToo() {
        TupleBuffer out = firstBuffer(table(10_000), 3_000);
        assertEquals(3_000, out.size());
        assertEquals(3_100 * D, out.dense().length);
    }

    @Test
    void aSmallTablesBufferStaysSmall() {
        TupleBuffer out = firstBuffer(table(40), 1.0);
        assertEquals(40, out.size());
        // the one block is the table: its rows grew the buffer in 1.5x steps, and nothing is reserved beyond them
        assertTrue(out.dense().length < 60 * D, "the table's 40 rows, not one block of 100 beyond them: "
                + out.dense().length / D);
    }

    /** Bug: a block far larger than the table reserved its rows (an ArithmeticException for 2^30 pages). */
    @Test
    void blockSizeLargerThanTheTableReservesAtMostTheTable() {
        InMemoryBlockSource source = table(1_000);
        TupleShuffle shuffle = new TupleShuffle(
                new BlockShuffle(BlockShuffle.Order.RANDOM, 1 << 30, 3, BlockShuffle.BlockHook.NONE), 1.0, 3);
        shuffle.open(source);
        TupleBuffer out = new TupleBuffer(source.shape(), 16);
        shuffle.nextBuffer(out);
        assertEquals(1_000, out.size());
        assertTrue(out.dense().length < 1_500 * D, "at most the table's rows in 1.5x steps: " + out.dense().length / D);
    }
}
