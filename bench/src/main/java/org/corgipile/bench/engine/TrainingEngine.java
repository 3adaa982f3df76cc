package org.corgipile.bench.engine;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * The product trained as a user would: {@link InDbTrainSgd} ({@code train_sgd} inside PostgreSQL) or
 * {@link ClientModeEngine} (the same operators in this JVM over JDBC, for a server without the extension). Every
 * strategy and the SGD itself come from the product; the benchmark only chooses the data order and the table.
 */
public interface TrainingEngine {

    /** Name recorded with every result ({@code in-db} or {@code client}). */
    String name();

    /**
     * Loads what the first call would otherwise read inside the timed window on this connection: catalog entries,
     * and for the in-database engine the backend's JVM (whose jars would be read through the throttled device).
     * The runner drops the page cache afterwards on cold profiles.
     */
    void warmUp(Connection connection, TrainRequest request) throws SQLException;

    /** Trains as {@code request} says, all epochs in one call, on {@code connection}'s server. */
    List<EpochResult> train(Connection connection, TrainRequest request) throws SQLException;
}
