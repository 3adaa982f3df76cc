package org.corgipile.operators.model;

import java.util.Map;
import org.corgipile.operators.BatchGradient;
import org.corgipile.operators.InvalidSpecException;
import org.corgipile.operators.TrainingException;
import org.corgipile.operators.TupleBuffer;

/**
 * The arithmetic of one model family over a flat parameter vector: loss, gradient (as {@link BatchGradient}),
 * per-row evaluation, initialisation. A model object holds no weights — the SGD operator owns the vector — so the
 * same object serves training, evaluation and a model restored from the catalog.
 *
 * <p>Label conventions (the label stored in the table; see docs/operators.md):
 * <ul>
 *   <li>binary models (logistic, svm, mlp with 2 classes): 0/1 or -1/+1; {@code y > 0} is the positive class</li>
 *   <li>multi-class models (softmax, mlp with K &gt; 2 classes): integer class index 0 .. K-1</li>
 *   <li>regression (linear): any finite value</li>
 * </ul>
 *
 * <p>Training uses a model from the compute thread only; evaluation methods allocate their own scratch and are
 * safe to call from any thread.
 */
public interface Model extends BatchGradient {
    /** What predictions mean. */
    enum Kind { BINARY, MULTICLASS, REGRESSION }

    String type();

    /** Number of features. */
    int dimension();

    Kind kind();

    /** 2 for binary, K for multi-class, 0 for regression. */
    int classes();

    int parameterCount();

    /** Writes the initial parameters (zeros for linear models, seeded He initialisation for mlp). */
    void initialize(double[] params, long seed);

    /** True for bias terms, which L1 and L2 leave alone. */
    boolean isBias(int index);

    /** True when {@link #evaluateRow} yields a calibrated positive-class probability (logistic, binary mlp). */
    boolean hasProbability();

    /**
     * Loss of one row and its prediction: {@code out[0]} the predicted label in canonical form (1/0 for binary,
     * class index, or value), {@code out[1]} a positive-class score in [0, 1] for ranking (AUC) — a probability
     * when {@link #hasProbability()}, the sigmoid of the margin for svm, NaN otherwise.
     */
    double evaluateRow(double[] params, TupleBuffer rows, int row, double[] out);

    /**
     * The canonical prediction of one row ({@code out[0]} of {@link #evaluateRow}) without its loss and score: what
     * counting correct predictions needs ({@code TrainingSample}, every epoch), where the loss's exp and log would
     * cost more than the prediction.
     */
    default double predictRow(double[] params, TupleBuffer rows, int row) {
        double[] out = new double[2];
        evaluateRow(params, rows, row, out);
        return out[0];
    }

    /**
     * Weighs each training row's loss (and so its gradient) by the weight of its class, for imbalanced classes:
     * {@code weights[c]} for class c (binary models: index 0 the negative class, 1 the positive one). Evaluation is
     * unweighted. Only logistic, svm and softmax take class weights.
     *
     * @throws InvalidSpecException when this model has no classes to weigh, or {@code weights} is not one positive
     *                              finite number per class
     */
    default void classWeights(double[] weights) {
        throw new InvalidSpecException("class_weights apply to logistic, svm and softmax models, not " + type(),
                "Omit class_weights, or train a logistic, svm or softmax model.");
    }

    /** Checks {@code weights} for a model of {@code classes} classes (see {@link #classWeights}); returns a copy. */
    static double[] checkClassWeights(double[] weights, int classes) {
        if (weights.length != classes) {
            throw new InvalidSpecException("class_weights must have one weight per class (" + classes + "), got "
                    + weights.length, classes == 2 ? "Binary models take [weight of the negative class, weight of the "
                    + "positive class]." : "Element k weighs class k (labels 0 .. " + (classes - 1) + ").");
        }
        for (double w : weights) {
            if (!(w > 0) || !Double.isFinite(w)) {
                throw new InvalidSpecException("class_weights must be positive finite numbers, got "
                        + org.corgipile.operators.Numbers.text(w),
                        "For example [1, 5] to count each positive row five times.");
            }
        }
        return weights.clone();
    }

    /** Model configuration stored with the model (classes, hidden, ...), enough for {@link #create}. */
    Map<String, Object> config();

    /** Most parameters a model may have: the largest Java array of doubles. */
    long MAX_PARAMETERS = Integer.MAX_VALUE - 8;

    /**
     * {@code count} as an int, or 54000 (program_limit_exceeded) when a model of that shape cannot exist: its
     * parameters do not fit one Java array (e.g. softmax with 65536 classes on 33k features, 2.2 billion).
     */
    static int checkParameterCount(long count, String shape) {
        if (count > MAX_PARAMETERS) {
            throw new TrainingException(TrainingException.PROGRAM_LIMIT_EXCEEDED, shape + " would have " + count
                    + " parameters, more than the limit of " + MAX_PARAMETERS,
                    "Use fewer classes, fewer features or smaller hidden layers; the parameters, their gradient and "
                            + "a copy of the best epoch must also fit corgipile.max_heap (8 bytes each).");
        }
        return (int) count;
    }

    /**
     * Builds the model of {@code type}.
     *
     * @param classes 2..K for classifiers (0 means 2 for binary models), ignored for linear
     * @param hidden  hidden widths for mlp, ignored otherwise
     */
    static Model create(String type, int dimension, int classes, int[] hidden) {
        return switch (type) {
            case "logistic" -> new LogisticModel(dimension);
            case "svm" -> new SvmModel(dimension);
            case "linear" -> new LinearModel(dimension);
            case "softmax" -> new SoftmaxModel(dimension, classes);
            case "mlp" -> new MlpModel(dimension, hidden, classes == 0 ? 2 : classes);
            default -> throw new InvalidSpecException("model must be one of logistic, svm, linear, softmax, mlp, got \""
                    + type + "\"");
        };
    }
}
