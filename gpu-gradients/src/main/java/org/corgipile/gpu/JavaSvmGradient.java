package org.corgipile.gpu;

/** Hinge loss {@code max(0, 1 - y z)} with y in {-1, +1} (a linear SVM without its regulariser) on the JVM. */
public final class JavaSvmGradient extends JavaGlmGradient {
    public JavaSvmGradient(int width) {
        super(GradientModel.svm(width));
    }

    @Override
    double lossAndSlope(double[] z, double target) {
        double m = target * z[0];
        z[0] = m < 1 ? -target : 0.0;
        return Math.max(0, 1 - m);
    }
}
