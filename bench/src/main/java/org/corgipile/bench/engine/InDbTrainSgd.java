package org.corgipile.bench.engine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The real engine: {@code SELECT * FROM train_sgd(...)} of the corgipile extension, one call per strategy, all
 * epochs inside the backend. The per-epoch rows it returns are the results; {@code validation_relation} gives the
 * test metrics. Block size, buffer fraction and learning-rate decay go in as {@code options} keys
 * {@code block_size}, {@code buffer_size} and {@code decay}; {@code --engine-options} can override them.
 *
 * <p>Because all epochs run in one statement, the epoch hook runs once, before the call (see
 * {@link #hooksEveryEpoch()}); on cold profiles later epochs may find part of the table in the page cache, which
 * the blocks-read counters and the report make visible.
 */
public final class InDbTrainSgd implements TrainingEngine {
    private static final String SQL = "SELECT * FROM train_sgd(relation => ?::regclass, label => ?, features => ?,"
            + " model => 'logistic', shuffle => ?, epochs => ?, learning_rate => ?, model_name => ?,"
            + " validation_relation => ?::regclass, seed => ?, options => ?::jsonb)";

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

    @Override
    public boolean hooksEveryEpoch() {
        return false;
    }

    /** One epoch of storage-order training on the (small) test relation under a throwaway model name. */
    @Override
    public void warmUp(Connection c, TrainRequest r) throws SQLException {
        TrainRequest w = new TrainRequest(r.testTable(), r.testTable(), r.label(), r.features(), Strategy.NONE, 1,
                r.learningRate(), r.decay(), r.seed(), r.blockPages(), r.bufferFraction(), r.modelName() + "_warmup",
                r.engineOptions());
        train(c, w, EpochHook.NONE);
    }

    @Override
    public List<EpochResult> train(Connection c, TrainRequest r, EpochHook hook) throws SQLException {
        hook.beforeEpoch(1);
        List<EpochResult> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(SQL)) {
            ps.setString(1, r.table());
            ps.setString(2, r.label());
            ps.setString(3, r.features());
            ps.setString(4, r.strategy().sqlName());
            ps.setInt(5, r.epochs());
            ps.setDouble(6, r.learningRate());
            ps.setString(7, r.modelName());
            ps.setString(8, r.testTable());
            ps.setLong(9, r.seed());
            ps.setString(10, options(r));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new EpochResult(rs.getInt("epoch"), number(rs, "seconds"), number(rs, "loss"),
                            number(rs, "accuracy"), number(rs, "validation_loss"),
                            number(rs, "validation_accuracy"), number(rs, "learning_rate"),
                            rs.getLong("tuples")));
                }
            }
        }
        return out;
    }

    /**
     * The block size, buffer and decay of the request as {@code train_sgd} options (which override its named
     * arguments), then the user's {@code --engine-options} on top.
     */
    static String options(TrainRequest r) throws SQLException {
        ObjectMapper m = new ObjectMapper();
        ObjectNode o = m.createObjectNode();
        o.put("block_size", r.blockPages());
        o.put("buffer_size", r.bufferFraction());
        o.put("decay", r.decay());
        try {
            JsonNode user = m.readTree(r.engineOptions());
            if (user == null || !user.isObject()) {
                throw new SQLException("engine options must be a JSON object, got '" + r.engineOptions() + "'");
            }
            o.setAll((ObjectNode) user);
        } catch (JsonProcessingException e) {
            throw new SQLException("engine options are not valid JSON: " + e.getOriginalMessage(), e);
        }
        return o.toString();
    }

    private static double number(ResultSet rs, String column) throws SQLException {
        double v = rs.getDouble(column);
        return rs.wasNull() ? Double.NaN : v;
    }
}
