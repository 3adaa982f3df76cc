package org.corgipile.gpu;

/** Multinomial logistic regression (softmax cross-entropy over {@code classes} outputs) on the JVM. */
public final class JavaSoftmaxGradient extends JavaGlmGradient {
    public JavaSoftmaxGradient(int width, int classes) {
        super(GradientModel.softmax(width, classes));
    }

    @Override
    double lossAndSlope(double[] z, double target) {
        return softmaxLossAndSlope(z, 0, z.length, (int) target);
    }

    /**
     * Cross-entropy of the logits {@code z[off .. off+k)} against class {@code label}; replaces the logits by
     * {@code softmax - onehot}. Shared with the MLP's output layer.
     */
    static double softmaxLossAndSlope(double[] z, int off, int k, int label) {
        double max = z[off];
        for (int c = 1; c < k; c++) {
            max = Math.max(max, z[off + c]);
        }
        double sum = 0;
        for (int c = 0; c < k; c++) {
            sum += Math.exp(z[off + c] - max);
        }
        double lse = max + Math.log(sum);
        double loss = lse - z[off + label];
        for (int c = 0; c < k; c++) {
            z[off + c] = Math.exp(z[off + c] - lse) - (c == label ? 1.0 : 0.0);
        }
        return loss;
    }
}
