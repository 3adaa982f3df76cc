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

    /**
     * Both from one exp: with z = -y m, softplus(z) and sigmoid(z) each evaluate exp(-|z|) (exp(-z) for z &gt; 0,
     * exp(z) otherwise), so computing it once gives bit for bit the values of {@link #loss} and {@link #dloss}.
     */
    @Override
    double slope(double m, double y) {
        double s = sign(y);
        double z = -s * m;
        double e = Math.exp(-Math.abs(z));
        lastLoss = z > 0 ? z + Log1p.log1p(e) : Log1p.log1p(e);
        return -s * (z >= 0 ? 1 / (1 + e) : e / (1 + e));
    }
}
