package org.corgipile.datasets.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.corgipile.datasets.LabelType;
import org.corgipile.datasets.Record;
import org.corgipile.datasets.RecordSource;
import org.corgipile.datasets.TableShape;

/**
 * Sparse click-through-style data shaped like the paper's criteo: {@value #DIMENSION} dimensions, 13 numeric
 * fields (indices 0..12, values {@code log1p} of skewed counts, each present with probability 0.8) and 26
 * categorical fields, each owning its own index range and contributing one one-hot entry (value 1) with probability
 * 0.9 -- so at most 39 non-zeros per row, in increasing index order. Category ids are skewed (a few are frequent,
 * most rare), as hashed categorical features are.
 *
 * <p>Labels come from a known linear teacher over all {@value #DIMENSION} weights, with a bias set so about a
 * quarter of the rows are positive (criteo's click rate), then flipped with probability {@code flip}: the best
 * achievable accuracy is {@code 1 - flip}.
 */
public final class CriteoLikeGenerator implements RecordSource {
    public static final int DIMENSION = 1_000_000;
    static final int NUMERIC = 13;
    static final int CATEGORICAL = 26;
    static final int FIELD_RANGE = (DIMENSION - NUMERIC) / CATEGORICAL;
    private static final double POSITIVE_RATE = 0.25;

    private final String name;
    private final long rows;
    private final double flip;
    private final float[] w = new float[DIMENSION];
    private final double bias;
    private final SplittableRandom rnd;
    private long produced;

    public CriteoLikeGenerator(String name, long rows, double flip, long seed) {
        if (!(flip >= 0 && flip < 0.5)) {
            throw new IllegalArgumentException("flip must be in [0, 0.5), got " + flip);
        }
        this.name = name;
        this.rows = rows;
        this.flip = flip;
        SplittableRandom teacher = new SplittableRandom(seed);
        for (int j = 0; j < DIMENSION; j++) {
            w[j] = (float) teacher.nextGaussian();
        }
        // Bias: the (1 - POSITIVE_RATE) quantile of the margin on a pilot sample drawn from a separate stream.
        SplittableRandom pilot = teacher.split();
        Record r = new Record();
        double[] margins = new double[4000];
        for (int i = 0; i < margins.length; i++) {
            r.clear();
            features(pilot, r);
            margins[i] = margin(r);
        }
        Arrays.sort(margins);
        this.bias = -margins[(int) ((1 - POSITIVE_RATE) * margins.length)];
        this.rnd = teacher.split();
    }

    @Override
    public TableShape shape() {
        return TableShape.sparse(LabelType.INT, DIMENSION);
    }

    @Override
    public long expectedRows() {
        return rows;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public double bestAccuracy() {
        return 1 - flip;
    }

    @Override
    public boolean next(Record r) {
        if (produced == rows) {
            return false;
        }
        produced++;
        features(rnd, r);
        boolean positive = margin(r) + bias > 0;
        if (rnd.nextDouble() < flip) {
            positive = !positive;
        }
        r.label = positive ? 1 : 0;
        return true;
    }

    private static void features(SplittableRandom g, Record r) {
        for (int j = 0; j < NUMERIC; j++) {
            if (g.nextDouble() < 0.8) {
                // geometric-ish counts: most small, a long tail, like criteo's integer features
                double count = Math.floor(-Math.log(1 - g.nextDouble()) * (1 << (j % 8)));
                r.addSparse(j, Math.log1p(count));
            }
        }
        for (int f = 0; f < CATEGORICAL; f++) {
            if (g.nextDouble() < 0.9) {
                double u = g.nextDouble();
                int category = (int) (FIELD_RANGE * u * u * u); // skewed towards small ids
                r.addSparse(NUMERIC + f * FIELD_RANGE + category, 1.0);
            }
        }
    }

    private double margin(Record r) {
        double z = 0;
        for (int i = 0; i < r.nnz; i++) {
            z += w[r.indices[i]] * r.values[i];
        }
        return z;
    }
}
