package org.corgipile.pg;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.corgipile.operators.TrainedModel;

/**
 * The Java half of {@code sgd_evaluate}: restores the model from its catalog row, reads the relation through a heap
 * reader in storage order and answers the metrics as ordered [name, value] pairs (NULL for NaN).
 */
final class EvaluateFunction {
    private EvaluateFunction() {
    }

    static JsonNode run(JsonNode args) {
        TrainedModel model = ModelCache.restore(args.get("model"));
        Map<String, Double> metrics;
        try (HeapBlockSource src = HeapBlockSource.open(args.get("relation").asLong(), args.get("label").asText(),
                args.get("features").asText(), model.dimension())) {
            metrics = model.evaluate(src);
        }
        ObjectNode out = Entry.JSON.createObjectNode();
        ArrayNode rows = out.putArray("metrics");
        metrics.forEach((name, value) -> {
            ArrayNode pair = rows.addArray();
            pair.add(name);
            if (value == null || value.isNaN() || value.isInfinite()) {
                pair.addNull();
            } else {
                pair.add(value.doubleValue());
            }
        });
        return out;
    }
}
