package org.corgipile.client;

import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One row of the models catalog {@code corgipile.models}, as stored: the common fields by name, and the whole row as
 * JSON ({@link #row()}: jsonb columns embedded as JSON, arrays as JSON arrays, timestamps as ISO-8601 text) — the
 * form {@code corgipile export --model} writes.
 *
 * @param name      the model name
 * @param type      the model type (logistic, svm, linear, softmax, mlp)
 * @param relation  the relation it was trained on, or null
 * @param createdAt when it was stored, ISO-8601, or null
 * @param metrics   final metrics by name (may be empty)
 */
public record ModelInfo(String name, String type, String relation, String createdAt, Map<String, Double> metrics,
                        ObjectNode row) {
    public ModelInfo {
        metrics = Map.copyOf(metrics);
    }
}
