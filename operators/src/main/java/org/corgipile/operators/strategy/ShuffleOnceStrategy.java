package org.corgipile.operators.strategy;

/**
 * Shuffle once, then read in that order every epoch: the operator-level equivalent of rewriting the table with
 * {@code ORDER BY random()} once (Bismarck; MADlib after a manual shuffle). One permutation, drawn at open from the
 * seed, reused by every epoch. Holds the table in memory: the form for the operators alone and for one server's
 * share of a sharded table (its rows cannot be copied elsewhere). Against a database, train_sgd, the client and the
 * benchmark shuffle once with one copy made in the database ({@code corgipile.shuffle_once_copy}, the same order for
 * a seed in every mode) and train {@code none} over it.
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
