package org.corgipile.operators.strategy;

import org.corgipile.operators.BlockShuffle;
import org.corgipile.operators.BlockSource;
import org.corgipile.operators.TupleBuffer;

/**
 * A strategy that hands SGD whole blocks as they are read, tuples inside a block in storage order, in chunks of
 * {@link ShuffleStrategy#chunkTuples}: the two strategies without a tuple shuffle, which differ only in the block
 * order ({@link BlockOnlyStrategy}: random, {@link NoShuffleStrategy}: storage).
 */
abstract class BlockStreamStrategy implements ShuffleStrategy {
    private final BlockShuffle.Order order;
    private BlockShuffle blocks;

    BlockStreamStrategy(BlockShuffle.Order order) {
        this.order = order;
    }

    @Override
    public final void open(BlockSource source, Config config) {
        blocks = new BlockShuffle(order, config.blockPages(), config.seed(), config.hook());
        blocks.open(source);
    }

    @Override
    public final void rescan(int epoch) {
        blocks.rescan(epoch);
    }

    @Override
    public final boolean nextBuffer(TupleBuffer out) {
        out.clear();
        // standardised in place by Sgd.consume (settle) on the compute thread: a pass over every feature less on
        // the reading thread, which bounds storage order's warm epoch (docs/in-database.md, Performance)
        out.deferStandardization();
        return blocks.fillBlocks(out, ShuffleStrategy.chunkTuples(out.shape()));
    }

    @Override
    public final void close() {
        if (blocks != null) {
            blocks.close();
        }
    }
}
