package org.corgipile.operators;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@link Trainer#train} returns: the model (the best one by validation loss when early stopping is on), one
 * {@link EpochStats} per epoch that ran, the spec as trained (derived block and buffer sizes filled in: what to
 * store as provenance) and those sizes.
 */
public record TrainResult(TrainedModel model, List<EpochStats> epochs, TrainSpec spec, Sizing sizing) {
    public TrainResult {
        epochs = List.copyOf(epochs);
    }

    /** The epoch whose model is returned: the best one with early stopping, else the last. */
    public int keptEpoch() {
        Object best = model.params().get("best_epoch");
        return best instanceof Number n ? n.intValue() : epochs.size();
    }

    /** True when early stopping ended training before the requested number of epochs. */
    public boolean stoppedEarly() {
        return epochs.size() < spec.epochs();
    }

    /**
     * What early stopping did, for a NOTICE (null without early stopping): whether it stopped training and which
     * epoch's model is kept, with that epoch's monitored loss.
     */
    public String earlyStopNote() {
        if (spec.earlyStopPatience() == 0 || epochs.isEmpty()) {
            return null;
        }
        EpochStats k = epochs.get(keptEpoch() - 1);
        String loss = Double.isNaN(k.validationLoss()) ? String.format(Locale.ROOT, "training loss %.6f", k.loss())
                : String.format(Locale.ROOT, "validation loss %.6f", k.validationLoss());
        return (stoppedEarly() ? "early stopping: no lower loss for " + spec.earlyStopPatience()
                + " epochs, stopped after epoch " + epochs.size() + " of " + spec.epochs()
                : "early stopping: ran all " + epochs.size() + " epochs")
                + "; the model kept is epoch " + k.epoch() + "'s (" + loss + ")";
    }

    /**
     * What a catalog stores as the model's metrics: the kept epoch's statistics (as {@code epochRow} renders an
     * epoch), plus "kept_epoch", "epochs_run" and "stopped_early" when early stopping was on.
     */
    public <M extends Map<String, Object>> M keptMetrics(java.util.function.Function<EpochStats, M> epochRow) {
        M m = epochRow.apply(epochs.get(keptEpoch() - 1));
        if (spec.earlyStopPatience() > 0) {
            m.put("kept_epoch", keptEpoch());
            m.put("epochs_run", epochs.size());
            m.put("stopped_early", stoppedEarly());
        }
        return m;
    }
}
