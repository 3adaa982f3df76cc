package org.corgipile.operators.strategy;

import java.util.SplittableRandom;
import org.corgipile.operators.BlockShuffle;
import org.corgipile.operators.BlockSource;
import org.corgipile.operators.FisherYates;
import org.corgipile.operators.TupleBuffer;

/**
 * The whole relation in memory with an emission permutation: what the full-shuffle strategies need. Loading reads
 * every block once in storage order (through the hook, so validation and standardisation happen once); emitting
 * copies tuples in permutation order into the trainer's buffers, {@link ShuffleStrategy#chunkTuples} at a time.
 * Memory: the whole table (e.g. 10M x 28 dense = 2.3 GB), which is why these are baselines.
 */
final class LoadedTable {
    private final BlockSource source;
    private final TupleBuffer all;
    private int[] perm;
    private int position;

    LoadedTable(BlockSource source, ShuffleStrategy.Config config) {
        this.source = source;
        BlockShuffle blocks = new BlockShuffle(BlockShuffle.Order.STORAGE, config.blockPages(), config.seed(),
                config.hook());
        blocks.open(source);
        all = new TupleBuffer(source.shape(), 1024);
        while (blocks.nextBlock(all) >= 0) {
            // reads every block
        }
        blocks.close();
        perm = new int[all.size()];
        FisherYates.identity(perm);
    }

    /** Replaces the emission order by a fresh Fisher–Yates permutation from {@code seed}. */
    void permute(long seed) {
        FisherYates.permute(perm, new SplittableRandom(seed));
    }

    /** Restarts emission from the first tuple of the current permutation. */
    void restart() {
        position = 0;
    }

    boolean nextBuffer(TupleBuffer out) {
        out.clear();
        if (position >= perm.length) {
            return false;
        }
        source.checkInterrupts();
        int end = Math.min(perm.length, position + ShuffleStrategy.chunkTuples(out.shape()));
        for (; position < end; position++) {
            out.addFrom(all, perm[position]);
        }
        return true;
    }
}
