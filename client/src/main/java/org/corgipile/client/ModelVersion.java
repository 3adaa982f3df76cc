package org.corgipile.client;

import java.time.OffsetDateTime;

/**
 * One version of a stored model ({@code sgd_model_versions}): the current one, or one an overwrite kept.
 *
 * @param version        1, 2, ... in the order the name was stored
 * @param current        whether this is the model {@code sgd_predict} uses
 * @param modelType      logistic, svm, linear, softmax or mlp
 * @param dimension      the number of features
 * @param trainedIn      server or client
 * @param sourceRelation the relation it was trained on
 * @param loss           the loss of its kept epoch (NaN when not recorded)
 * @param createdAt      when this version was stored
 */
public record ModelVersion(int version, boolean current, String modelType, int dimension, String trainedIn,
                           String sourceRelation, double loss, OffsetDateTime createdAt) {
}
