package org.corgipile.client;

/**
 * One row of {@code corgipile.training_progress}: a {@code train_sgd} running in some backend right now.
 *
 * @param pid            the training backend
 * @param relation       the table read
 * @param modelName      the model_name argument, or null
 * @param model          the model type
 * @param strategy       the shuffle strategy
 * @param phase          profile, train, evaluate or validate
 * @param epoch          the current epoch (1-based), of {@code epochs}
 * @param epochs         epochs requested
 * @param tuplesDone     tuples trained on in the current epoch so far
 * @param tuplesTotal    tuples per epoch (estimated during the first epoch), or -1 when not known yet
 * @param loss           running loss of the current epoch, NaN before the first batch
 * @param elapsedSeconds since the call started
 */
public record LiveTraining(int pid, String relation, String modelName, String model, String strategy, String phase,
                           int epoch, int epochs, long tuplesDone, long tuplesTotal, double loss,
                           double elapsedSeconds) {
}
