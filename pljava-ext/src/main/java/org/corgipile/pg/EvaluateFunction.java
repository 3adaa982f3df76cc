package org.corgipile.pg;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.corgipile.operators.TrainedModel;

/**
 * The Java half of {@code sgd_evaluate}: restores the model from its catalog row, reads the relation through a heap
 * reader in storage order and answers the metrics as ordered [name, value] pairs (NULL for NaN).
 */
final class EvaluateFunction {
    private EvaluateFunction() {
    }

    static Map<String, Object> run(Args args) {
        TrainedModel model = ModelCache.restore(new Args(args.object("model")));
        Map<String, Double> metrics;
        try (RelationSource src = RelationSource.open(args, "relation", args.string("label"),
                args.string("features"), model.dimension())) {
            metrics = model.evaluate(src);
        }
        List<Object> rows = new ArrayList<>();
        metrics.forEach((name, value) -> rows.add(Arrays.asList(name, value)));
        return Map.of("metrics", rows);
    }
}
