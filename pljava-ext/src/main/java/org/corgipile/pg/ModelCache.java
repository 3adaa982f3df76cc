package org.corgipile.pg;

import java.util.LinkedHashMap;
import java.util.Map;

import org.corgipile.operators.TrainingException;
import org.corgipile.operators.TrainedModel;

/**
 * Restored models of this backend by catalog id, so that {@code sgd_predict} over many rows restores a model once.
 * Ids come from an identity column and are never reused (an overwrite deletes and inserts a new row), so a cached
 * entry cannot go stale. Least recently used entries are dropped beyond {@value #CAPACITY} models.
 */
final class ModelCache {
    private static final int CAPACITY = 32;
    private static final Map<Long, TrainedModel> MODELS = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, TrainedModel> eldest) {
            return size() > CAPACITY;
        }
    };

    private ModelCache() {
    }

    static boolean contains(long id) {
        return MODELS.containsKey(id);
    }

    static void load(long id, Args row) {
        MODELS.put(id, restore(row));
    }

    /** A model from its catalog row as JSON (to_jsonb of a corgipile.models row). */
    static TrainedModel restore(Args row) {
        return TrainedModel.restore(row.string("model_type"), row.intValue("dimension", 0), row.doubles("parameters"),
                row.doubles("feature_mean"), row.doubles("feature_std"), row.object("params"));
    }

    static double predict(long id, double[] features, boolean probability) {
        TrainedModel m = MODELS.get(id);
        if (m == null) {
            throw new IllegalStateException("model " + id + " is not loaded");
        }
        if (features.length != m.dimension()) {
            throw new TrainingException(TrainingException.DATA_EXCEPTION,
                    "features have " + features.length + " values but the "
                    + m.type() + " model expects " + m.dimension(), "Pass " + m.dimension() + " values, one per "
                    + "feature the model was trained on, in that order.");
        }
        return probability ? m.predictProba(features) : m.predict(features);
    }
}
