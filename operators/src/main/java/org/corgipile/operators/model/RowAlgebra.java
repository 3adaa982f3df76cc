package org.corgipile.operators.model;

import org.corgipile.operators.TupleBuffer;

/**
 * The two row operations every model is built from, for dense and sparse rows alike: a dot product of a row with
 * a slice of the parameters, and adding a multiple of a row to a slice of the gradient. Keeping them here is what
 * lets every model accept sparse input without a second code path.
 */
final class RowAlgebra {
    private RowAlgebra() {
    }

    /** {@code x_row . w[off .. off + d)}. */
    static double dot(TupleBuffer b, int row, double[] w, int off) {
        if (b.shape().sparse()) {
            int[] idx = b.indices();
            double[] val = b.values();
            double s = 0;
            for (int k = b.rowStart(row), end = b.rowEnd(row); k < end; k++) {
                s += val[k] * w[off + idx[k]];
            }
            return s;
        }
        int d = b.shape().dimension();
        double[] x = b.dense();
        int base = row * d;
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int k = 0;
        // four accumulators break the add dependency chain (a step's margin waits for it: per-tuple SGD is bound
        // by the chain dot -> slope -> update -> next dot); the order is fixed, so results stay deterministic
        for (; k + 3 < d; k += 4) {
            s0 += x[base + k] * w[off + k];
            s1 += x[base + k + 1] * w[off + k + 1];
            s2 += x[base + k + 2] * w[off + k + 2];
            s3 += x[base + k + 3] * w[off + k + 3];
        }
        for (; k < d; k++) {
            s0 += x[base + k] * w[off + k];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** {@code g[off .. off + d) += a * x_row}. */
    static void axpy(TupleBuffer b, int row, double a, double[] g, int off) {
        if (a == 0) {
            return;
        }
        if (b.shape().sparse()) {
            int[] idx = b.indices();
            double[] val = b.values();
            for (int k = b.rowStart(row), end = b.rowEnd(row); k < end; k++) {
                g[off + idx[k]] += a * val[k];
            }
            return;
        }
        int d = b.shape().dimension();
        double[] x = b.dense();
        int base = row * d;
        for (int k = 0; k < d; k++) {
            g[off + k] += a * x[base + k];
        }
    }

    /**
     * {@code w[off .. off + d) += a * x_row} and {@code p[off .. off + d) += c * x_row} in one pass over the row:
     * the in-place step and its iterate-averaging bookkeeping ({@link InPlaceLinearStep}).
     */
    static void axpy2(TupleBuffer b, int row, double a, double[] w, double c, double[] p, int off) {
        if (a == 0) {
            return;
        }
        if (b.shape().sparse()) {
            int[] idx = b.indices();
            double[] val = b.values();
            for (int k = b.rowStart(row), end = b.rowEnd(row); k < end; k++) {
                int j = off + idx[k];
                double v = val[k];
                w[j] += a * v;
                p[j] += c * v;
            }
            return;
        }
        int d = b.shape().dimension();
        double[] x = b.dense();
        int base = row * d;
        for (int k = 0; k < d; k++) {
            double v = x[base + k];
            w[off + k] += a * v;
            p[off + k] += c * v;
        }
    }

    /** Index of the largest of {@code z[0 .. n)}, the lowest index on ties: the predicted class of K scores. */
    static int argmax(double[] z, int n) {
        int best = 0;
        for (int c = 1; c < n; c++) {
            if (z[c] > z[best]) {
                best = c;
            }
        }
        return best;
    }

    /** log(1 + exp(z)) without overflow. */
    static double softplus(double z) {
        return z > 0 ? z + Log1p.log1p(Math.exp(-z)) : Log1p.log1p(Math.exp(z));
    }

    static double sigmoid(double z) {
        if (z >= 0) {
            return 1 / (1 + Math.exp(-z));
        }
        double e = Math.exp(z);
        return e / (1 + e);
    }
}
