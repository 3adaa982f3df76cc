package org.corgipile.operators;

/**
 * What a running training is doing right now, readable from any thread: the values are volatile snapshots the
 * trainer publishes at least every 256 mini-batches of the compute thread and at every phase change. Inside
 * PostgreSQL the backend's main thread reads it while it waits for the compute thread, to show the progress in
 * {@code corgipile.training_progress}.
 */
public interface TrainingProgress {
    /** Current epoch (1-based), 0 before the first. */
    int epoch();

    /** {@code profile} (standardisation / class scan), {@code train}, {@code evaluate} or {@code validate}. */
    String phase();

    /** Tuples trained on in the current epoch so far. */
    long tuples();

    /** Mean pre-update mini-batch loss of the current epoch so far (NaN before the first batch). */
    double runningLoss();
}
