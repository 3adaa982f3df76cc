package org.corgipile.operators.strategy;

/**
 * Shuffle once, then read in that order every epoch: the operator-level equivalent of rewriting the table with
 * {@code ORDER BY random()} once (Bismarck; MADlib after a manual shuffle). One permutation, drawn at open from the
 * seed, reused by every epoch. Holds the table in memory; the in-database variant that really rewrites the table is
 * the extension's business.
 */
public final class ShuffleOnceStrategy extends WholeTableStrategy {
    public ShuffleOnceStrategy() {
        super(false);
    }

    @Override
    public String name() {
        return "shuffle_once";
    }
}
