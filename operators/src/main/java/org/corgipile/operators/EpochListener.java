package org.corgipile.operators;

/**
 * Told about progress on the thread that called {@link Trainer#train}; inside PostgreSQL that is the backend's main
 * thread, so a listener may raise a NOTICE or update pg_stat_activity.
 */
public interface EpochListener {
    /**
     * Called once before the first epoch with the block and buffer sizes in use (derived from the table where not
     * given, see {@link Sizing}).
     */
    default void sized(Sizing sizing) {
    }

    /**
     * Called once before the first epoch, after {@link #sized}, when defaults that depend on the data were filled
     * in (learning_rate, standardize): one line saying what was chosen and why ({@link
     * TrainSpec#describeDataDefaults}).
     */
    default void derived(String description) {
    }

    /**
     * Called once, before any reading: {@code progress} shows the training's state from now until it returns (see
     * {@link TrainingProgress}); a listener may poll it, e.g. while the source waits.
     */
    default void progressAvailable(TrainingProgress progress) {
    }

    /** Called when an epoch starts (1-based). */
    default void epochStarted(int epoch, int epochs) {
    }

    /**
     * Called before ({@code done} false) and after ({@code done} true) the calling thread reads epoch
     * {@code epoch}'s first buffer ahead, between {@link #epochStarted} and {@link #epochFinished} of the epoch
     * before it (while SGD finishes that one): what a listener counts per epoch of the data read, such as device
     * bytes, belongs to {@code epoch}.
     */
    default void readAhead(int epoch, boolean done) {
    }

    /** Called after each epoch with its statistics. */
    default void epochFinished(EpochStats stats) {
    }

    EpochListener NONE = new EpochListener() { };
}
