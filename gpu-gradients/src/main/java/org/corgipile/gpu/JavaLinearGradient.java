package org.corgipile.gpu;

/** Least squares, {@code 0.5 (z - y)^2}, on the JVM. */
public final class JavaLinearGradient extends JavaGlmGradient {
    public JavaLinearGradient(int width) {
        super(GradientModel.linear(width));
    }

    @Override
    double lossAndSlope(double[] z, double target) {
        double r = z[0] - target;
        z[0] = r;
        return 0.5 * r * r;
    }
}
