package org.corgipile.operators.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.corgipile.operators.TupleBuffer;

/**
 * Multi-layer perceptron with 1 or 2 ReLU hidden layers. With 2 classes the output is one logit with the logistic
 * loss (labels 0/1 or -1/+1, like {@link LogisticModel}); with K &gt; 2 classes it is K logits with softmax
 * cross-entropy (labels 0 .. K-1).
 *
 * <p>Parameter layout, layer by layer from the input: the weight matrix {@code W_l} (out x in, row-major: the
 * weights of unit j are {@code W_l[j * in .. (j + 1) * in)}) followed by the bias vector {@code b_l} (out). Widths:
 * {@code d -> hidden[0] (-> hidden[1]) -> (K == 2 ? 1 : K)}.
 *
 * <p>Initialisation: He-normal weights (std sqrt(2 / fan_in)) for ReLU layers, std sqrt(1 / fan_in) for the output
 * layer, zero biases, from a {@link SplittableRandom} seeded by the training seed.
 */
public final class MlpModel implements Model {
    private final int d;
    private final int[] hidden;
    private final int classes;
    private final int[] width;     // width[0] = d, ..., width[L] = outputs
    private final int[] wOff;      // offset of W_l, l = 1..L
    private final int[] bOff;      // offset of b_l
    private final int parameterCount;
    private final Scratch train;

    public MlpModel(int dimension, int[] hidden, int classes) {
        if (dimension < 1) {
            throw new IllegalArgumentException("dimension must be at least 1, got " + dimension);
        }
        if (hidden == null || hidden.length < 1 || hidden.length > 2) {
            throw new IllegalArgumentException("hidden must have 1 or 2 layers");
        }
        if (classes < 2) {
            throw new IllegalArgumentException("classes must be at least 2, got " + classes);
        }
        this.d = dimension;
        this.hidden = hidden.clone();
        this.classes = classes;
        int layers = hidden.length + 1;
        width = new int[layers + 1];
        width[0] = dimension;
        for (int l = 0; l < hidden.length; l++) {
            width[l + 1] = hidden[l];
        }
        width[layers] = classes == 2 ? 1 : classes;
        wOff = new int[layers + 1];
        bOff = new int[layers + 1];
        long off = 0;
        for (int l = 1; l <= layers; l++) {
            wOff[l] = (int) off;
            off += (long) width[l] * width[l - 1];
            bOff[l] = (int) off;
            off += width[l];
        }
        parameterCount = Model.checkParameterCount(off, "mlp with layers " + Arrays.toString(width));
        train = new Scratch(width);
    }

    /** Activations and deltas of one row, per layer. */
    private static final class Scratch {
        final double[][] act;
        final double[][] delta;

        Scratch(int[] width) {
            act = new double[width.length][];
            delta = new double[width.length][];
            for (int l = 1; l < width.length; l++) {
                act[l] = new double[width[l]];
                delta[l] = new double[width[l]];
            }
        }
    }

    @Override
    public String type() {
        return "mlp";
    }

    @Override
    public int dimension() {
        return d;
    }

    @Override
    public Kind kind() {
        return classes == 2 ? Kind.BINARY : Kind.MULTICLASS;
    }

    @Override
    public int classes() {
        return classes;
    }

    @Override
    public int parameterCount() {
        return parameterCount;
    }

    /** Width of every layer, input first, output last. */
    public int[] widths() {
        return width.clone();
    }

    /** Offset of the weight matrix of layer {@code l} (1-based). */
    public int weightOffset(int l) {
        return wOff[l];
    }

    /** Offset of the bias vector of layer {@code l} (1-based). */
    public int biasOffset(int l) {
        return bOff[l];
    }

    @Override
    public void initialize(double[] params, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int layers = width.length - 1;
        for (int l = 1; l <= layers; l++) {
            double std = Math.sqrt((l == layers ? 1.0 : 2.0) / width[l - 1]);
            for (int i = wOff[l]; i < bOff[l]; i++) {
                params[i] = rnd.nextGaussian() * std;
            }
            Arrays.fill(params, bOff[l], bOff[l] + width[l], 0.0);
        }
    }

