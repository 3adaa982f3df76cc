package org.corgipile.operators.strategy;

import org.corgipile.operators.BlockShuffle;

/**
 * Storage order every epoch — what MADlib's in-database gradient descent does (one aggregate scan per epoch). The
 * cheapest read and, on a table clustered by label, the worst convergence.
 */
public final class NoShuffleStrategy extends BlockStreamStrategy {
    public NoShuffleStrategy() {
        super(BlockShuffle.Order.STORAGE);
    }

    @Override
    public String name() {
        return "none";
    }
}
