package org.corgipile.operators.strategy;

import org.corgipile.operators.BlockSource;
import org.corgipile.operators.Seeds;
import org.corgipile.operators.TupleBuffer;

/**
 * A full random permutation of all tuples, fresh every epoch: the convergence ideal the paper measures against.
 * Loads the table into memory once (reading it again each epoch in random tuple order is the I/O worst case this
 * baseline stands for, and would not change the order SGD sees).
 */
public final class EpochShuffleStrategy implements ShuffleStrategy {
    private LoadedTable table;
    private long seed;

    @Override
    public String name() {
        return "epoch_shuffle";
    }

    @Override
    public void open(BlockSource source, Config config) {
        table = new LoadedTable(source, config);
        seed = config.seed();
    }

    @Override
    public void rescan(int epoch) {
        table.permute(Seeds.derive(seed, Seeds.TUPLE_ORDER, epoch));
        table.restart();
    }

    @Override
    public boolean nextBuffer(TupleBuffer out) {
        return table.nextBuffer(out);
    }

    @Override
    public void close() {
        table = null;
    }
}