    @Override
    public boolean isBias(int index) {
        for (int l = 1; l < width.length; l++) {
            if (index >= bOff[l] && index < bOff[l] + width[l]) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean hasProbability() {
        return classes == 2;
    }

    /** Forward pass; leaves pre-activations' ReLU outputs in act[l] and output logits in act[L]. */
    private void forward(double[] p, TupleBuffer b, int row, Scratch s) {
        int layers = width.length - 1;
        double[] a1 = s.act[1];
        for (int j = 0; j < width[1]; j++) {
            double z = RowAlgebra.dot(b, row, p, wOff[1] + j * d) + p[bOff[1] + j];
            a1[j] = layers == 1 ? z : Math.max(0, z);
        }
        for (int l = 2; l <= layers; l++) {
            double[] in = s.act[l - 1];
            double[] out = s.act[l];
            int n = width[l - 1];
            for (int j = 0; j < width[l]; j++) {
                int w = wOff[l] + j * n;
                double z = p[bOff[l] + j];
                for (int i = 0; i < n; i++) {
                    z += p[w + i] * in[i];
                }
                out[j] = l == layers ? z : Math.max(0, z);
            }
        }
    }

    /** Loss of the row from the output logits; writes dLoss/dlogit into delta[L] (scaled by {@code scale}). */
    private double outputLoss(Scratch s, double y, double scale) {
        int layers = width.length - 1;
        double[] z = s.act[layers];
        double[] dz = s.delta[layers];
        if (classes == 2) {
            double sign = y > 0 ? 1 : -1;
            dz[0] = -sign * RowAlgebra.sigmoid(-sign * z[0]) * scale;
            return RowAlgebra.softplus(-sign * z[0]);
        }
        int label = (int) y;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            sum += Math.exp(z[c] - max);
        }
        double logNorm = max + Math.log(sum);
        for (int c = 0; c < classes; c++) {
            dz[c] = (Math.exp(z[c] - logNorm) - (c == label ? 1 : 0)) * scale;
        }
        return logNorm - z[label];
    }

    @Override
    public double lossAndGradient(double[] p, TupleBuffer batch, int from, int to, double[] g) {
        Arrays.fill(g, 0, parameterCount, 0.0);
        Scratch s = train;
        int layers = width.length - 1;
        double inv = 1.0 / (to - from);
        double loss = 0;
        for (int r = from; r < to; r++) {
            forward(p, batch, r, s);
            loss += outputLoss(s, batch.label(r), inv);
            for (int l = layers; l >= 2; l--) {
                double[] dl = s.delta[l];
                double[] in = s.act[l - 1];
                double[] din = s.delta[l - 1];
                int n = width[l - 1];
                Arrays.fill(din, 0.0);
                for (int j = 0; j < width[l]; j++) {
                    double dj = dl[j];
                    if (dj == 0) {
                        continue;
                    }
                    int w = wOff[l] + j * n;
                    g[bOff[l] + j] += dj;
                    for (int i = 0; i < n; i++) {
                        g[w + i] += dj * in[i];
                        din[i] += dj * p[w + i];
                    }
                }
                for (int i = 0; i < n; i++) {
                    if (in[i] <= 0) {
                        din[i] = 0;  // ReLU'(z) = 0 where the unit is off (act = max(0, z) = 0)
                    }
                }
            }
            double[] d1 = s.delta[1];
            for (int j = 0; j < width[1]; j++) {
                if (d1[j] != 0) {
                    RowAlgebra.axpy(batch, r, d1[j], g, wOff[1] + j * d);
                    g[bOff[1] + j] += d1[j];
                }
            }
        }
        return loss * inv;
    }

    @Override
    public double evaluateRow(double[] params, TupleBuffer rows, int row, double[] out) {
        Scratch s = new Scratch(width);
        forward(params, rows, row, s);
        double y = rows.label(row);
        double[] z = s.act[width.length - 1];
        if (classes == 2) {
            out[0] = z[0] > 0 ? 1 : 0;
            out[1] = RowAlgebra.sigmoid(z[0]);
            return outputLoss(s, y, 1);
        }
        out[0] = RowAlgebra.argmax(z, classes);
        out[1] = Double.NaN;
        return y >= 0 && y < classes && y == Math.rint(y) ? outputLoss(s, y, 1) : Double.NaN;
    }

    @Override
    public Map<String, Object> config() {
        List<Integer> h = new ArrayList<>();
        for (int x : hidden) {
            h.add(x);
        }
        return Map.of("classes", classes, "hidden", List.copyOf(h));
    }
}
