package org.corgipile.gpu;

import java.util.Arrays;
import org.corgipile.operators.TupleBuffer;

/**
 * A multi-layer perceptron with 1 or 2 ReLU hidden layers and a softmax (or, with one class, sigmoid) output,
 * trained with cross-entropy; forward and backward pass row by row on the JVM. The CPU path and the oracle of
 * {@link OpenClMlpGradient}: every sum runs in the order the kernel uses (dot products over inputs ascending,
 * back-propagated sums over next-layer units ascending, gradient entries over rows ascending). It computes what the
 * operators' {@code MlpModel} computes; {@code OperatorsModelParityTest} is that contract (see {@link DenseGradient}).
 */
public final class JavaMlpGradient implements DenseGradient {
    private final GradientModel model;
    private final int[] widths;
    private final int[] weightOffsets;
    private final double[][] act;    // act[l] = output of layer l (act[0] unused: the input row is read in place)
    private final double[][] delta;  // delta[l] = dLoss/dz of layer l's pre-activation

    public JavaMlpGradient(GradientModel model) {
        if (model.kind() != GradientModel.Kind.MLP) {
            throw new IllegalArgumentException("JavaMlpGradient needs an mlp model, got " + model);
        }
        this.model = model;
        this.widths = model.layerWidths();
        int layers = widths.length - 1;
        this.weightOffsets = new int[layers + 1];
        for (int l = 0; l <= layers; l++) {
            weightOffsets[l] = model.weightOffset(l);
        }
        this.act = new double[layers + 1][];
        this.delta = new double[layers + 1][];
        for (int l = 1; l <= layers; l++) {
            act[l] = new double[widths[l]];
            delta[l] = new double[widths[l]];
        }
    }

    @Override
    public GradientModel model() {
        return model;
    }

    @Override
    public double lossAndGradient(double[] params, TupleBuffer batch, int from, int to, double[] gradOut) {
        int n = BatchArguments.check(model, params, batch, from, to, gradOut);
        int layers = widths.length - 1;
        int p = model.paramCount();
        Arrays.fill(gradOut, 0, p, 0.0);
        double[] x = batch.dense();
        double loss = 0;
        for (int r = from; r < to; r++) {
            int xo = r * widths[0];
            // forward: layer l reads layer l-1 (the input row for l = 1)
            for (int l = 1; l <= layers; l++) {
                int in = widths[l - 1];
                int out = widths[l];
                int w = weightOffsets[l - 1];
                int b = w + out * in;
                double[] src = l == 1 ? x : act[l - 1];
                int so = l == 1 ? xo : 0;
                for (int o = 0; o < out; o++) {
                    double s = 0;
                    for (int i = 0; i < in; i++) {
                        s += params[w + o * in + i] * src[so + i];
                    }
                    s += params[b + o];
                    act[l][o] = l < layers ? Math.max(s, 0.0) : s;
                }
            }
            // output slope and loss
            double target = BatchArguments.target(model, batch.label(r));
            double[] top = delta[layers];
            System.arraycopy(act[layers], 0, top, 0, widths[layers]);
            if (model.classes() == 1) {
                double z = top[0];
                top[0] = JavaLogisticGradient.sigmoid(z) - target;
                loss += JavaLogisticGradient.logisticLoss(z, target);
            } else {
                loss += JavaSoftmaxGradient.softmaxLossAndSlope(top, 0, widths[layers], (int) target);
            }
            // backward: deltas of hidden layers, top down
            for (int l = layers - 1; l >= 1; l--) {
                int out = widths[l];
                int next = widths[l + 1];
                int wn = weightOffsets[l];
                for (int o = 0; o < out; o++) {
                    double s = 0;
                    for (int k = 0; k < next; k++) {
                        s += delta[l + 1][k] * params[wn + k * out + o];
                    }
                    delta[l][o] = act[l][o] > 0 ? s : 0.0;
                }
            }
            // gradient accumulation
            for (int l = 1; l <= layers; l++) {
                int in = widths[l - 1];
                int out = widths[l];
                int w = weightOffsets[l - 1];
                int b = w + out * in;
                double[] src = l == 1 ? x : act[l - 1];
                int so = l == 1 ? xo : 0;
                for (int o = 0; o < out; o++) {
                    double dl = delta[l][o];
                    int go = w + o * in;
                    for (int i = 0; i < in; i++) {
                        gradOut[go + i] += dl * src[so + i];
                    }
                    gradOut[b + o] += dl;
                }
            }
        }
        for (int i = 0; i < p; i++) {
            gradOut[i] /= n;
        }
        return loss / n;
    }
}
