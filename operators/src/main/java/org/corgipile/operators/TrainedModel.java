package org.corgipile.operators;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.corgipile.operators.model.Model;

/**
 * A trained model: its type, its flat parameter vector, the standardisation it was trained with, and its
 * configuration — everything the catalog stores and everything {@link #restore} needs to predict again.
 *
 * <p>Predictions, in the label convention of the training table:
 * <ul>
 *   <li>logistic, svm, mlp with 2 classes: 1 for the positive class, and for the negative class 0 if the table
 *       used 0/1 labels or -1 if it used -1/+1 ({@code params().get("label_encoding")} is "0/1" or "-1/+1");
 *       {@link #predictProba} is the positive-class probability (NaN for svm, which has none)</li>
 *   <li>softmax, mlp with K &gt; 2 classes: the class index 0 .. K-1; {@link #predictProba} is NaN</li>
 *   <li>linear: the predicted value; {@link #predictProba} is NaN</li>
 * </ul>
 * Features are standardised with the stored mean/std before the model sees them.
 *
 * <p>Immutable and thread-safe.
 */
public final class TrainedModel {
    private final Model model;
    private final double[] parameters;
    private final double[] mean;
    private final double[] std;
    private final Map<String, Object> params;
    private final double negativeLabel;

    TrainedModel(Model model, double[] parameters, double[] mean, double[] std, Map<String, Object> extra) {
        this.model = model;
        this.parameters = parameters.clone();
        this.mean = mean == null ? null : mean.clone();
        this.std = std == null ? null : std.clone();
        Map<String, Object> p = new LinkedHashMap<>(model.config());
        if (model.kind() == Model.Kind.BINARY && !extra.containsKey("label_encoding")) {
            p.put("label_encoding", "0/1");
        }
        p.putAll(extra);
        this.params = Collections.unmodifiableMap(p);
        this.negativeLabel = "-1/+1".equals(p.get("label_encoding")) ? -1 : 0;
    }

    /**
     * Rebuilds a model stored in the catalog.
     *
     * @param params the map {@link #params()} returned (classes, hidden, label_encoding, ...); may come back from
     *               JSON, so numbers may be any {@link Number} and lists any collection
     * @throws TrainingException (22023) when the pieces do not fit together
     */
    public static TrainedModel restore(String type, int dimension, double[] parameters, double[] mean, double[] std,
                                       Map<String, Object> params) {
        Map<String, Object> p = params == null ? Map.of() : params;
        if (dimension < 1) {
            throw new InvalidSpecException("dimension must be at least 1, got " + dimension);
        }
        int classes = p.get("classes") instanceof Number n ? n.intValue() : 0;
        if (type.equals("mlp") && p.get("hidden") == null) {
            throw new InvalidSpecException("a stored mlp model needs \"hidden\" in its parameters");
        }
        // the layer widths as training accepts them (a stored row may have been edited)
        int[] hidden = type.equals("mlp") ? TrainOptions.hidden(p.get("hidden"), type) : null;
        if ((type.equals("softmax") || type.equals("mlp")) && classes < 2) {
            throw new InvalidSpecException("a stored " + type + " model needs \"classes\" >= 2 in its parameters");
        }
        Model model = Model.create(type, dimension, classes, hidden);
        if (parameters == null || parameters.length != model.parameterCount()) {
            throw new InvalidSpecException("a " + type + " model of dimension " + dimension + " has "
                    + model.parameterCount() + " parameters, got " + (parameters == null ? 0 : parameters.length));
        }
        if ((mean == null) != (std == null) || mean != null && (mean.length != dimension || std.length != dimension)) {
            throw new InvalidSpecException("standardisation mean and std must both be null or both have "
                    + dimension + " values");
        }
        Object enc = p.get("label_encoding");
        if (enc != null && !List.of("0/1", "-1/+1").contains(enc.toString())) {
            throw new InvalidSpecException("label_encoding must be \"0/1\" or \"-1/+1\", got \"" + enc + "\"");
        }
        return new TrainedModel(model, parameters, mean, std, p);
    }

    public String type() {
        return model.type();
    }

    public int dimension() {
        return model.dimension();
    }

    /** The model arithmetic (layout of {@link #parameters()} is documented on its class). */
    public Model model() {
        return model;
    }

    /** Prediction for dense features (see the class comment for what it means per model). */
    public double predict(double[] x) {
        return label(evaluate(row(x))[0]);
    }

    /** Positive-class probability (logistic, binary mlp); NaN for other models. */
    public double predictProba(double[] x) {
        return model.hasProbability() ? evaluate(row(x))[1] : Double.NaN;
    }

    /** Prediction for sparse features given as (index, value) pairs; models with standardisation refuse it. */
    public double predictSparse(int[] indices, double[] values) {
        return label(evaluate(sparseRow(indices, values))[0]);
    }

    /** Positive-class probability for sparse features; NaN for models without one. */
    public double predictProbaSparse(int[] indices, double[] values) {
        return model.hasProbability() ? evaluate(sparseRow(indices, values))[1] : Double.NaN;
    }

