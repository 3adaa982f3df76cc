package org.corgipile.gpu;

import org.corgipile.operators.TupleBuffer;

/**
 * {@code device => 'auto'} with OpenCL picked: delegates to the OpenCL gradient until it reports that Aparapi fell
 * back from OpenCL, then disposes it, recomputes that batch with the Java reference, continues on Java and records
 * the switch in the {@link Selection}. The two compute the same gradient (to rounding), so training continues.
 */
final class FallbackGradient implements DenseGradient {
    private DenseGradient openCl;
    private DenseGradient java;
    private Selection selection;

    FallbackGradient(DenseGradient openCl) {
        this.openCl = openCl;
    }

    void reportTo(Selection selection) {
        this.selection = selection;
    }

    @Override
    public GradientModel model() {
        return openCl != null ? openCl.model() : java.model();
    }

    @Override
    public double lossAndGradient(double[] params, TupleBuffer batch, int from, int to, double[] gradOut) {
        if (openCl != null) {
            try {
                return openCl.lossAndGradient(params, batch, from, to, gradOut);
            } catch (DeviceUnavailableException e) {
                GradientModel model = openCl.model();
                openCl.close();
                openCl = null;
                java = GradientDevices.javaGradient(model);
                if (selection != null) {
                    selection.switchedToJava("auto: switched to Java during training because " + e.getMessage());
                }
            }
        }
        return java.lossAndGradient(params, batch, from, to, gradOut);
    }

    @Override
    public void close() {
        if (openCl != null) {
            openCl.close();
        }
    }
}
