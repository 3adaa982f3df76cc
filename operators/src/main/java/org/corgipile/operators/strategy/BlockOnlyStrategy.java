package org.corgipile.operators.strategy;

import org.corgipile.operators.BlockShuffle;

/**
 * Ablation of CorgiPile without the tuple buffer: blocks in a fresh random order every epoch, tuples inside a
 * block in storage order. Shows how much of CorgiPile's convergence comes from the in-memory shuffle.
 */
public final class BlockOnlyStrategy extends BlockStreamStrategy {
    public BlockOnlyStrategy() {
        super(BlockShuffle.Order.RANDOM);
    }

    @Override
    public String name() {
        return "block_only";
    }
}
