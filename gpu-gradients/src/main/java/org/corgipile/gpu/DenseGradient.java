package org.corgipile.gpu;

import org.corgipile.operators.BatchGradient;
import org.corgipile.operators.TupleBuffer;

/**
 * Mean loss and averaged gradient of a model over a slice of a dense batch: the unit of work a device computes.
 * Implementations exist for the JVM ({@code Java*Gradient}, also the test oracle) and for OpenCL
 * ({@link OpenClGlmGradient}, {@link OpenClMlpGradient}).
 *
 * <p>It is the operators' {@link BatchGradient} plus what a device needs: the model shape it was built for and
 * {@link #close()}. Not thread-safe: one instance per training, called from the compute thread only.
 *
 * <p><b>Contract with the operators' models.</b> The models' own gradients live in {@code operators}
 * ({@code org.corgipile.operators.model}); this module carries a second implementation of each (the
 * {@code Java*Gradient} classes, which sum in the kernels' order so that they can be the kernels' exact oracle,
 * and the OpenCL kernels). Both are held to the operators' models by {@code OperatorsModelParityTest}: for every
 * model type (linear, logistic, svm, softmax, mlp with one and two hidden layers, both binary label encodings) the
 * Java reference and the kernel equal the operators' {@code Model.lossAndGradient} (loss and gradient, 1e-9
 * relative; the Java reference's loss 1e-12).
 * That test is the contract: a change to a model's loss, gradient, parameter layout or label convention in
 * {@code operators} must be made here too, and the test fails until it is.
 */
public interface DenseGradient extends BatchGradient, AutoCloseable {

    /** The model this gradient belongs to (fixes the parameter layout and label convention). */
    GradientModel model();

    /**
     * Computes the mean loss over rows {@code [from, to)} of {@code batch} and writes the gradient of that mean
     * loss with respect to {@code params} into {@code gradOut} (overwritten, not accumulated). Regularisation is
     * not included: the optimiser adds it.
     *
     * @param params  {@link GradientModel#paramCount()} parameters, laid out as {@link GradientModel} describes
     * @param gradOut at least {@link GradientModel#paramCount()} long
     * @return mean loss over the rows
     */
    @Override
    double lossAndGradient(double[] params, TupleBuffer batch, int from, int to, double[] gradOut);

    /** Releases device resources; the JVM implementations hold none. */
    @Override
    default void close() {
    }
}
