package org.corgipile.client;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.corgipile.operators.EpochStats;

/**
 * The API side of the catalog's introspection functions ({@code sgd_training_info}, {@code sgd_weights},
 * {@code sgd_drop_model}, {@code sgd_model_versions}, {@code sgd_restore_model}, {@code sgd_drop_model_versions},
 * {@code corgipile.training_progress}). They are plain SQL of the migrations, so they work in
 * a database with the extension and in one installed with {@link CorgiPile#install()}.
 */
final class Introspection {
    private Introspection() {
    }

    static List<EpochStats> trainingInfo(Connection c, String model) throws SQLException {
        List<EpochStats> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT epoch, loss, accuracy, validation_loss, "
                + "validation_accuracy, learning_rate, seconds, tuples FROM sgd_training_info(?) ORDER BY epoch")) {
            ps.setString(1, model);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new EpochStats(rs.getInt(1), dbl(rs, 2), dbl(rs, 3), dbl(rs, 4), dbl(rs, 5), dbl(rs, 6),
                            dbl(rs, 7), rs.getLong(8), Map.of()));
                }
            }
        }
        return out;
    }

    static List<FeatureWeight> weights(Connection c, String model) throws SQLException {
        List<FeatureWeight> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT class, feature_index, feature, weight FROM sgd_weights(?)")) {
            ps.setString(1, model);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new FeatureWeight((Integer) rs.getObject(1), (Integer) rs.getObject(2), rs.getString(3),
                            rs.getDouble(4)));
                }
            }
        }
        return out;
    }

    static List<ModelVersion> versions(Connection c, String model) throws SQLException {
        List<ModelVersion> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT version, current, model_type, dimension, trained_in, "
                + "source_relation, loss, created_at FROM sgd_model_versions(?)")) {
            ps.setString(1, model);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new ModelVersion(rs.getInt(1), rs.getBoolean(2), rs.getString(3), rs.getInt(4),
                            rs.getString(5), rs.getString(6), dbl(rs, 7),
                            rs.getObject(8, java.time.OffsetDateTime.class)));
                }
            }
        }
        return out;
    }

    static int restore(Connection c, String model, int version) throws SQLException {
        return intCall(c, "SELECT sgd_restore_model(?, ?)", model, version);
    }

    static int dropVersions(Connection c, String model, int keep) throws SQLException {
        return intCall(c, "SELECT sgd_drop_model_versions(?, ?)", model, keep);
    }

    /** The integer a function of (model name, integer) returns. */
    private static int intCall(Connection c, String sql, String model, int arg) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, model);
            ps.setInt(2, arg);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    static void drop(Connection c, String model) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT sgd_drop_model(?)")) {
            ps.setString(1, model);
            ps.execute();
        }
    }

    static List<LiveTraining> progress(Connection c) throws SQLException {
        List<LiveTraining> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT pid, relation, model_name, model, strategy, phase, "
                + "epoch, epochs, tuples_done, coalesce(tuples_total, -1), loss, extract(epoch FROM elapsed) "
                + "FROM corgipile.training_progress ORDER BY pid");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new LiveTraining(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getInt(7), rs.getInt(8), rs.getLong(9), rs.getLong(10),
                        dbl(rs, 11), rs.getDouble(12)));
            }
        }
        return out;
    }

    private static double dbl(ResultSet rs, int i) throws SQLException {
        double v = rs.getDouble(i);
        return rs.wasNull() ? Double.NaN : v;
    }
}
