package org.corgipile.operators;

import java.util.LinkedHashMap;
import java.util.Map;
import org.corgipile.operators.model.Model;

/**
 * Accumulates evaluation metrics row by row, for one model kind:
 * <ul>
 *   <li>binary: loss, accuracy, precision, recall, f1, auc, log_loss (log_loss only for models with a probability:
 *       logistic, binary mlp)</li>
 *   <li>multi-class: loss (= cross-entropy = log_loss), accuracy</li>
 *   <li>regression: loss (mean squared error / 2), rmse, mae, r2</li>
 * </ul>
 * plus "tuples". Undefined values (precision with no positive prediction, r2 of a constant label) are NaN, i.e.
 * NULL in SQL.
 *
 * <p>AUC is the Mann–Whitney statistic over the ranking score in [0, 1], counted in 65,536 equal-width score bins
 * (ties inside a bin count one half), so memory stays fixed however many rows are evaluated; the error against
 * the exact AUC is bounded by the share of positive/negative pairs falling in one bin, negligible in practice.
 */
public final class Metrics {
    private static final int BINS = 1 << 16;

    private final Model.Kind kind;
    private final boolean probability;
    private long n;
    private double lossSum;
    private long correct;
    private long tp;
    private long fp;
    private long fn;
    private long[] posBins;
    private long[] negBins;
    private double logLossSum;
    private double absSum;
    private double sqSum;
    private double yMean;
    private double yM2;

    public Metrics(Model model) {
        this.kind = model.kind();
        this.probability = model.hasProbability();
        if (kind == Model.Kind.BINARY) {
            posBins = new long[BINS];
            negBins = new long[BINS];
        }
    }

    /**
     * Adds one row.
     *
     * @param label the stored label
     * @param loss  the model's loss on the row
     * @param out   {@code out[0]} the canonical prediction, {@code out[1]} the ranking score (see
     *              {@link Model#evaluateRow})
     */
    public void add(double label, double loss, double[] out) {
        n++;
        lossSum += loss;
        double pred = out[0];
        if (correct(kind, label, pred)) {
            correct++;
        }
        switch (kind) {
            case BINARY -> {
                boolean pos = label > 0;
                boolean predPos = pred > 0;
                if (predPos && pos) {
                    tp++;
                } else if (predPos) {
                    fp++;
                } else if (pos) {
                    fn++;
                }
                double s = out[1];
                int bin = (int) Math.min(BINS - 1, Math.max(0, s * BINS));
                if (pos) {
                    posBins[bin]++;
                } else {
                    negBins[bin]++;
                }
                if (probability) {
                    double p = Math.min(1 - 1e-15, Math.max(1e-15, s));
                    logLossSum += pos ? -Math.log(p) : -Math.log(1 - p);
                }
            }
            case MULTICLASS -> {
                // the accuracy only (above)
            }
            case REGRESSION -> {
                double e = pred - label;
                absSum += Math.abs(e);
                sqSum += e * e;
                double delta = label - yMean;
                yMean += delta / n;
                yM2 += delta * (label - yMean);
            }
        }
    }

    /**
     * Whether canonical prediction {@code pred} is right for stored label {@code label}: binary, both positive
     * ({@code > 0}) or both not; multi-class, the same class. Regression has no right prediction.
     */
    public static boolean correct(Model.Kind kind, double label, double pred) {
        return switch (kind) {
            case BINARY -> label > 0 == pred > 0;
            case MULTICLASS -> pred == label;
            case REGRESSION -> false;
        };
    }

    /**
     * Adds every row of {@code rows}, evaluated at {@code params} of {@code model}. A row the model cannot evaluate in
     * double precision ({@link #beyondPrecision}) is an error named as {@code source} names its values (null: by its
     * tuple only), never a NaN that would turn every metric into NULL.
     */
    public void addRows(Model model, double[] params, TupleBuffer rows, BlockSource source) {
        double[] out = new double[2];
        boolean dense = !rows.shape().sparse();
        int d = rows.shape().dimension();
        double[] x = rows.dense();
        for (int i = 0; i < rows.size(); i++) {
            double loss = model.evaluateRow(params, rows, i, out);
            boolean finite = Double.isFinite(loss);
            for (int k = i * d, end = k + d; dense && finite && k < end; k++) {
                finite = !Double.isInfinite(x[k]); // a standardised value, finite when read
            }
            if (!finite) {
                throw beyondPrecision(model, rows, i, source);
            }
            add(rows.label(i), loss, out);
        }
    }

