package org.corgipile.operators;

/**
 * The seam between the SGD loop and the arithmetic of a model: mean loss and mean gradient of a mini-batch.
 *
 * <p>Every {@link org.corgipile.operators.model.Model} implements it on the CPU. Another implementation (an OpenCL
 * kernel from {@code gpu-gradients}) plugs in through a {@link GradientProvider}: either registered with
 * {@link java.util.ServiceLoader} (file {@code META-INF/services/org.corgipile.operators.GradientProvider}) and
 * chosen by {@code TrainSpec.device}, or passed explicitly to
 * {@link Trainer#train(TrainSpec, BlockSource, BlockSource, EpochListener, GradientProvider)}.
 *
 * <p>The parameter layout of each model is documented on its class; an implementation must produce exactly what the
 * CPU version produces (up to floating-point reassociation). Regularisation is not part of it: the SGD operator
 * adds L2 and applies L1 itself, so every implementation only differentiates the data loss.
 *
 * <p>Called only from the compute thread, one call at a time; implementations may keep scratch state.
 */
public interface BatchGradient {
    /**
     * Mean loss over rows {@code [from, to)} of {@code batch} at {@code params}, and the gradient of that mean
     * written to {@code gradOut} (overwritten, length = parameter count).
     *
     * <p>Labels arrive as stored: binary models read {@code y > 0} as the positive class (0/1 and -1/+1 both
     * work), softmax reads a class index, linear a value. Features are already standardised when the spec asks.
     */
    double lossAndGradient(double[] params, TupleBuffer batch, int from, int to, double[] gradOut);
}
