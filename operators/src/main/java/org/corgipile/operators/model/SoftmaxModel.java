package org.corgipile.operators.model;

import java.util.Arrays;
import java.util.Map;
import org.corgipile.operators.TupleBuffer;

/**
 * Multinomial logistic regression over K classes, labels 0 .. K-1, cross-entropy loss. Parameter layout: K blocks of
 * {@code [w_c0 .. w_c(d-1), b_c]}, block c at offset {@code c * (d + 1)}; length K * (d + 1).
 */
public final class SoftmaxModel implements Model {
    private final int d;
    private final int k;
    private final int parameterCount;
    private final double[] logits;
    /** Weight of each class in training; null: every row weighs 1. */
    private double[] classWeights;

    public SoftmaxModel(int dimension, int classes) {
        if (dimension < 1) {
            throw new IllegalArgumentException("dimension must be at least 1, got " + dimension);
        }
        if (classes < 2) {
            throw new IllegalArgumentException("classes must be at least 2, got " + classes);
        }
        this.d = dimension;
        this.k = classes;
        this.parameterCount = Model.checkParameterCount((long) classes * (dimension + 1L),
                "softmax with " + classes + " classes on " + dimension + " features");
        this.logits = new double[classes];
    }

    @Override
    public String type() {
        return "softmax";
    }

    @Override
    public int dimension() {
        return d;
    }

    @Override
    public Kind kind() {
        return Kind.MULTICLASS;
    }

    @Override
    public int classes() {
        return k;
    }

    @Override
    public int parameterCount() {
        return parameterCount;
    }

    @Override
    public void initialize(double[] params, long seed) {
        Arrays.fill(params, 0, parameterCount(), 0.0);
    }

    @Override
    public boolean isBias(int index) {
        return index % (d + 1) == d;
    }

    @Override
    public boolean hasProbability() {
        return false;
    }

    /** Fills z with the logits of the row and turns them into probabilities; returns log of the normaliser. */
    private double probabilities(double[] params, TupleBuffer b, int row, double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < k; c++) {
            int off = c * (d + 1);
            z[c] = RowAlgebra.dot(b, row, params, off) + params[off + d];
            max = Math.max(max, z[c]);
        }
        double sum = 0;
        for (int c = 0; c < k; c++) {
            z[c] = Math.exp(z[c] - max);
            sum += z[c];
        }
        for (int c = 0; c < k; c++) {
            z[c] /= sum;
        }
        return max + Math.log(sum);
    }

    @Override
    public void classWeights(double[] weights) {
        classWeights = Model.checkClassWeights(weights, k);
    }

    @Override
    public double lossAndGradient(double[] params, TupleBuffer batch, int from, int to, double[] gradOut) {
        Arrays.fill(gradOut, 0, parameterCount(), 0.0);
        double inv = 1.0 / (to - from);
        double loss = 0;
        double[] p = logits;
        for (int i = from; i < to; i++) {
            int y = (int) batch.label(i);
            double w = classWeights == null ? 1 : classWeights[y];
            probabilities(params, batch, i, p);
            loss += -w * Math.log(Math.max(p[y], Double.MIN_NORMAL));
            for (int c = 0; c < k; c++) {
                double g = w * (p[c] - (c == y ? 1 : 0)) * inv;
                int off = c * (d + 1);
                RowAlgebra.axpy(batch, i, g, gradOut, off);
                gradOut[off + d] += g;
            }
        }
        return loss * inv;
    }

    @Override
    public double evaluateRow(double[] params, TupleBuffer rows, int row, double[] out) {
        double[] p = new double[k];
        probabilities(params, rows, row, p);
        out[0] = RowAlgebra.argmax(p, k);
        out[1] = Double.NaN;
        int y = (int) rows.label(row);
        return y >= 0 && y < k ? -Math.log(Math.max(p[y], Double.MIN_NORMAL)) : Double.NaN;
    }

    @Override
    public Map<String, Object> config() {
        return Map.of("classes", k);
    }
}
