package org.corgipile.operators;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;

/**
 * Test data with a known answer: features ~ N(0, 1), a random teacher weight vector, labels drawn from the
 * teacher's logistic probability (so there is label noise and a Bayes accuracy below 100%). {@link #clustered}
 * sorts the rows by label, like the paper's "clustered" tables: the hard case for SGD without a shuffle.
 */
final class SyntheticData {
    final double[][] x;
    final double[] y;
    private double[][] teacher;

    private SyntheticData(double[][] x, double[] y) {
        this.x = x;
        this.y = y;
    }

    /** Accuracy of the noiseless multi-class teacher (argmax of its scores) on these rows: the Bayes bar. */
    double teacherAccuracy() {
        int correct = 0;
        for (int i = 0; i < x.length; i++) {
            int best = 0;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < teacher.length; c++) {
                double s = 0;
                for (int j = 0; j < x[i].length; j++) {
                    s += teacher[c][j] * x[i][j];
                }
                if (s > bestScore) {
                    bestScore = s;
                    best = c;
                }
            }
            correct += best == y[i] ? 1 : 0;
        }
        return (double) correct / x.length;
    }

    /** Binary data, labels 0/1 (or -1/+1 when {@code plusMinus}). */
    static SyntheticData logistic(int n, int d, double scale, long seed, boolean plusMinus) {
        SplittableRandom teacherRnd = new SplittableRandom(42);
        double[] w = new double[d];
        for (int k = 0; k < d; k++) {
            w[k] = teacherRnd.nextGaussian();
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        double[][] x = new double[n][d];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double m = 0;
            for (int k = 0; k < d; k++) {
                x[i][k] = rnd.nextGaussian();
                m += w[k] * x[i][k];
            }
            double p = 1 / (1 + Math.exp(-scale * m / Math.sqrt(d)));
            boolean pos = rnd.nextDouble() < p;
            y[i] = pos ? 1 : plusMinus ? -1 : 0;
        }
        return new SyntheticData(x, y);
    }

    /** K-class data: the class is the argmax of K random linear scores plus Gumbel noise. */
    static SyntheticData multiclass(int n, int d, int k, long seed) {
        SplittableRandom teacherRnd = new SplittableRandom(7);
        double[][] w = new double[k][d];
        for (double[] row : w) {
            for (int j = 0; j < d; j++) {
                row[j] = teacherRnd.nextGaussian();
            }
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        double[][] x = new double[n][d];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                x[i][j] = rnd.nextGaussian();
            }
            int best = 0;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                double s = 0;
                for (int j = 0; j < d; j++) {
                    s += w[c][j] * x[i][j];
                }
                s = 2 * s / Math.sqrt(d) - Math.log(-Math.log(rnd.nextDouble()));
                if (s > bestScore) {
                    bestScore = s;
                    best = c;
                }
            }
            y[i] = best;
        }
        SyntheticData data = new SyntheticData(x, y);
        data.teacher = w;
        return data;
    }

    /** Regression data: y = 3 + w.x + N(0, 0.1^2). */
    static SyntheticData regression(int n, int d, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] w = new double[d];
        for (int k = 0; k < d; k++) {
            w[k] = k % 3 - 1 + 0.5;
        }
        double[][] x = new double[n][d];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double m = 3;
            for (int k = 0; k < d; k++) {
                x[i][k] = rnd.nextGaussian();
                m += w[k] * x[i][k];
            }
            y[i] = m + 0.1 * rnd.nextGaussian();
        }
        return new SyntheticData(x, y);
    }

    /** The same rows sorted by label (stable), like a table clustered by label. */
    SyntheticData clustered() {
        Integer[] idx = new Integer[y.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, Comparator.comparingDouble(i -> y[i]));
        double[][] cx = new double[x.length][];
        double[] cy = new double[y.length];
        for (int i = 0; i < idx.length; i++) {
            cx[i] = x[idx[i]];
            cy[i] = y[idx[i]];
        }
        return new SyntheticData(cx, cy);
    }

    InMemoryBlockSource source(int tuplesPerPage) {
        return InMemoryBlockSource.dense(x, y, tuplesPerPage);
    }
}
