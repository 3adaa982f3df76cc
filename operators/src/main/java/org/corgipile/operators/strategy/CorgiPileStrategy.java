package org.corgipile.operators.strategy;

import org.corgipile.operators.BlockShuffle;
import org.corgipile.operators.BlockSource;
import org.corgipile.operators.TupleBuffer;
import org.corgipile.operators.TupleShuffle;

/**
 * The paper's two-level shuffle: {@link BlockShuffle} visits blocks in a fresh random order every epoch, and
 * {@link TupleShuffle} shuffles the tuples of buffer_size worth of blocks with a fresh permutation per buffer. Each
 * buffer is one unit of double buffering: SGD trains on buffer k while buffer k+1 is read.
 */
public final class CorgiPileStrategy implements ShuffleStrategy {
    private TupleShuffle shuffle;

    @Override
    public String name() {
        return "corgipile";
    }

    @Override
    public void open(BlockSource source, Config config) {
        BlockShuffle blocks = new BlockShuffle(BlockShuffle.Order.RANDOM, config.blockPages(), config.seed(),
                config.hook());
        shuffle = new TupleShuffle(blocks, config.bufferSize(), config.seed(), config.batchSize());
        shuffle.open(source);
    }

    @Override
    public void rescan(int epoch) {
        shuffle.rescan(epoch);
    }

    @Override
    public boolean nextBuffer(TupleBuffer out) {
        return shuffle.nextBuffer(out);
    }

    @Override
    public void close() {
        if (shuffle != null) {
            shuffle.close();
        }
    }
}
