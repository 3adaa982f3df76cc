package org.corgipile.operators;

/**
 * Shape of the feature vectors of a relation.
 *
 * @param dimension number of features (dense width, or the sparse dimensionality: indices are in [0, dimension))
 * @param sparse    true when tuples carry (index, value) pairs instead of a dense vector
 */
public record FeatureShape(int dimension, boolean sparse) {
    public FeatureShape {
        if (dimension < 1) {
            throw new IllegalArgumentException("dimension must be at least 1, got " + dimension);
        }
    }

    public static FeatureShape dense(int dimension) {
        return new FeatureShape(dimension, false);
    }

    public static FeatureShape sparse(int dimension) {
        return new FeatureShape(dimension, true);
    }
}
