package org.corgipile.operators.model;

/**
 * Logistic regression: loss {@code log(1 + exp(-y m))} with y = +1 for a positive stored label ({@code > 0}) and -1
 * otherwise, so tables labelled 0/1 and -1/+1 both train. Predicts 1 for {@code m > 0}; the trained model maps
 * that back to the encoding the table used.
 */
public final class LogisticModel extends BinaryLinearClassifier {
    public LogisticModel(int dimension) {
        super(dimension);
    }

    @Override
    public String type() {
        return "logistic";
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
}
