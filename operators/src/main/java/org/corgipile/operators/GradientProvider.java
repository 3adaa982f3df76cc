package org.corgipile.operators;

import org.corgipile.operators.model.Model;

/**
 * Supplies a {@link BatchGradient} for a model on some device. The CPU path needs none (every model is its own
 * gradient); {@code gpu-gradients} registers one with {@link java.util.ServiceLoader} under
 * {@code META-INF/services/org.corgipile.operators.GradientProvider}.
 *
 * <p>How {@link Trainer} chooses, from {@code TrainSpec.device}: {@code cpu} uses the model itself; {@code gpu}
 * asks each registered provider for {@link #device()} "gpu" and fails (SQLSTATE 0A000) when none returns a
 * gradient; {@code auto} tries the providers and falls back to the CPU. The device actually used is recorded in
 * {@code TrainedModel.params().get("device")}.
 */
public interface GradientProvider {
    /** Device family this provider serves, e.g. "gpu". */
    String device();

    /** Short name for provenance, e.g. "opencl:pthread-cpu". */
    String name();

    /**
     * A gradient for {@code model} on this device, or null when this provider cannot serve it (model type, sparse
     * features, no device present). Called on the calling thread before training starts.
     *
     * @param maxBatchRows the largest {@code to - from} the trainer will ask for (the spec's batch_size)
     */
    BatchGradient create(Model model, FeatureShape shape, int maxBatchRows);

    /**
     * Like {@link #create(Model, FeatureShape, int)}, knowing what the user asked for: with {@code "gpu"} a
     * provider that cannot serve may throw a {@link TrainingException} that says why (no device, ...); with
     * {@code "auto"} it may also decline where its device would not pay. The {@link Trainer} calls this one.
     */
    default BatchGradient create(Model model, FeatureShape shape, int maxBatchRows, String requestedDevice) {
        return create(model, shape, maxBatchRows);
    }

    /** Releases device resources; called on the calling thread after training, also after a failure. */
    default void release(BatchGradient gradient) {
    }
}
