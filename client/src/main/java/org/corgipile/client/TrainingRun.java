package org.corgipile.client;

import java.util.List;

import org.corgipile.operators.EpochStats;

/**
 * What {@link CorgiPile#train} returns: the stored model, one {@link EpochStats} per epoch that ran, and the mode
 * the training actually ran in ({@link TrainMode#AUTO} resolved).
 */
public record TrainingRun(ModelHandle model, List<EpochStats> epochs, TrainMode mode) {
    public TrainingRun {
        epochs = List.copyOf(epochs);
    }

    /** The statistics of the last epoch. */
    public EpochStats last() {
        return epochs.get(epochs.size() - 1);
    }
}
