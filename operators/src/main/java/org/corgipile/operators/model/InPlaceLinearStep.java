package org.corgipile.operators.model;

import org.corgipile.operators.TupleBuffer;

/**
 * Fast path for single-output linear models: an SGD step applied straight to the weights, without a separate
 * gradient vector. On sparse rows (criteo-like: a million dimensions, a few dozen non-zeros) it touches only the
 * coordinates present in the batch instead of the whole parameter vector; on dense rows it saves two of the four
 * passes over the weights (clearing the gradient, applying it). L2 is handled by the classic scaled representation: the weights are {@code scale * v} (the bias is
 * unscaled), shrinking all weights is {@code scale *= 1 - lr * l2}, and the data gradient is applied to v divided by
 * the new scale. The SGD operator owns the scale and folds it back into the weights after every buffer.
 */
public interface InPlaceLinearStep {
    /**
     * Mean loss of rows {@code [from, to)} at weights {@code scale * v}, then {@code v -= lr * g / newScale} on the
     * rows' coordinates and {@code bias -= lr * g_bias}, where g is the mean data gradient.
     *
     * <p>Iterate averaging without a pass over the weights: when {@code sum} is not null, the same passes over the
     * rows also do {@code sum -= q * (change of v)} on the rows' coordinates and {@code sum[bias] -= qBias * (change
     * of the bias)}. The caller keeps the sum of the sampled iterates as {@code sum + q * v} (biases: {@code qBias}),
     * adding the sampled iterate's scale to q after the step: the classic ASGD bookkeeping (Bottou; Xu 2011), which
     * costs O(non-zeros of the batch) per step instead of O(parameters).
     */
    double inPlaceStep(double[] params, TupleBuffer batch, int from, int to, double scale, double newScale, double lr,
                       double[] sum, double q, double qBias);

    /**
     * Per-tuple steps (batch 1) over rows {@code [from, to)} in order, at unscaled weights (no L2, scale 1), the
     * iterates sampled for averaging after every step: row {@code i}'s step is {@link #inPlaceStep}{@code (params,
     * rows, i, i + 1, 1, 1, lr, sum, q + (i - from), qBias + (i - from))}. Returns {@code lossSum} plus the rows'
     * losses, added in row order; stops after the first row whose loss is not finite (the sum is then not finite
     * either, since the losses are never negative). Bit for bit the single steps: the operator takes a run of rows
     * in one call instead of one call per row.
     */
    default double perTupleSteps(double[] params, TupleBuffer rows, int from, int to, double lr, double[] sum,
                                 double q, double qBias, double lossSum) {
        for (int i = from; i < to; i++) {
            lossSum += inPlaceStep(params, rows, i, i + 1, 1, 1, lr, sum, q, qBias);
            if (!Double.isFinite(lossSum)) {
                return lossSum;
            }
            q += 1;
            qBias += 1;
        }
        return lossSum;
    }
}