    /**
     * The error for row {@code i} whose loss is not finite although its values were finite when read: a standardised
     * value that overflowed (a value far outside those the model was trained on, divided by a training standard
     * deviation) or a score that did. 22003, naming the row's largest value as {@code source} names it; a null
     * {@code source}: {@code sgd_predict}'s one row, named {@code feature k}. Also {@code TrainedModel}'s.
     */
    static TrainingException beyondPrecision(Model model, TupleBuffer rows, int i, BlockSource source) {
        int at = -1;
        double largest = -1;
        double[] x = rows.shape().sparse() ? rows.values() : rows.dense();
        int from = rows.shape().sparse() ? rows.rowStart(i) : i * rows.shape().dimension();
        int to = rows.shape().sparse() ? rows.rowEnd(i) : from + rows.shape().dimension();
        for (int k = from; k < to; k++) {
            double a = Math.abs(x[k]);
            if (!(a <= largest)) {
                at = k;
                largest = a;
            }
        }
        int feature = at < 0 ? 0 : rows.shape().sparse() ? rows.indices()[at] : at - from;
        String what = source == null ? "feature " + feature : BlockSource.describeValue(source, feature, rows.id(i));
        String why = at >= 0 && Double.isInfinite(x[at])
                ? "it is beyond double precision once standardised with the model's training mean and standard deviation"
                : "it is " + (at < 0 ? "" : Numbers.text(x[at]) + " as the model sees it, ")
                + "too large for its score in double precision";
        return new TrainingException(TrainingException.NUMERIC_VALUE_OUT_OF_RANGE, "cannot evaluate the "
                + model.type() + " model on " + what + ": " + why,
                "The value is far outside those the model was trained on: check its units or scale, or train the "
                + "model on data of this range.");
    }

    /** Rows added so far. */
    public long count() {
        return n;
    }

    /** Mean loss, NaN without rows. */
    public double loss() {
        return n == 0 ? Double.NaN : lossSum / n;
    }

    /** Accuracy for classifiers, NaN for regression or without rows. */
    public double accuracy() {
        return n == 0 || kind == Model.Kind.REGRESSION ? Double.NaN : (double) correct / n;
    }

    /** Every metric of this kind by name (see the class comment), in a stable order. */
    public Map<String, Double> result() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("loss", loss());
        switch (kind) {
            case BINARY -> {
                m.put("accuracy", accuracy());
                m.put("precision", tp + fp == 0 ? Double.NaN : (double) tp / (tp + fp));
                m.put("recall", tp + fn == 0 ? Double.NaN : (double) tp / (tp + fn));
                m.put("f1", 2 * tp + fp + fn == 0 ? Double.NaN : 2.0 * tp / (2 * tp + fp + fn));
                m.put("auc", auc());
                m.put("log_loss", probability && n > 0 ? logLossSum / n : Double.NaN);
            }
            case MULTICLASS -> {
                m.put("accuracy", accuracy());
                m.put("log_loss", loss());
            }
            case REGRESSION -> {
                m.put("rmse", n == 0 ? Double.NaN : Math.sqrt(sqSum / n));
                m.put("mae", n == 0 ? Double.NaN : absSum / n);
                m.put("r2", yM2 == 0 ? Double.NaN : 1 - sqSum / yM2);
            }
        }
        m.put("tuples", (double) n);
        return m;
    }

    private double auc() {
        long pos = 0;
        long neg = 0;
        for (int b = 0; b < BINS; b++) {
            pos += posBins[b];
            neg += negBins[b];
        }
        if (pos == 0 || neg == 0) {
            return Double.NaN;
        }
        // for every positive, count negatives ranked strictly below plus half of those in the same bin
        double wins = 0;
        long negBelow = 0;
        for (int b = 0; b < BINS; b++) {
            if (posBins[b] != 0) {
                wins += posBins[b] * (negBelow + 0.5 * negBins[b]);
            }
            negBelow += negBins[b];
        }
        return wins / ((double) pos * neg);
    }
}
