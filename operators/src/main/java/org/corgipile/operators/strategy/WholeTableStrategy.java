package org.corgipile.operators.strategy;

import org.corgipile.operators.BlockSource;
import org.corgipile.operators.Seeds;
import org.corgipile.operators.TupleBuffer;

/**
 * The full-shuffle baselines: the whole table held in a {@link LoadedTable} and emitted through one random
 * permutation of all its tuples. They differ only in when that permutation is drawn — once at open from epoch 0's
 * stream ({@link ShuffleOnceStrategy}), or afresh from each epoch's stream ({@link EpochShuffleStrategy}), like
 * TensorFlow's {@code reshuffle_each_iteration}.
 */
abstract class WholeTableStrategy implements ShuffleStrategy {
    private final boolean reshuffleEachEpoch;
    private LoadedTable table;
    private long seed;

    WholeTableStrategy(boolean reshuffleEachEpoch) {
        this.reshuffleEachEpoch = reshuffleEachEpoch;
    }

    @Override
    public final void open(BlockSource source, Config config) {
        table = new LoadedTable(source, config, name());
        seed = config.seed();
        if (!reshuffleEachEpoch) {
            permute(0);
        }
    }

    @Override
    public final void rescan(int epoch) {
        if (reshuffleEachEpoch) {
            permute(epoch);
        }
        table.restart();
    }

    private void permute(int epoch) {
        table.permute(Seeds.derive(seed, Seeds.TUPLE_ORDER, epoch));
    }

    @Override
    public final boolean nextBuffer(TupleBuffer out) {
        return table.nextBuffer(out);
    }

    @Override
    public final void close() {
        table = null;
    }
}
