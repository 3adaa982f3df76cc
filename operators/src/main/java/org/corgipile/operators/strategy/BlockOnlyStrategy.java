package org.corgipile.operators.strategy;

import org.corgipile.operators.BlockShuffle;
import org.corgipile.operators.BlockSource;
import org.corgipile.operators.TupleBuffer;

/**
 * Ablation of CorgiPile without the tuple buffer: blocks in a fresh random order every epoch, tuples inside a
 * block in storage order. Shows how much of CorgiPile's convergence comes from the in-memory shuffle.
 */
public final class BlockOnlyStrategy implements ShuffleStrategy {
    private BlockShuffle blocks;

    @Override
    public String name() {
        return "block_only";
    }

    @Override
    public void open(BlockSource source, Config config) {
        blocks = new BlockShuffle(BlockShuffle.Order.RANDOM, config.blockPages(), config.seed(), config.hook());
        blocks.open(source);
    }

    @Override
    public void rescan(int epoch) {
        blocks.rescan(epoch);
    }

    @Override
    public boolean nextBuffer(TupleBuffer out) {
        out.clear();
        return blocks.fillBlocks(out, CHUNK_TUPLES);
    }

    @Override
    public void close() {
        if (blocks != null) {
            blocks.close();
        }
    }
}
