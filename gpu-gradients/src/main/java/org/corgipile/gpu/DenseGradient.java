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
