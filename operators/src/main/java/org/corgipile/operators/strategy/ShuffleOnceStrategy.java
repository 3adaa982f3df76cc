package org.corgipile.operators.strategy;

import org.corgipile.operators.BlockSource;
import org.corgipile.operators.Seeds;
import org.corgipile.operators.TupleBuffer;

/**
 * Shuffle once, then read in that order every epoch: the operator-level equivalent of rewriting the table with
 * {@code ORDER BY random()} once (Bismarck; MADlib after a manual shuffle). One permutation, drawn at open from the
 * seed, reused by every epoch. Holds the table in memory; the in-database variant that really rewrites the table is
 * the extension's business.
 */
public final class ShuffleOnceStrategy implements ShuffleStrategy {
    private LoadedTable table;

    @Override
    public String name() {
        return "shuffle_once";
    }

    @Override
    public void open(BlockSource source, Config config) {
        table = new LoadedTable(source, config);
        table.permute(Seeds.derive(config.seed(), Seeds.TUPLE_ORDER, 0));
    }

    @Override
    public void rescan(int epoch) {
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
