package org.corgipile.bench.engine;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** Something that trains a model over a PostgreSQL relation and reports per-epoch results. */
public interface TrainingEngine {

    /** Name recorded with every result ({@code in-db} or {@code jdbc-reference}). */
    String name();

    /**
     * True when {@link EpochHook#beforeEpoch(int)} runs before every epoch; false when the engine trains all
     * epochs in one call and the hook runs once before the call.
     */
    boolean hooksEveryEpoch();

    /**
     * Loads what the first call would otherwise read inside the timed window on this connection: catalog entries,
     * and for the in-database engine the backend's JVM (whose jars would be read through the throttled device).
     * The runner drops the page cache afterwards on cold profiles.
     */
    void warmUp(Connection connection, TrainRequest request) throws SQLException;

    /** Trains as {@code request} says on {@code connection}, calling {@code hook} before epochs. */
    List<EpochResult> train(Connection connection, TrainRequest request, EpochHook hook) throws SQLException;

    /** Called before an epoch starts, e.g. to drop caches on a cold device profile. */
    @FunctionalInterface
    interface EpochHook {
        void beforeEpoch(int epoch);

        EpochHook NONE = epoch -> { };
    }
}
