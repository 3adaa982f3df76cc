package org.corgipile.operators.strategy;

import org.corgipile.operators.BlockShuffle;
import org.corgipile.operators.BlockSource;
import org.corgipile.operators.TupleBuffer;

/**
 * The input side of the slot-based baselines ({@link SlidingWindowStrategy}'s window, {@link MrsStrategy}'s
 * reservoir): the table in storage order, one tuple at a time, plus the {@link SlotArena} of buffer_size tuples
 * they shuffle through. The arena is sized only once the first non-empty block is read, because a fractional
 * buffer_size is turned into a tuple count from that block's tuples per page ({@link ShuffleStrategy#windowTuples}).
 */
final class SlotFeed {
    private final BlockShuffle blocks;
    private final TupleBuffer incoming;
    private final BlockSource source;
    private final double bufferSize;
    private int position;
    private SlotArena slots;

    /** Opens the storage-order scan of {@code source}; the arena stays null until the first tuple is read. */
    SlotFeed(BlockSource source, ShuffleStrategy.Config config) {
        this.source = source;
        this.bufferSize = config.bufferSize();
        blocks = new BlockShuffle(BlockShuffle.Order.STORAGE, config.blockPages(), config.seed(), config.hook());
        blocks.open(source);
        incoming = new TupleBuffer(source.shape(), 1024);
    }

    /** Restarts the scan for epoch {@code epoch}; the arena and its contents are left to the strategy. */
    void rescan(int epoch) {
        blocks.rescan(epoch);
        incoming.clear();
        position = 0;
    }

    /**
     * Index in {@link #incoming()} of the next tuple in storage order, reading a new block when needed; -1 at the
     * end of the epoch.
     */
    int next() {
        while (position >= incoming.size()) {
            incoming.clear();
            position = 0;
            int n = blocks.nextBlock(incoming);
            if (n < 0) {
                return -1;
            }
            if (slots == null && n > 0) {
                int capacity = ShuffleStrategy.windowTuples(bufferSize, blocks.pageCount(), n,
                        blocks.lastBlockPages());
                slots = new SlotArena(source.shape(), capacity);
            }
        }
        return position++;
    }

    /** The buffer that holds the tuple {@link #next()} returned (valid until the next call). */
    TupleBuffer incoming() {
        return incoming;
    }

    /** The arena of buffer_size slots, or null while no tuple has been read yet. */
    SlotArena slots() {
        return slots;
    }

    void close() {
        blocks.close();
        slots = null;
    }
}