    /** {@link Model#evaluateRow} of the single row {@code row}: the canonical prediction and the ranking score. */
    private double[] evaluate(TupleBuffer row) {
        double[] out = new double[2];
        if (Double.isNaN(model.evaluateRow(parameters, row, 0, out))) {
            throw Metrics.beyondPrecision(model, row, 0, null);
        }
        return out;
    }

    private double label(double canonical) {
        return model.kind() == Model.Kind.BINARY && canonical <= 0 ? negativeLabel : canonical;
    }

    private TupleBuffer row(double[] x) {
        int d = model.dimension();
        if (x == null || x.length != d) {
            throw new TrainingException(TrainingException.DATA_EXCEPTION, "features have "
                    + (x == null ? 0 : x.length) + " values but model " + type() + " expects " + d, null);
        }
        TupleBuffer b = new TupleBuffer(FeatureShape.dense(d), 1);
        int off = b.appendDenseSlot(0, 0);
        double[] dst = b.dense();
        for (int k = 0; k < d; k++) {
            double v = x[k];
            if (!Double.isFinite(v)) {
                throw new TrainingException(TrainingException.DATA_EXCEPTION, "feature " + k + " is " + v,
                        "Remove or impute NaN and infinite values before predicting.");
            }
            dst[off + k] = mean == null ? v : (v - mean[k]) / std[k];
            if (Double.isInfinite(dst[off + k])) {
                throw Metrics.beyondPrecision(model, b, 0, null);
            }
        }
        return b;
    }

    private TupleBuffer sparseRow(int[] idx, double[] val) {
        int d = model.dimension();
        if (mean != null) {
            throw new TrainingException(TrainingException.FEATURE_NOT_SUPPORTED,
                    "model was trained with standardize => true and needs dense features", null);
        }
        if (idx == null || val == null || idx.length != val.length) {
            throw new TrainingException(TrainingException.DATA_EXCEPTION,
                    "sparse features need as many indices as values", null);
        }
        for (int k = 0; k < idx.length; k++) {
            if (idx[k] < 0 || idx[k] >= d) {
                throw new TrainingException(TrainingException.DATA_EXCEPTION, "feature index " + idx[k]
                        + " is outside [0, " + d + ")", null);
            }
            if (!Double.isFinite(val[k])) {
                throw new TrainingException(TrainingException.DATA_EXCEPTION, "feature " + idx[k] + " is " + val[k],
                        "Remove or impute NaN and infinite values before predicting.");
            }
        }
        TupleBuffer b = new TupleBuffer(FeatureShape.sparse(d), 1);
        b.addSparse(0, 0, idx, val, 0, idx.length);
        return b;
    }

    /** The flat parameter vector (a copy). */
    public double[] parameters() {
        return parameters.clone();
    }

    /** Feature means used for standardisation, or null. */
    public double[] mean() {
        return mean == null ? null : mean.clone();
    }

    /** Feature standard deviations used for standardisation, or null. */
    public double[] std() {
        return std == null ? null : std.clone();
    }

    /**
     * Model configuration: "classes" (classifiers), "hidden" (mlp), "label_encoding" (binary), "device" (where the
     * gradients were computed), "best_epoch" (with early stopping).
     */
    public Map<String, Object> params() {
        return params;
    }

    /**
     * Metrics of this model over every tuple of {@code source}, read in storage order on the calling thread (see
     * {@link Metrics} for the names per model kind). What {@code sgd_evaluate} returns.
     */
    public Map<String, Double> evaluate(BlockSource source) {
        if (source.shape().dimension() != dimension()) {
            throw new TrainingException(TrainingException.DATA_EXCEPTION, "relation has " + source.shape().dimension()
                    + " features but model " + type() + " expects " + dimension(), null);
        }
        if (source.shape().sparse() && mean != null) {
            throw new TrainingException(TrainingException.FEATURE_NOT_SUPPORTED,
                    "model was trained with standardize => true and needs dense features", null);
        }
        InputGuard guard = new InputGuard(type(), model.kind(), model.classes(), dimension(), mean, std);
        Metrics metrics = new Metrics(model);
        evaluateInto(source, guard, TrainSpec.DEFAULT_BLOCK_SIZE, metrics);
        return metrics.result();
    }

    /** Reads {@code source} in storage order through {@code guard} and adds every row to {@code metrics}. */
    void evaluateInto(BlockSource source, InputGuard guard, int blockPages, Metrics metrics) {
        BlockShuffle blocks = new BlockShuffle(BlockShuffle.Order.STORAGE, blockPages, 0, guard);
        blocks.open(source);
        TupleBuffer buf = new TupleBuffer(source.shape(), 1024);
        while (true) {
            buf.clear();
            if (blocks.nextBlock(buf) < 0) {
                break;
            }
            metrics.addRows(model, parameters, buf, source);
        }
        blocks.close();
    }
}
