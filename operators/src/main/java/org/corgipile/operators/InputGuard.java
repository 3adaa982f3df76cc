package org.corgipile.operators;

import org.corgipile.operators.model.Model;

/**
 * Checks every tuple once as it is read and standardises dense features in place. Runs on the reading thread, as
 * the {@link BlockShuffle.BlockHook} of the training and evaluation scans, so the compute thread and any device
 * gradient only ever see valid, finite, standardised input. A buffer that its consumer reads through a gather
 * ({@link TupleBuffer#deferStandardization()}: CorgiPile's tuple buffers) is checked here but standardised by the
 * gather on the compute thread, with the same arithmetic; so are the chunks of {@code none} and {@code block_only},
 * which {@code Sgd.consume} standardises in place ({@link TupleBuffer#settle()}) before training on them.
 *
 * <p>A source that already rejects NaN/Inf itself ({@link BlockSource#valuesAreFinite()}, the in-database heap
 * reader) skips the per-value finiteness test: a second pass over every block that cost as much as reading it.
 *
 * <p>Errors (SQLSTATE 22000) name the tuple by ctid: a NaN/Inf feature or label, a sparse index outside
 * [0, dimension), a label outside the model's domain, or a binary table mixing 0 and -1 as its negative label.
 */
final class InputGuard implements BlockShuffle.BlockHook {
    private final Model.Kind kind;
    private final int classes;
    private final String model;
    private final int dimension;
    private final double[] mean;
    private final double[] invStd;
    private boolean sawZero;
    private boolean sawMinusOne;
    /** The first label checked, and whether another one differed from it ({@link #requireTwoClasses}). */
    private double firstLabel = Double.NaN;
    private boolean labelsDiffer;

    /**
     * @param mean null for no standardisation
     */
    InputGuard(String model, Model.Kind kind, int classes, int dimension, double[] mean, double[] std) {
        this.model = model;
        this.kind = kind;
        this.classes = classes;
        this.dimension = dimension;
        this.mean = mean;
        if (std != null) {
            invStd = new double[std.length];
            for (int i = 0; i < std.length; i++) {
                invStd[i] = 1 / std[i];
            }
        } else {
            invStd = null;
        }
    }

    @Override
    public void accept(TupleBuffer b, int from, int to) {
        accept(b, from, to, null);
    }

    /**
     * When {@code source} already rejected NaN/Inf ({@link BlockSource#valuesAreFinite()}) the per-feature
     * finiteness test is skipped; labels, sparse indices and standardisation are handled as always. A bad value is
     * named as {@code source} names it ({@link BlockSource#describeValue(int, long)}; null: by its tuple only).
     */
    @Override
    public void accept(TupleBuffer b, int from, int to, BlockSource source) {
        boolean checkValues = source == null || !source.valuesAreFinite();
        boolean sparse = b.shape().sparse();
        // a buffer read through a gather standardises on the compute thread (TupleBuffer#deferStandardization)
        double[] mean = this.mean;
        if (mean != null && b.standardizationDeferrable()) {
            b.standardizeOnRead(mean, invStd);
            mean = null;
        }
        int d = dimension;
        for (int i = from; i < to; i++) {
            checkLabel(b.label(i), b.id(i), source);
            if (sparse) {
                int[] idx = b.indices();
                double[] val = b.values();
                for (int k = b.rowStart(i), end = b.rowEnd(i); k < end; k++) {
                    if (idx[k] < 0 || idx[k] >= d) {
                        throw TupleBuffer.sparseIndexOutside(idx[k], b.id(i), null, null, d);
                    }
                    if (checkValues && !Double.isFinite(val[k])) {
                        throw nonFinite(BlockSource.describeValue(source, idx[k], b.id(i)), val[k]);
                    }
                }
            } else if (checkValues || mean != null) {
                double[] x = b.dense();
                int base = i * d;
                for (int k = 0; k < d; k++) {
                    double v = x[base + k];
                    if (checkValues && !Double.isFinite(v)) {
                        throw nonFinite(BlockSource.describeValue(source, k, b.id(i)), v);
                    }
                    if (mean != null) {
                        x[base + k] = (v - mean[k]) * invStd[k];
                    }
                }
            }
        }
    }

