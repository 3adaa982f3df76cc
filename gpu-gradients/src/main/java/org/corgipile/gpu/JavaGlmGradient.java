package org.corgipile.gpu;

import org.corgipile.operators.TupleBuffer;

/**
 * The plain-Java gradient of a generalised linear model with {@code K} outputs ({@code z = W x + b}); subclasses
 * only say how a row's outputs turn into a loss and into {@code dLoss/dz}. This is the CPU path of
 * {@code device => 'cpu'} and the oracle the OpenCL kernel is tested against, so it sums in the same order as the
 * kernel (each gradient entry over rows in ascending order, divided by the row count at the end). It computes what
 * the operators' models compute; {@code OperatorsModelParityTest} is that contract (see {@link DenseGradient}).
 */
abstract class JavaGlmGradient implements DenseGradient {
    private final GradientModel model;
    private final double[] z;

    JavaGlmGradient(GradientModel model) {
        this.model = model;
        this.z = new double[model.outputs()];
    }

    @Override
    public final GradientModel model() {
        return model;
    }

    /**
     * Replaces the outputs {@code z} of one row by {@code dLoss/dz} and returns the row's loss.
     *
     * @param target the label mapped by {@link BatchArguments#target}
     */
    abstract double lossAndSlope(double[] z, double target);

    @Override
    public final double lossAndGradient(double[] params, TupleBuffer batch, int from, int to, double[] gradOut) {
        int n = BatchArguments.check(model, params, batch, from, to, gradOut);
        int d = model.width();
        int k = model.outputs();
        java.util.Arrays.fill(gradOut, 0, model.paramCount(), 0.0);
        double[] x = batch.dense();
        double loss = 0;
        for (int r = from; r < to; r++) {
            int xo = r * d;
            for (int o = 0; o < k; o++) {
                double s = 0;
                int wo = o * (d + 1);
                for (int j = 0; j < d; j++) {
                    s += params[wo + j] * x[xo + j];
                }
                z[o] = s + params[wo + d];
            }
            loss += lossAndSlope(z, BatchArguments.target(model, batch.label(r)));
            for (int o = 0; o < k; o++) {
                double c = z[o];
                int go = o * (d + 1);
                for (int j = 0; j < d; j++) {
                    gradOut[go + j] += c * x[xo + j];
                }
                gradOut[go + d] += c;
            }
        }
        for (int i = 0; i < model.paramCount(); i++) {
            gradOut[i] /= n;
        }
        return loss / n;
    }
}
