package org.corgipile.gpu;

import org.corgipile.operators.TupleBuffer;

/**
 * Argument checks and label mapping shared by every {@link DenseGradient}, so that both devices reject the same
 * inputs with the same message and read labels the same way.
 */
final class BatchArguments {
    private BatchArguments() {
    }

    /** Validates one {@link DenseGradient#lossAndGradient} call; returns the number of rows. */
    static int check(GradientModel model, double[] params, TupleBuffer batch, int from, int to, double[] gradOut) {
        if (batch.shape().sparse()) {
            throw new IllegalArgumentException("dense gradients need a dense batch, got a sparse one of dimension "
                    + batch.shape().dimension());
        }
        if (batch.shape().dimension() != model.width()) {
            throw new IllegalArgumentException("batch width must equal the model width " + model.width() + ", got "
                    + batch.shape().dimension());
        }
        if (from < 0 || to > batch.size() || from >= to) {
            throw new IllegalArgumentException("rows [from, to) must be a non-empty range within [0, "
                    + batch.size() + "), got [" + from + ", " + to + ")");
        }
        int p = model.paramCount();
        if (params.length != p) {
            throw new IllegalArgumentException("params must have " + p + " values for " + model + ", got "
                    + params.length);
        }
        if (gradOut.length < p) {
            throw new IllegalArgumentException("gradOut must have at least " + p + " values for " + model
                    + ", got " + gradOut.length);
        }
        return to - from;
    }

    /**
     * The label as the loss reads it: 0/1 for a binary logistic output, -1/+1 for svm, the class index for a
     * softmax output, the label itself for linear.
     */
    static double target(GradientModel model, double label) {
        return switch (model.kind()) {
            case LINEAR -> label;
            case LOGISTIC -> label > 0 ? 1.0 : 0.0;
            case SVM -> label > 0 ? 1.0 : -1.0;
            case SOFTMAX, MLP -> model.classes() == 1 ? (label > 0 ? 1.0 : 0.0) : classIndex(model, label);
        };
    }

    private static double classIndex(GradientModel model, double label) {
        int c = (int) label;
        if (c != label || c < 0 || c >= model.classes()) {
            throw new IllegalArgumentException("label must be a class index in [0, " + model.classes() + ") for "
                    + model.kind().sqlName() + ", got " + label);
        }
        return c;
    }
}
