package org.corgipile.client;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import org.corgipile.operators.EpochStats;

/**
 * A model stored in the catalog, by name: what {@link CorgiPile#train} returns and {@link CorgiPile#model} finds.
 * A handle holds no weights; every call reads the catalog, so it sees the model as stored (e.g. after an
 * overwrite).
 */
public final class ModelHandle {
    private final CorgiPile corgipile;
    private final String name;

    ModelHandle(CorgiPile corgipile, String name) {
        this.corgipile = corgipile;
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** The catalog row. */
    public ModelInfo info() throws SQLException {
        return corgipile.info(name);
    }

    /** The predicted label (binary 1/0, class index) or value for one feature vector. */
    public double predict(double... features) throws SQLException {
        return corgipile.predict(name, features);
    }

    /** Metrics of this model on {@code relation}: accuracy, precision, recall, f1, auc, log_loss / rmse, mae, r2. */
    public Map<String, Double> evaluate(String relation, String label, String features) throws SQLException {
        return corgipile.evaluate(name, relation, label, features);
    }

    /**
     * One row per epoch ({@code sgd_training_info}): the stored epoch log, or the finished epochs so far while a
     * training of this name runs.
     */
    public List<EpochStats> trainingInfo() throws SQLException {
        return corgipile.trainingInfo(name);
    }

    /** The weights with feature names ({@code sgd_weights}); 0A000 for an mlp. */
    public List<FeatureWeight> weights() throws SQLException {
        return corgipile.weights(name);
    }

    /** The current version and those overwrites kept, newest first ({@code sgd_model_versions}). */
    public List<ModelVersion> versions() throws SQLException {
        return corgipile.versions(name);
    }

    /**
     * Makes a kept version current again, as a new version ({@code sgd_restore_model}); returns the new version.
     * 42704 for a version that does not exist, 42501 when the caller does not own the model.
     */
    public int restore(int version) throws SQLException {
        return corgipile.restore(name, version);
    }

    /**
     * Drops the kept versions of this model but the newest {@code keep} ({@code sgd_drop_model_versions}; 0 drops
     * them all, the current version stays); returns how many were dropped. 42501 when the caller does not own the
     * model, 22023 for a negative {@code keep}.
     */
    public int dropVersions(int keep) throws SQLException {
        return corgipile.dropVersions(name, keep);
    }

    /** Drops this model and its kept versions ({@code sgd_drop_model}). */
    public void drop() throws SQLException {
        corgipile.dropModel(name);
    }

    /** The catalog row as pretty-printed JSON. */
    public String toJson() throws SQLException {
        return corgipile.exportJson(name);
    }

    @Override
    public String toString() {
        return "model " + name;
    }
}
