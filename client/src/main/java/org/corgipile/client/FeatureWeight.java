package org.corgipile.client;

/**
 * One row of {@code sgd_weights}: a weight of a linear model (or of one class of a softmax model).
 *
 * @param classIndex   the class (softmax), or null for a single weight vector
 * @param featureIndex the 0-based feature index, or null for the bias
 * @param feature      the feature's name (a column of a column list, {@code features[i]} for an array column), or
 *                     {@code (bias)}
 * @param weight       the weight (on the standardised scale when the model was trained with standardize)
 */
public record FeatureWeight(Integer classIndex, Integer featureIndex, String feature, double weight) {
}
