package org.corgipile.bench.convergence;

import java.util.List;

/**
 * The runs of one case in one layout, plus scikit-learn's references (NaN when not installed).
 *
 * @param pages   heap pages of the training table
 * @param sizing  the NOTICE train_sgd gave for the block and buffer sizes of the defaults
 */
record CaseResult(ConvergenceCase kase, String layout, long trainRows, long pages, String sizing,
                  List<ConvergenceRun> runs, double sklearnSgd, double sklearnLogreg) {
    ConvergenceRun run(String strategy, boolean tuned) {
        for (ConvergenceRun r : runs) {
            if (r.strategy().equals(strategy) && r.tuned() == tuned) {
                return r;
            }
        }
        return null;
    }

    /** The full-shuffle reference: epoch_shuffle with the best learning rate of the grid. */
    ConvergenceRun reference() {
        return run("epoch_shuffle", true);
    }

    /**
     * The criterion: the defaults' corgipile ends within 0.5 points of the reference (or above it) and
     * settles within 2 epochs of it.
     */
    boolean defaultsMatchReference() {
        ConvergenceRun d = run("corgipile", false);
        ConvergenceRun ref = reference();
        if (d == null || ref == null) {
            return false;
        }
        return (ref.last() - d.last()) * 100 <= ConvergenceRun.TOLERANCE
                && d.settledEpoch() <= ref.settledEpoch() + 2;
    }
}
