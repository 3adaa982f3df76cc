package org.corgipile.operators.model;

import java.util.Map;

/**
 * The binary linear classifiers (logistic, svm): what they share beyond the linear loop — two classes, stored
 * labels read as y = +1 when {@code > 0} and -1 otherwise (so 0/1 and -1/+1 tables both train), prediction 1 for a
 * positive margin, and the sigmoid of the margin as the ranking score. They differ only in the loss.
 */
abstract class BinaryLinearClassifier extends GeneralizedLinearModel {
    BinaryLinearClassifier(int dimension) {
        super(dimension);
    }

    @Override
    public final Kind kind() {
        return Kind.BINARY;
    }

    @Override
    public final int classes() {
        return 2;
    }

    @Override
    final double predict(double m) {
        return m > 0 ? 1 : 0;
    }

    @Override
    final double score(double m) {
        return RowAlgebra.sigmoid(m);
    }

    @Override
    public final Map<String, Object> config() {
        return Map.of("classes", 2);
    }

    /** The stored label as the +1/-1 the losses are written in. */
    static double sign(double y) {
        return y > 0 ? 1.0 : -1.0;
    }
}
