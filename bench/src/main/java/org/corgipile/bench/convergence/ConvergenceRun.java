package org.corgipile.bench.convergence;

import java.util.List;

/**
 * One train_sgd call of the convergence benchmark and its test accuracy per epoch.
 *
 * @param strategy     the shuffle strategy
 * @param tuned        false: the defaults (only relation, label, features, model); true: best learning rate of the
 *                     grid
 * @param learningRate the learning rate of a tuned run, NaN for the defaults
 * @param accuracy     test accuracy after each epoch
 * @param seconds      training seconds (sum of the epochs)
 */
record ConvergenceRun(String strategy, boolean tuned, double learningRate, List<Double> accuracy, double seconds) {
    /** Points (percent) within which a run counts as converged. */
    static final double TOLERANCE = 0.5;

    double last() {
        return accuracy.isEmpty() ? Double.NaN : accuracy.get(accuracy.size() - 1);
    }

    /** The first epoch from which every later epoch stays within {@link #TOLERANCE} points of the final one. */
    int settledEpoch() {
        int e = accuracy.size();
        while (e > 1 && Math.abs(accuracy.get(e - 2) - last()) * 100 <= TOLERANCE) {
            e--;
        }
        return e;
    }

    String label() {
        return strategy + (tuned ? " tuned (lr " + learningRate + ")" : " defaults");
    }
}
