package org.corgipile.bench.engine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The real engine: {@code SELECT * FROM train_sgd(...)} of the corgipile extension, one call per strategy, all
 * epochs inside the backend. The per-epoch rows it returns are the results; {@code validation_relation} gives the
 * test metrics.
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
            ps.setString(10, r.engineOptions());
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

    private static double number(ResultSet rs, String column) throws SQLException {
        double v = rs.getDouble(column);
        return rs.wasNull() ? Double.NaN : v;
    }
}
