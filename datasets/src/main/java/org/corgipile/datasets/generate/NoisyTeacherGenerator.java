package org.corgipile.datasets.generate;

import java.util.SplittableRandom;

import org.corgipile.datasets.Record;
import org.corgipile.datasets.RecordSource;

/**
 * What the teacher generators share: a fixed row count, and binary labels that are a known teacher's verdict flipped
 * with probability {@code flip}. Because the flips are independent of the features, the teacher is Bayes-optimal and
 * the best achievable accuracy is {@code 1 - flip}. Subclasses only draw the features and give the teacher's label.
 */
abstract class NoisyTeacherGenerator implements RecordSource {
    private final String name;
    private final long rows;
    private final double flip;
    private long produced;

    NoisyTeacherGenerator(String name, long rows, double flip) {
        if (!(flip >= 0 && flip < 0.5)) {
            throw new IllegalArgumentException("flip must be in [0, 0.5), got " + flip);
        }
        this.name = name;
        this.rows = rows;
        this.flip = flip;
    }

    /** Fills {@code r}'s features from {@link #stream()} and returns the teacher's (noise-free) label. */
    abstract boolean drawRow(Record r);

    /** The row stream; {@link #drawRow} draws from it and the label flip comes from it right after. */
    abstract SplittableRandom stream();

    @Override
    public final long expectedRows() {
        return rows;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final double bestAccuracy() {
        return 1 - flip;
    }

    @Override
    public final boolean next(Record r) {
        if (produced == rows) {
            return false;
        }
        produced++;
        boolean positive = drawRow(r);
        if (stream().nextDouble() < flip) {
            positive = !positive;
        }
        r.label = positive ? 1 : 0;
        return true;
    }
}
