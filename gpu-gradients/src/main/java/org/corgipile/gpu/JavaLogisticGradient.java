package org.corgipile.gpu;

/** Logistic loss (binary cross-entropy on a sigmoid) on the JVM, in the overflow-free form. */
public final class JavaLogisticGradient extends JavaGlmGradient {
    public JavaLogisticGradient(int width) {
        super(GradientModel.logistic(width));
    }

    @Override
    double lossAndSlope(double[] z, double target) {
        double v = z[0];
        z[0] = sigmoid(v) - target;
        return logisticLoss(v, target);
    }

    /** {@code log(1 + e^z) - t z} without overflow for large |z|. */
    static double logisticLoss(double z, double t) {
        return Math.max(z, 0) - z * t + Math.log(1 + Math.exp(-Math.abs(z)));
    }

    static double sigmoid(double z) {
        if (z >= 0) {
            return 1 / (1 + Math.exp(-z));
        }
        double e = Math.exp(z);
        return e / (1 + e);
    }
}
