package org.corgipile.operators;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one epoch of training reports. Metrics that do not apply to the model are {@code Double.NaN} here and NULL
 * in SQL (e.g. accuracy for linear regression, validation metrics without a validation relation).
 *
 * @param extra further metrics by name: "auc", "log_loss" (binary), "rmse", "mae", "r2" (regression), ...
 */
public record EpochStats(int epoch, double loss, double accuracy, double validationLoss,
                         double validationAccuracy, double learningRate, double seconds, long tuples,
                         Map<String, Double> extra) {
    /** The extra of epoch 1 with shuffle_once: the seconds of the shuffled copy, included in its seconds. */
    public static final String SHUFFLE_ONCE_SECONDS = "shuffle_once_seconds";

    /**
     * This epoch with {@code seconds} of preparation before it counted in its time and reported under
     * {@code extra[key]}: shuffle_once's copy is part of epoch 1 in every mode (the extension, the client).
     */
    public EpochStats withPreparation(String key, double seconds) {
        Map<String, Double> more = new LinkedHashMap<>(extra == null ? Map.of() : extra);
        more.put(key, seconds);
        return new EpochStats(epoch, loss, accuracy, validationLoss, validationAccuracy, learningRate,
                this.seconds + seconds, tuples, Collections.unmodifiableMap(more));
    }
}
