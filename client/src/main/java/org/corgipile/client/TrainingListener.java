package org.corgipile.client;

import org.corgipile.operators.EpochStats;

/**
 * Progress of one {@link CorgiPile#train} call, reported on the calling thread (the CLI draws its progress bars
 * from it). Client mode reports progress inside an epoch (pages read so far) and each epoch's statistics; server
 * mode reports progress inside an epoch (tuples trained on so far, read from {@code corgipile.training_progress}
 * about every 100 ms) and each epoch when the extension's NOTICE for it arrives, with what the notice carries (loss,
 * accuracy, seconds, tuples; the full statistics are in the returned {@link TrainingRun}). Either way
 * {@link #epochFinished} is called once per epoch, in order.
 */
public interface TrainingListener {
    /** Training starts in {@code mode} for {@code epochs} epochs (0 when the engine decides, e.g. its default). */
    default void started(TrainMode mode, int epochs) {
    }

    /**
     * Inside epoch {@code epoch} (1-based), {@code done} of {@code total} units have been processed: pages read in
     * client mode, tuples trained on in server mode ({@code total} estimated during the first epoch).
     */
    default void epochProgress(int epoch, long done, long total) {
    }

    /** Epoch {@code stats.epoch()} is over. */
    default void epochFinished(EpochStats stats) {
    }

    /** A message from the engine (a server NOTICE or a client-side note such as skipped NULL rows). */
    default void message(String text) {
    }

    TrainingListener NONE = new TrainingListener() { };
}
