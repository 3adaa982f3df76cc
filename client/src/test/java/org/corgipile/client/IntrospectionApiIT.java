package org.corgipile.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.util.List;

import javax.sql.DataSource;

import org.corgipile.operators.EpochStats;
import org.corgipile.operators.TrainSpec;
import org.corgipile.testsupport.PostgresTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The introspection API on a database without the extension (catalog installed by Flyway, model trained in client
 * mode): the SQL functions behind it are plain SQL of the migrations.
 */
@PostgresTest
class IntrospectionApiIT {
    private static CorgiPile cp;

    @BeforeAll
    static void setUp(DataSource ds) throws SQLException {
        ClusteredTable.create(ds, "intro_api", 3_000, 0.33);
        cp = CorgiPile.connect(ds);
        cp.install();
        cp.train(TrainJob.on("intro_api").mode(TrainMode.CLIENT).modelName("intro_api_lr")
                .spec(TrainSpec.builder().epochs(3).seed(2).blockSize(1)).build());
    }

    @Test
    void trainingInfoIsTheStoredEpochLog() throws SQLException {
        List<EpochStats> epochs = cp.model("intro_api_lr").trainingInfo();
        assertEquals(List.of(1, 2, 3), epochs.stream().map(EpochStats::epoch).toList());
        for (EpochStats e : epochs) {
            assertEquals(3_000, e.tuples());
            assertTrue(e.loss() > 0, e.toString());
        }
    }

    @Test
    void weightsHaveFeatureNamesAndABias() throws SQLException {
        List<FeatureWeight> w = cp.model("intro_api_lr").weights();
        assertEquals(9, w.size());
        for (int i = 0; i < 8; i++) {
            assertEquals(i, w.get(i).featureIndex());
            assertEquals("features[" + (i + 1) + "]", w.get(i).feature());
            assertNull(w.get(i).classIndex());
        }
        assertNull(w.get(8).featureIndex());
        assertEquals("(bias)", w.get(8).feature());
        // the label is a fixed linear function with f[2] weighted most: its weight dominates
        assertTrue(Math.abs(w.get(1).weight()) > Math.abs(w.get(4).weight()), w.toString());
    }

    @Test
    void nothingRunsAndADroppedModelIsGone() throws SQLException {
        assertEquals(List.of(), cp.trainingProgress());
        cp.train(TrainJob.on("intro_api").mode(TrainMode.CLIENT).modelName("intro_api_drop")
                .spec(TrainSpec.builder().epochs(1).seed(2).blockSize(1)).build());
        cp.dropModel("intro_api_drop");
        SQLException gone = assertThrows(SQLException.class, () -> cp.model("intro_api_drop"));
        assertEquals("42704", gone.getSQLState());
        SQLException again = assertThrows(SQLException.class, () -> cp.dropModel("intro_api_drop"));
        assertEquals("42704", again.getSQLState());
    }
}
