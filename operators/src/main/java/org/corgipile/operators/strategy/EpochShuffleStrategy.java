package org.corgipile.operators.strategy;

/**
 * A full random permutation of all tuples, fresh every epoch: the convergence ideal the paper measures against.
 * Loads the table into memory once (reading it again each epoch in random tuple order is the I/O worst case this
 * baseline stands for, and would not change the order SGD sees).
 */
public final class EpochShuffleStrategy extends WholeTableStrategy {
    public EpochShuffleStrategy() {
        super(true);
    }

    @Override
    public String name() {
        return "epoch_shuffle";
    }
}
