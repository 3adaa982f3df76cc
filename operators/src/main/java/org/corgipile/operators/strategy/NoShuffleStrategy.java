package org.corgipile.operators.strategy;

import org.corgipile.operators.BlockShuffle;
import org.corgipile.operators.BlockSource;
import org.corgipile.operators.TupleBuffer;

/**
 * Storage order every epoch — what MADlib's in-database gradient descent does (one aggregate scan per epoch). The
 * cheapest read and, on a table clustered by label, the worst convergence.
 */
public final class NoShuffleStrategy implements ShuffleStrategy {
    private BlockShuffle blocks;

    @Override
    public String name() {
        return "none";
    }

    @Override
    public void open(BlockSource source, Config config) {
        blocks = new BlockShuffle(BlockShuffle.Order.STORAGE, config.blockPages(), config.seed(), config.hook());
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
