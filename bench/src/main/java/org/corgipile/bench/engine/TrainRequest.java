package org.corgipile.bench.engine;

/**
 * One training call: the same for every engine and strategy so that only the data order differs.
 *
 * @param table          training relation (for shuffle_once: the rewritten copy)
 * @param testTable      relation evaluated after each epoch
 * @param label          label column (0/1 or -1/+1)
 * @param features       features column ({@code float8[]})
 * @param strategy       the data order passed to the engine (never {@link Strategy#SHUFFLE_ONCE}: the runner
 *                       rewrites the table and passes {@link Strategy#NONE})
 * @param epochs         number of passes
 * @param learningRate   initial learning rate
 * @param decay          learning-rate factor applied after every epoch
 * @param seed           seed of every random choice
 * @param blockPages     heap pages per block for the block-level shuffle
 * @param bufferFraction tuple buffer as a fraction of the table (corgipile, sliding_window, mrs)
 * @param modelName      name under which an in-database engine stores the model
 * @param engineOptions  extra {@code train_sgd} options as a JSON object
 */
public record TrainRequest(String table, String testTable, String label, String features, Strategy strategy,
                           int epochs, double learningRate, double decay, long seed, int blockPages,
                           double bufferFraction, String modelName, String engineOptions) {

    public TrainRequest {
        if (strategy == Strategy.SHUFFLE_ONCE) {
            throw new IllegalArgumentException("shuffle_once is prepared by the runner; pass strategy none");
        }
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        }
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("learning rate must be > 0, got " + learningRate);
        }
        if (blockPages < 1) {
            throw new IllegalArgumentException("block pages must be >= 1, got " + blockPages);
        }
        if (!(bufferFraction > 0 && bufferFraction <= 1)) {
            throw new IllegalArgumentException("buffer fraction must be in (0, 1], got " + bufferFraction);
        }
    }
}
