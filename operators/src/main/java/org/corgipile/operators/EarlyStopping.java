package org.corgipile.operators;

/**
 * The early-stopping rule of {@code early_stop_patience = p}: training stops after p epochs in a row without a lower
 * monitored loss (validation loss with a validation relation, else the training loss), and the model of the best
 * epoch is kept. One rule for one server ({@link Trainer}) and for a sharded run's coordinator, which feeds it the
 * averaged model's losses.
 */
public final class EarlyStopping {
    private final int patience;
    private double bestLoss = Double.POSITIVE_INFINITY;
    private int bestEpoch;
    private int sinceBest;

    /** @param patience epochs without improvement before stopping, at least 1 */
    public EarlyStopping(int patience) {
        if (patience < 1) {
            throw new IllegalArgumentException("patience must be at least 1, got " + patience);
        }
        this.patience = patience;
    }

    /**
     * Records epoch {@code epoch}'s monitored loss (NaN never improves).
     *
     * @return true when it is the best so far (keep this epoch's model)
     */
    public boolean observe(int epoch, double loss) {
        if (loss < bestLoss) {
            bestLoss = loss;
            bestEpoch = epoch;
            sinceBest = 0;
            return true;
        }
        sinceBest++;
        return false;
    }

    /** True when the last {@code patience} epochs brought no improvement: stop training. */
    public boolean exhausted() {
        return sinceBest >= patience;
    }

    /** The epoch with the lowest monitored loss so far, 0 before any. */
    public int bestEpoch() {
        return bestEpoch;
    }
}
