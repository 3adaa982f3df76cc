package org.corgipile.bench.engine;

/**
 * What an engine reports for one epoch. Metrics an engine does not report are {@code NaN} (JSON null).
 *
 * @param epoch         1-based epoch number
 * @param seconds       wall time of the epoch's training pass
 * @param trainLoss     training loss of the epoch
 * @param trainAccuracy training accuracy of the epoch
 * @param testLoss      loss on the test relation after the epoch
 * @param testAccuracy  accuracy on the test relation after the epoch
 * @param learningRate  learning rate used in the epoch
 * @param tuples        tuples consumed by the epoch
 */
public record EpochResult(int epoch, double seconds, double trainLoss, double trainAccuracy, double testLoss,
                          double testAccuracy, double learningRate, long tuples) {
}
