package org.corgipile.bench.engine;

/**
 * What the engine reports for one epoch. Metrics it does not report are {@code NaN} (JSON null), counts it does not
 * report are -1.
 *
 * @param epoch           1-based epoch number
 * @param seconds         wall time of the epoch's training pass ({@code train_sgd}'s {@code seconds})
 * @param trainLoss       training loss of the epoch (the running loss of the pass by default)
 * @param trainAccuracy   training accuracy (by default of a sample of the training rows; every row with
 *                        {@code train_metrics => 'pass'})
 * @param testLoss        loss on the test relation after the epoch
 * @param testAccuracy    accuracy on the test relation after the epoch
 * @param learningRate    learning rate used in the epoch
 * @param tuples          tuples consumed by the epoch
 * @param readSeconds     of {@code seconds}: the reading thread's time producing buffers (read, decode, shuffle)
 * @param computeSeconds  of {@code seconds}: the compute thread's time in SGD (overlaps the reading)
 * @param readWaitSeconds of {@code readSeconds}: the reading thread's time blocked on the compute thread (waiting
 *                        for a free buffer: the hand-off of double buffering), NaN when not reported
 * @param readHelpSeconds of {@code readWaitSeconds}: the part the reading thread spent helping the compute thread
 *                        with CorgiPile's shuffled gather instead of idling (the epoch log's
 *                        {@code read_help_seconds}), NaN when not reported (strategies without that gather report
 *                        0; results written before it was recorded read back as NaN)
 * @param evalSeconds     time of the metric passes after the epoch (test relation; not in {@code seconds})
 * @param profileSeconds  epoch 1 only: the engine's profile pass before the first epoch (the feature statistics of
 *                        standardisation, a storage-order read of the table; not in {@code seconds}), else 0
 * @param probeSeconds    epoch 1 only: the storage probe before the profile pass (the device-aware block size's
 *                        timing of the device, once per session: epoch_log's {@code probe_seconds}; not in
 *                        {@code seconds}), else 0
 * @param deviceBytesRead bytes the training backend read from the storage device in the epoch (its
 *                        {@code /proc/<pid>/io} read_bytes), -1 when not reported (client mode)
 * @param deviceReadRequests read requests the server's blkio group issued in the epoch (the engine's epoch log
 *                        {@code device_read_requests}, counted like the bytes; nearly all the training backend's,
 *                        from another counter than the bytes, so a few can land in the neighbouring epoch),
 *                        -1 when not reported (client mode, a server in no blkio group); results.json written
 *                        before it was recorded reads back as 0
 */
public record EpochResult(int epoch, double seconds, double trainLoss, double trainAccuracy, double testLoss,
                          double testAccuracy, double learningRate, long tuples, double readSeconds,
                          double computeSeconds, double readWaitSeconds, double readHelpSeconds, double evalSeconds,
                          double profileSeconds, double probeSeconds,
                          long deviceBytesRead, long deviceReadRequests) {

    /**
     * A probe that did not run took no time: results.json written before {@code probeSeconds} existed read it back as
     * missing (NaN), which would make every end-to-end time NaN.
     */
    public EpochResult {
        if (Double.isNaN(probeSeconds)) {
            probeSeconds = 0;
        }
    }

    /** What this epoch adds to end-to-end time: the engine's work before it (probe, profile pass) and its pass. */
    public double endToEndSeconds() {
        return probeSeconds + profileSeconds + seconds;
    }
}
