package org.corgipile.client;

import java.sql.SQLException;
import java.util.List;

import javax.sql.DataSource;

import org.corgipile.operators.EpochStats;

/** Client mode: the operators over a JDBC block source. */
final class ClientTrainer {
    record Result(List<EpochStats> epochs, String modelName) {
    }

    private final DataSource dataSource;

    ClientTrainer(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    Result train(TrainSpec spec, TrainingListener listener) throws SQLException {
        throw new CorgiPileException(CorgiPileException.FEATURE_NOT_SUPPORTED,
                "client mode needs the operators engine, not merged yet (" + dataSource + ")");
    }
}
