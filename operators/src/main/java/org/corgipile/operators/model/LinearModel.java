package org.corgipile.operators.model;

import java.util.Map;

/** Linear regression on the squared loss {@code (m - y)^2 / 2}; predicts the value m. */
public final class LinearModel extends GeneralizedLinearModel {
    public LinearModel(int dimension) {
        super(dimension);
    }

    @Override
    public String type() {
        return "linear";
    }

    @Override
    public Kind kind() {
        return Kind.REGRESSION;
    }

    @Override
    public int classes() {
        return 0;
    }

    @Override
    public boolean hasProbability() {
        return false;
    }

    @Override
    double loss(double m, double y) {
        double e = m - y;
        return 0.5 * e * e;
    }

    @Override
    double dloss(double m, double y) {
        return m - y;
    }

    @Override
    double predict(double m) {
        return m;
    }

    @Override
    double score(double m) {
        return Double.NaN;
    }

    @Override
    public Map<String, Object> config() {
        return Map.of();
    }
}
