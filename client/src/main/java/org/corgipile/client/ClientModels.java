package org.corgipile.client;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;

import org.corgipile.client.jdbc.FeatureColumns;
import org.corgipile.client.jdbc.JdbcBlockSource;
import org.corgipile.client.jdbc.RelationColumns;
import org.corgipile.operators.FeatureShape;
import org.corgipile.operators.TrainedModel;
import org.corgipile.operators.TrainingException;

/**
 * Models from the catalog used in this JVM, for databases without the extension: the row is read back into the
 * engine's {@link TrainedModel} (the same restore the extension does), so predictions and metrics are computed by
 * the same code as in the server.
 */
final class ClientModels {
    private ClientModels() {
    }

    /**
     * Restores model {@code name} from {@code corgipile.models}; 42704 when there is none ({@link ModelCatalog#id}),
     * also when the row is gone when read after the lookup (a concurrent drop or replace, or a row-level security
     * policy): the lookup's error and hint.
     */
    static TrainedModel restore(Connection c, String name) throws SQLException {
        long id = ModelCatalog.id(c, name);
        try (PreparedStatement ps = c.prepareStatement("SELECT model_type, dimension, parameters, feature_mean, "
                + "feature_std, params::text FROM " + ModelCatalog.TABLE + " WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw ModelCatalog.unknownModel(name, null);
                }
                Map<String, Object> params;
                try {
                    params = Json.MAPPER.readValue(rs.getString(6), new TypeReference<Map<String, Object>>() { });
                } catch (JsonProcessingException e) {
                    throw new CorgiPileException(TrainingException.DATA_EXCEPTION, "params of model \"" + name
                            + "\" are not valid JSON: " + e.getOriginalMessage());
                }
                String type = rs.getString(1);
                int dimension = rs.getInt(2);
                double[] parameters = doubles(rs.getArray(3));
                double[] mean = doubles(rs.getArray(4));
                double[] std = doubles(rs.getArray(5));
                return Errors.call(() -> TrainedModel.restore(type, dimension, parameters, mean, std, params));
            }
        }
    }

    /** A prediction function of model {@code name} for dense feature vectors. */
    static ToDoubleFunction<double[]> predictor(Connection c, String name) throws SQLException {
        return predictor(c, name, false);
    }

    /** Like {@link #predictor(Connection, String)}; with {@code proba}, the positive-class probability (or NaN). */
    static ToDoubleFunction<double[]> predictor(Connection c, String name, boolean proba) throws SQLException {
        TrainedModel m = restore(c, name);
        return proba ? m::predictProba : m::predict;
    }

    /** Metrics of model {@code name} over {@code relation}, read by TID range scans under one snapshot. */
    static Map<String, Double> evaluate(Connection c, String name, String relation, String label, String features)
            throws SQLException {
        TrainedModel m = restore(c, name);
        boolean autoCommit = c.getAutoCommit();
        JdbcBlockSource.beginSnapshot(c);
        try {
            RelationColumns rel = RelationColumns.resolve(c, relation, label, features);
            FeatureShape shape = rel.features().layout() == FeatureColumns.Layout.SPARSE
                    ? FeatureShape.sparse(m.dimension()) : rel.detectShape(c, 0);
            JdbcBlockSource source = JdbcBlockSource.open(c, rel, shape);
            return Errors.call(() -> m.evaluate(source));
        } finally {
            c.rollback();
            c.setAutoCommit(autoCommit);
        }
    }

    private static double[] doubles(Array a) throws SQLException {
        if (a == null) {
            return null;
        }
        Double[] boxed = (Double[]) a.getArray();
        double[] out = new double[boxed.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = boxed[i];
        }
        return out;
    }
}
