package org.corgipile.bench.engine;

/**
 * One training call: the same for every strategy so that only the data order differs. Tuning arguments left at 0
 * are not passed, so the engine's defaults (the product's) decide them.
 *
 * @param table          training relation (for shuffle_once: the rewritten copy)
 * @param testTable      relation evaluated after each epoch
 * @param label          label column (0/1 or -1/+1)
 * @param features       features column ({@code float8[]})
 * @param strategy       the data order passed to the engine (never {@link Strategy#SHUFFLE_ONCE}: the runner
 *                       rewrites the table and passes {@link Strategy#NONE})
 * @param epochs         number of passes
 * @param learningRate   initial learning rate, 0 = the engine's default
 * @param decay          learning-rate factor applied after every epoch, 0 = the engine's default
 * @param seed           seed of every random choice
 * @param blockPages     heap pages per block for the block-level shuffle, 0 = the engine's default
 * @param bufferFraction tuple buffer as a fraction of the table, 0 = the engine's default
 * @param modelName      name under which the engine stores the model
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
        if (!(learningRate >= 0)) {
            throw new IllegalArgumentException("learning rate must be > 0 (0 = default), got " + learningRate);
        }
        if (blockPages < 0) {
            throw new IllegalArgumentException("block pages must be >= 1 (0 = default), got " + blockPages);
        }
        if (!(bufferFraction >= 0 && bufferFraction <= 1)) {
            throw new IllegalArgumentException("buffer fraction must be in (0, 1] (0 = default), got "
                    + bufferFraction);
        }
    }

    /**
     * The tuning arguments that were set, then the user's {@code --engine-options} on top, as {@code train_sgd}
     * option names ({@code block_size}, {@code buffer_size}, {@code learning_rate}, {@code decay}, ...).
     */
    public java.util.Map<String, Object> options() {
        java.util.Map<String, Object> o = new java.util.LinkedHashMap<>();
        if (blockPages > 0) {
            o.put("block_size", blockPages);
        }
        if (bufferFraction > 0) {
            o.put("buffer_size", bufferFraction);
        }
        if (learningRate > 0) {
            o.put("learning_rate", learningRate);
        }
        if (decay > 0) {
            o.put("decay", decay);
        }
        try {
            com.fasterxml.jackson.databind.JsonNode user =
                    new com.fasterxml.jackson.databind.ObjectMapper().readTree(engineOptions);
            if (user == null || !user.isObject()) {
                throw new IllegalArgumentException("engine options must be a JSON object, got '" + engineOptions + "'");
            }
            user.fields().forEachRemaining(e -> o.put(e.getKey(), e.getValue().isNumber() ? e.getValue().numberValue()
                    : e.getValue().isBoolean() ? (Object) e.getValue().booleanValue()
                    : e.getValue().isTextual() ? e.getValue().textValue() : e.getValue().toString()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("engine options are not valid JSON: " + e.getOriginalMessage(), e);
        }
        return o;
    }
}