    private void checkLabel(double y, long id, BlockSource source) {
        if (!Double.isFinite(y)) {
            throw nonFinite(BlockSource.describeValue(source, -1, id), y);
        }
        if (y != firstLabel && !labelsDiffer) {
            labelsDiffer = !Double.isNaN(firstLabel);
            firstLabel = y;
        }
        switch (kind) {
            case BINARY -> {
                if (y == 0) {
                    sawZero = true;
                } else if (y == -1) {
                    sawMinusOne = true;
                } else if (y != 1) {
                    throw new TrainingException(TrainingException.DATA_EXCEPTION, BlockSource.describeValue(source,
                            -1, id) + " is " + Numbers.text(y) + ", not a binary label for model " + model
                            + " (expected 0/1 or -1/+1)",
                            "Use model => 'softmax' for class indices or model => 'linear' for values.");
                }
                if (sawZero && sawMinusOne) {
                    throw new TrainingException(TrainingException.DATA_EXCEPTION, "labels mix 0 and -1 as the "
                            + "negative class (seen at " + BlockSource.describeValue(source, -1, id) + ")",
                            "Use either 0/1 or -1/+1 labels.");
                }
            }
            case MULTICLASS -> {
                if (y != Math.rint(y) || y < 0 || y >= classes) {
                    throw new TrainingException(TrainingException.DATA_EXCEPTION, BlockSource.describeValue(source,
                            -1, id) + " is " + Numbers.text(y) + ", not a class index between 0 and " + (classes - 1)
                            + " for model " + model + " with " + classes + " classes",
                            "Labels must be integers 0 .. K-1; set classes => K to the number of classes.");
                }
            }
            case REGRESSION -> {
            }
        }
    }

    /**
     * For a classifier, refuses rows that all had one label (checked since this guard was made; call it after the
     * first training pass, before any other relation's rows went through it): the model would learn that one class
     * and predict it for every input, silently (scikit-learn refuses such data too).
     *
     * @param label the label as the error names it ({@link BlockSource#describeLabel()})
     * @throws TrainingException (22000) naming the label and its one value
     */
    void requireTwoClasses(String label) {
        if (kind != Model.Kind.REGRESSION && !labelsDiffer && !Double.isNaN(firstLabel)) {
            throw oneClass(label, firstLabel, model);
        }
    }

    /** The one label every row checked so far had; NaN when they had two or more, or there was none. */
    double oneLabel() {
        return labelsDiffer ? Double.NaN : firstLabel;
    }

    /**
     * The error for rows of a classifier {@code model} that all had label {@code y} (22000); also the sharded
     * coordinator's, whose servers each saw one label ({@link ShardEpoch#oneClass}).
     */
    static TrainingException oneClass(String label, double y, String model) {
        String value = Numbers.text(y);
        return new TrainingException(TrainingException.DATA_EXCEPTION, label + " has one value, " + value
                + ", in every row: model " + model + " needs rows of at least two classes",
                "Train on rows of two or more classes; to continue a trained model on rows of one class, pass it "
                        + "as warm_start.");
    }

    /**
     * The error for a NaN/Inf value, {@code what} as the source names it ({@link BlockSource#describeValue(BlockSource,
     * int, long)}); also DataProfile's.
     */
    static TrainingException nonFinite(String what, double v) {
        return new TrainingException(TrainingException.DATA_EXCEPTION, what + " is " + Numbers.text(v),
                "Remove or impute NaN and infinite values before training.");
    }

    /** "-1/+1" when the data used -1 as the negative label, "0/1" otherwise. */
    String labelEncoding() {
        return sawMinusOne ? "-1/+1" : "0/1";
    }
}
