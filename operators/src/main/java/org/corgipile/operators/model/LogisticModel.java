package org.corgipile.operators.model;

import java.util.Map;

/**
 * Logistic regression: loss {@code log(1 + exp(-y m))} with y = +1 for a positive stored label ({@code > 0}) and -1
 * otherwise, so tables labelled 0/1 and -1/+1 both train. Predicts 1 for {@code m > 0}; the trained model maps
 * that back to the encoding the table used.
 */
public final class LogisticModel extends GeneralizedLinearModel {
    public LogisticModel(int dimension) {
        super(dimension);
    }

    @Override
    public String type() {
        return "logistic";
    }

    @Override
    public Kind kind() {
        return Kind.BINARY;
    }

    @Override
    public int classes() {
        return 2;
    }

    @Override
    public boolean hasProbability() {
        return true;
    }

    @Override
    double loss(double m, double y) {
        return RowAlgebra.softplus(-sign(y) * m);
    }

    @Override
    double dloss(double m, double y) {
        double s = sign(y);
        return -s * RowAlgebra.sigmoid(-s * m);
    }

    @Override
    double predict(double m) {
        return m > 0 ? 1 : 0;
    }

    @Override
    double score(double m) {
        return RowAlgebra.sigmoid(m);
    }

    @Override
    public Map<String, Object> config() {
        return Map.of("classes", 2);
    }
}
