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
    void anOverwriteKeepsTheVersionAndRestoreBringsItBack() throws SQLException {
        TrainJob.Builder job = TrainJob.on("intro_api").mode(TrainMode.CLIENT).modelName("intro_api_kept");
        ModelHandle m = cp.train(job.spec(TrainSpec.builder().epochs(1).seed(2).blockSize(1)).build()).model();
        double[] x = {1, 2, 3, 4, 5, 6, 7, 8};
        double first = m.info().row().get("parameters").get(0).asDouble();
        cp.train(job.spec(TrainSpec.builder().epochs(2).seed(5).blockSize(1).overwrite(true)).build());
        List<ModelVersion> versions = m.versions();
        assertEquals(List.of(2, 1), versions.stream().map(ModelVersion::version).toList());
        assertTrue(versions.get(0).current() && !versions.get(1).current());
        assertEquals("client", versions.get(1).trainedIn());
        assertEquals("logistic", versions.get(1).modelType());
        assertTrue(versions.get(1).loss() > 0 && versions.get(1).createdAt() != null, versions.toString());
        assertEquals(3, m.restore(1));
        assertEquals(first, m.info().row().get("parameters").get(0).asDouble());
        assertEquals(3, m.info().row().get("version").asInt());
        assertEquals("42704", assertThrows(SQLException.class, () -> m.restore(9)).getSQLState());
        assertTrue(Double.isFinite(m.predict(x)));
        // pruning: versions 2 and 1 are kept behind the current 3; keep the newest one, then none
        assertEquals("22023", assertThrows(SQLException.class, () -> m.dropVersions(-1)).getSQLState());
        assertEquals(1, m.dropVersions(1));
        assertEquals(List.of(3, 2), m.versions().stream().map(ModelVersion::version).toList());
        assertEquals(1, m.dropVersions(0));
        assertEquals(List.of(3), m.versions().stream().map(ModelVersion::version).toList());
        assertEquals(first, m.info().row().get("parameters").get(0).asDouble(), "the current version stays");
    }

    /**
     * Bug: trainingInfo, weights and drop (and CorgiPile.dropModel, trainingProgress) threw the driver's
     * PSQLException, whose message is the server's whole report ("ERROR: ...", "Hint: ...", "Where: PL/pgSQL
     * function ..." lines), where docs/client.md promises a CorgiPileException with the message and hint().
     */
    @Test
    void everyMethodOfADroppedModelsHandleFailsWithACorgiPileException() throws SQLException {
        ModelHandle m = cp.train(TrainJob.on("intro_api").mode(TrainMode.CLIENT).modelName("intro_api_gone")
                .spec(TrainSpec.builder().epochs(1).seed(2).blockSize(1)).build()).model();
        m.drop();
        List<org.junit.jupiter.api.function.Executable> calls = List.of(m::info, () -> m.predict(new double[8]),
                () -> m.evaluate("intro_api", "label", "features"), m::trainingInfo, m::weights, m::versions,
                () -> m.restore(1), () -> m.dropVersions(0), m::drop, m::toJson);
        for (int i = 0; i < calls.size(); i++) {
            SQLException e = assertThrows(SQLException.class, calls.get(i));
            assertTrue(e instanceof CorgiPileException, "call " + i + ": " + e.getClass().getName() + ": " + e);
            assertEquals("42704", e.getSQLState(), "call " + i);
            assertEquals("model \"intro_api_gone\" does not exist", e.getMessage(), "call " + i);
            assertTrue(((CorgiPileException) e).hint() != null, "call " + i);
        }
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
