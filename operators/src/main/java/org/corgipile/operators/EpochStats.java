package org.corgipile.operators;

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
}
