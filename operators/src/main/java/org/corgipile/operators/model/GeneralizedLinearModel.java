package org.corgipile.operators.model;

import java.util.Arrays;
import org.corgipile.operators.TupleBuffer;

/**
 * Shared loop of the single-output linear models (logistic, svm, linear): margin {@code m = w.x + b}, a loss of
 * (m, y) and its derivative. Parameter layout: {@code [w_0 .. w_{d-1}, b]}, length d + 1.
 */
abstract class GeneralizedLinearModel implements Model, InPlaceLinearStep {
    protected final int d;
    private double[] coef = new double[16];
    /** Weight of class 0 (label &lt;= 0) and class 1 (label &gt; 0); null: every row weighs 1. */
    private double[] classWeights;

    GeneralizedLinearModel(int dimension) {
        if (dimension < 1) {
            throw new IllegalArgumentException("dimension must be at least 1, got " + dimension);
        }
        this.d = dimension;
    }

    /** Loss at margin m for stored label y. */
    abstract double loss(double m, double y);

    /** d loss / d m. */
    abstract double dloss(double m, double y);

    /**
     * {@code dloss(m, y)}, leaving {@code loss(m, y)} in {@link #lastLoss}: the training loops need both per row, and
     * a loss that shares work with its derivative (logistic: one exp for both) overrides this to do it once. The
     * values must be exactly those of the two methods.
     */
    double slope(double m, double y) {
        lastLoss = loss(m, y);
        return dloss(m, y);
    }

    /** The loss of the last {@link #slope} call. */
    double lastLoss;

    /** Canonical prediction at margin m. */
    abstract double predict(double m);

    /** Ranking score in [0, 1] at margin m, or NaN. */
    abstract double score(double m);

    @Override
    public int dimension() {
        return d;
    }

    @Override
    public int parameterCount() {
        return d + 1;
    }

    @Override
    public void initialize(double[] params, long seed) {
        Arrays.fill(params, 0, d + 1, 0.0);
    }

    @Override
    public boolean isBias(int index) {
        return index == d;
    }

    @Override
    public void classWeights(double[] weights) {
        if (kind() != Kind.BINARY) {
            Model.super.classWeights(weights);
        }
        classWeights = Model.checkClassWeights(weights, 2);
    }

    /** The training weight of a row with stored label y. */
    private double weight(double y) {
        return classWeights == null ? 1 : classWeights[y > 0 ? 1 : 0];
    }

    @Override
    public double lossAndGradient(double[] params, TupleBuffer batch, int from, int to, double[] gradOut) {
        Arrays.fill(gradOut, 0, d + 1, 0.0);
        double inv = 1.0 / (to - from);
        double loss = 0;
        double bias = params[d];
        for (int i = from; i < to; i++) {
            double y = batch.label(i);
            double m = RowAlgebra.dot(batch, i, params, 0) + bias;
            double w = weight(y);
            double slope = slope(m, y);
            loss += w * lastLoss;
            double c = w * slope * inv;
            RowAlgebra.axpy(batch, i, c, gradOut, 0);
            gradOut[d] += c;
        }
        return loss * inv;
    }

    @Override
    public double inPlaceStep(double[] params, TupleBuffer batch, int from, int to, double scale, double newScale,
                             double lr, double[] sum, double q, double qBias) {
        int n = to - from;
        if (n == 1 && scale == 1 && newScale == 1 && classWeights == null) {
            return perTupleStep(params, batch, from, lr, sum, q, qBias);
        }
        if (coef.length < n) {
            coef = new double[Math.max(n, 2 * coef.length)];
        }
        // per-tuple SGD (n = 1) on unregularised weights (scale 1) divides by 1 twice per step: divisions are on
        // the chain from one step's update to the next step's margin, so skip them where they are exact no-ops
        double inv = n == 1 ? 1.0 : 1.0 / n;
        double loss = 0;
        double bias = params[d];
        // all margins at the current weights first, so a mini-batch sees one model
        for (int i = from; i < to; i++) {
            double y = batch.label(i);
            double m = scale * RowAlgebra.dot(batch, i, params, 0) + bias;
            double w = weight(y);
            double slope = slope(m, y);
            loss += w * lastLoss;
            coef[i - from] = w * slope * inv;
        }
        double biasGrad = 0;
        double step = newScale == 1 ? -lr : -lr / newScale;
        if (sum == null || q == 0) {
            for (int i = from; i < to; i++) {
                double c = coef[i - from];
                RowAlgebra.axpy(batch, i, step * c, params, 0);
                biasGrad += c;
            }
        } else {
            // v changes by a * x per row; the averaging sum by -q times that (see InPlaceLinearStep)
            for (int i = from; i < to; i++) {
                double c = coef[i - from];
                double a = step * c;
                RowAlgebra.axpy2(batch, i, a, params, -q * a, sum, 0);
                biasGrad += c;
            }
        }
        double db = lr * biasGrad;
        params[d] -= db;
        if (sum != null) {
            sum[d] += qBias * db;
        }
        return loss * inv;
    }

    /** One {@link #perTupleStep} per row (no class weights; otherwise {@link #inPlaceStep}'s general path). */
    @Override
    public double perTupleSteps(double[] params, TupleBuffer rows, int from, int to, double lr, double[] sum,
                                double q, double qBias, double lossSum) {
        if (classWeights != null) {
            return InPlaceLinearStep.super.perTupleSteps(params, rows, from, to, lr, sum, q, qBias, lossSum);
        }
        for (int i = from; i < to; i++) {
            lossSum += perTupleStep(params, rows, i, lr, sum, q, qBias);
            if (!Double.isFinite(lossSum)) {
                return lossSum;
            }
            q += 1;
            qBias += 1;
        }
        return lossSum;
    }

    /**
     * {@link #inPlaceStep} for one row, unscaled weights (scale 1: no L2) and no class weights: the same values
     * without the multiplications by 1 (row weight, 1 / n, scale) on the chain from one step's update to the next
     * step's margin, which bounds per-tuple SGD.
     */
    private double perTupleStep(double[] params, TupleBuffer batch, int row, double lr, double[] sum, double q,
                                double qBias) {
        double m = RowAlgebra.dot(batch, row, params, 0) + params[d];
        double c = slope(m, batch.label(row));
        double a = -lr * c;
        if (sum == null || q == 0) {
            RowAlgebra.axpy(batch, row, a, params, 0);
        } else {
            RowAlgebra.axpy2(batch, row, a, params, -q * a, sum, 0);
        }
        double db = lr * (0 + c);
        params[d] -= db;
        if (sum != null) {
            sum[d] += qBias * db;
        }
        return 0 + lastLoss;
    }

    @Override
    public double predictRow(double[] params, TupleBuffer rows, int row) {
        return predict(RowAlgebra.dot(rows, row, params, 0) + params[d]);
    }

    @Override
    public double evaluateRow(double[] params, TupleBuffer rows, int row, double[] out) {
        double m = RowAlgebra.dot(rows, row, params, 0) + params[d];
        out[0] = predict(m);
        out[1] = score(m);
        return loss(m, rows.label(row));
    }
}
