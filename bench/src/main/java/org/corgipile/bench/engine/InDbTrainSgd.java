package org.corgipile.bench.engine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The shipped engine: {@code SELECT * FROM train_sgd(...)} of the corgipile extension, one call per strategy, all
 * epochs inside the backend, with the product's defaults for everything the request leaves at 0. The per-epoch rows
 * it returns are the results; {@code validation_relation} gives the test metrics; the stored model's
 * {@code epoch_log} adds each epoch's read/compute split (and the reading thread's wait and help), its metric-pass time, the profile pass before epoch 1, the
 * bytes the backend read from the device and the read requests of the server's blkio group.
 */
public final class InDbTrainSgd implements TrainingEngine {
    private static final String SQL = "SELECT * FROM train_sgd(relation => ?::regclass, label => ?, features => ?,"
            + " shuffle => ?, epochs => ?, model_name => ?, validation_relation => ?::regclass, seed => ?,"
            + " options => ?::jsonb)";

    /** True when {@code train_sgd} is callable in the connection's database. */
    public static boolean available(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT 1 FROM pg_proc WHERE proname = 'train_sgd'")) {
            return rs.next();
        }
    }

    @Override
    public String name() {
        return "in-db";
    }

    /**
     * One epoch of the measured strategy on the (small) test relation: starts the backend's JVM and compiles that
     * strategy's code paths, so epoch 1 of every strategy starts from the same point (a storage-order warm-up left
     * the shuffling strategies' code to be compiled during their epoch 1).
     */
    @Override
    public void warmUp(Connection c, TrainRequest r) throws SQLException {
        TrainRequest w = new TrainRequest(r.testTable(), r.testTable(), r.label(), r.features(), r.strategy(), 1,
                r.learningRate(), r.decay(), r.seed(), r.blockPages(), r.bufferFraction(), r.modelName() + "_warmup",
                r.engineOptions());
        train(c, w);
    }

    @Override
    public List<EpochResult> train(Connection c, TrainRequest r) throws SQLException {
        Map<String, Object> options = new HashMap<>(r.options());
        options.putIfAbsent("overwrite", true);
        String json;
        try {
            json = new ObjectMapper().writeValueAsString(options);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
        List<double[]> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(SQL)) {
            ps.setString(1, r.table());
            ps.setString(2, r.label());
            ps.setString(3, r.features());
            ps.setString(4, r.strategy().sqlName());
            ps.setInt(5, r.epochs());
            ps.setString(6, r.modelName());
            ps.setString(7, r.testTable());
            ps.setLong(8, r.seed());
            ps.setString(9, json);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new double[] {rs.getInt("epoch"), number(rs, "seconds"), number(rs, "loss"),
                        number(rs, "accuracy"), number(rs, "validation_loss"), number(rs, "validation_accuracy"),
                        number(rs, "learning_rate"), rs.getLong("tuples")});
                }
            }
        }
        JsonNode log = epochLog(c, r.modelName());
        List<EpochResult> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            double[] x = rows.get(i);
            JsonNode e = log != null && log.size() > i ? log.get(i) : null;
            out.add(new EpochResult((int) x[0], x[1], x[2], x[3], x[4], x[5], x[6], (long) x[7],
                    field(e, "read_seconds"), field(e, "compute_seconds"), field(e, "read_wait_seconds"),
                    field(e, "read_help_seconds"), field(e, "eval_seconds"),
                    e != null && e.hasNonNull("profile_seconds") ? e.get("profile_seconds").asDouble() : 0,
                    e != null && e.hasNonNull("probe_seconds") ? e.get("probe_seconds").asDouble() : 0,
                    e != null && e.hasNonNull("device_read_bytes") ? e.get("device_read_bytes").asLong() : -1,
                    e != null && e.hasNonNull("device_read_requests") ? e.get("device_read_requests").asLong() : -1));
        }
        return out;
    }

    private static JsonNode epochLog(Connection c, String model) throws SQLException {
        // the catalog's one lookup by name (corgipile.model_id), not a query of our own on the name column
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT epoch_log::text FROM corgipile.models WHERE id = corgipile.model_id(?)")) {
            ps.setString(1, model);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new ObjectMapper().readTree(rs.getString(1)) : null;
            } catch (JsonProcessingException e) {
                throw new SQLException("epoch_log of " + model + " is not JSON: " + e.getOriginalMessage(), e);
            }
        }
    }

    static double field(JsonNode e, String name) {
        return e != null && e.hasNonNull(name) ? e.get(name).asDouble() : Double.NaN;
    }

    private static double number(ResultSet rs, String column) throws SQLException {
        double v = rs.getDouble(column);
        return rs.wasNull() ? Double.NaN : v;
    }
}
