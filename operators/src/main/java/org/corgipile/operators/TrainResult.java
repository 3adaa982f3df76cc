package org.corgipile.operators;

import java.util.List;

/**
 * What {@link Trainer#train} returns: the model (the best one by validation loss when early stopping is on) and one
 * {@link EpochStats} per epoch that ran.
 */
public record TrainResult(TrainedModel model, List<EpochStats> epochs) {
    public TrainResult {
        epochs = List.copyOf(epochs);
    }
}
