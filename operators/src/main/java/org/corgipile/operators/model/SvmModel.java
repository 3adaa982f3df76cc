package org.corgipile.operators.model;

/**
 * Linear SVM trained on the hinge loss {@code max(0, 1 - y m)} (y = +1 for a stored label {@code > 0}, else -1;
 * 0/1 and -1/+1 tables both work). The subgradient at the hinge is taken as 0. No calibrated probability: the
 * ranking score used for AUC is the sigmoid of the margin.
 */
public final class SvmModel extends BinaryLinearClassifier {
    public SvmModel(int dimension) {
        super(dimension);
    }

    @Override
    public String type() {
        return "svm";
    }

    @Override
    public boolean hasProbability() {
        return false;
    }

    @Override
    double loss(double m, double y) {
        return Math.max(0, 1 - sign(y) * m);
    }

    @Override
    double dloss(double m, double y) {
        double s = sign(y);
        return s * m < 1 ? -s : 0;
    }
}
