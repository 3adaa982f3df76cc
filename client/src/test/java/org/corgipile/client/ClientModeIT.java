package org.corgipile.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.JsonNode;

import org.corgipile.operators.EpochStats;
import org.corgipile.operators.TrainSpec;
import org.corgipile.testsupport.PostgresTest;
import org.corgipile.testsupport.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Client mode against a database without the extension, catalog installed by the Flyway migrations — the managed
 * service case: training over JDBC, the model stored in corgipile.models and used from SQL and from Java.
 */
@PostgresTest
class ClientModeIT {
    private static final int ROWS = 20_000;

    @BeforeAll
    static void setUp(DataSource ds) throws SQLException {
        ClusteredTable.create(ds, "clustered", ROWS, 0.42);
        ClusteredTable.create(ds, "holdout", 4_000, -0.17);
        InstallResult first = CorgiPile.connect(ds).install();
        assertTrue(first.applied() > 0, "the migrations create the catalog: " + first);
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE narrow (label int, features float8[])");
            s.execute("INSERT INTO narrow VALUES (1, '{1,2,3}'), (0, '{3,2,1}')");
        }
    }

    private static TrainJob.Builder spec() {
        return TrainJob.on("clustered").mode(TrainMode.CLIENT).spec(TrainSpec.builder().model("logistic")
                .shuffle("corgipile").epochs(3).learningRate(0.05).blockSize(1).bufferSize(0.2).seed(7)
                .trainMetrics("pass"));
    }

    @Test
    void autoModeWithoutTheExtensionTrainsInTheClient(DataSource ds) throws SQLException {
        CorgiPile cp = CorgiPile.connect(ds);
        assertFalse(cp.hasExtension());
        assertEquals(TrainMode.CLIENT, cp.resolve(TrainMode.AUTO));
        SQLException e = assertThrows(SQLException.class, () -> cp.train(spec().mode(TrainMode.SERVER).build()));
        assertEquals("0A000", e.getSQLState());
    }

    @Test
    void corgipileOnAClusteredTableConvergesAndReportsEveryEpoch(DataSource ds) throws SQLException {
        List<String> events = new ArrayList<>();
        long[] lastDone = {-1};
        TrainingRun run = CorgiPile.connect(ds).train(spec().argument("epochs", 4).build(), new TrainingListener() {
            @Override
            public void started(TrainMode mode, int epochs) {
                events.add("started " + mode + " " + epochs);
            }

            @Override
            public void epochProgress(int epoch, long done, long total) {
                assertTrue(done <= total, done + " <= " + total);
                lastDone[0] = done;
            }

            @Override
            public void epochFinished(EpochStats stats) {
                events.add("epoch " + stats.epoch() + " done " + (lastDone[0] > 0));
            }
        });
        assertEquals(List.of("started client 4", "epoch 1 done true", "epoch 2 done true", "epoch 3 done true",
                "epoch 4 done true"), events);
        assertEquals(TrainMode.CLIENT, run.mode());
        assertNull(run.model(), "no model_name: nothing stored, like train_sgd");
        assertEquals(4, run.epochs().size());
        EpochStats last = run.last();
        assertEquals(ROWS, last.tuples());
        assertTrue(last.accuracy() > 0.88, "corgipile on the clustered table: accuracy " + last.accuracy());

        // plain SGD for both sides of this claim: iterate averaging (the default) rescues storage order on this
        // symmetric two-class task
        TrainingRun plain = CorgiPile.connect(ds).train(spec().argument("epochs", 4).argument("average", false).build());
        TrainingRun none = CorgiPile.connect(ds).train(spec().argument("epochs", 4).argument("shuffle", "none").argument("average", false)
                .build());
        last = plain.last();
        assertTrue(none.last().accuracy() < last.accuracy() - 0.05,
                "no shuffle on clustered data stays behind: " + none.last().accuracy() + " vs " + last.accuracy());
    }

    @Test
    void aClientTrainedModelIsStoredAndUsableFromSql(DataSource ds) throws SQLException {
        CorgiPile cp = CorgiPile.connect(ds);
        TrainingRun run = cp.train(spec().modelName("client_lr").validation("holdout").build());
        assertEquals("client_lr", run.model().name());
        assertTrue(run.last().validationAccuracy() > 0.85, "validation accuracy " + run.last().validationAccuracy());

        ModelInfo info = run.model().info();
        assertEquals("logistic", info.type());
        assertEquals("clustered", info.relation());
        JsonNode row = info.row();
        assertEquals("client", row.get("trained_in").asText());
        assertEquals(8, row.get("dimension").asInt());
        assertEquals(9, row.get("parameters").size(), "8 weights and a bias");
        assertEquals(7, row.get("spec").get("seed").asLong());
        assertEquals(3, row.get("epoch_log").size());
        assertEquals(run.last().validationAccuracy(), info.metrics().get("validation_accuracy"), 1e-12);

        // SQL without the extension: the migrations' plain-SQL predict agrees with the Java model on every row
        int rows = 0;
        int agree = 0;
        int correct = 0;
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT label, corgipile.sql_predict('client_lr', features), features "
                     + "FROM holdout ORDER BY id LIMIT 300")) {
            while (rs.next()) {
                Double[] boxed = (Double[]) rs.getArray(3).getArray();
                double[] x = new double[boxed.length];
                for (int i = 0; i < x.length; i++) {
                    x[i] = boxed[i];
                }
                double javaPrediction = run.model().predict(x);
                rows++;
                agree += javaPrediction == rs.getDouble(2) ? 1 : 0;
                correct += rs.getInt(1) == (int) rs.getDouble(2) ? 1 : 0;
            }
        }
        assertEquals(300, rows);
        assertEquals(rows, agree, "SQL and Java predictions agree");
        assertTrue(correct > 0.85 * rows, "SQL predictions are right on held-out rows: " + correct);

        Map<String, Double> metrics = run.model().evaluate("holdout", "label", "features");
        assertEquals(run.last().validationAccuracy(), metrics.get("accuracy"), 1e-9,
                "client-side evaluation = the validation pass of the last epoch: " + metrics);
        assertTrue(metrics.containsKey("auc") && metrics.containsKey("f1"), metrics.toString());
    }

    @Test
    void namesAreUniqueUnlessOverwriteAndFailuresStoreNothing(DataSource ds) throws SQLException {
        CorgiPile cp = CorgiPile.connect(ds);
        cp.train(spec().argument("epochs", 1).modelName("dup").build());
        SQLException dup = assertThrows(SQLException.class, () -> cp.train(spec().argument("epochs", 1).modelName("dup").build()));
        assertEquals("42710", dup.getSQLState());
        assertEquals("model \"dup\" already exists", dup.getMessage());
        cp.train(spec().argument("epochs", 1).modelName("dup").argument("overwrite", true).build());
        assertEquals(2, cp.model("dup").info().row().get("version").asInt());

        SQLException bad = assertThrows(SQLException.class,
                () -> cp.train(spec().modelName("never").validation("narrow").build()));
        assertEquals("22000", bad.getSQLState(), bad.getMessage());
        SQLException badRate = assertThrows(SQLException.class,
                () -> cp.train(spec().modelName("never").argument("learning_rate", -1).build()));
        assertEquals("22023", badRate.getSQLState());
        assertTrue(badRate.getMessage().startsWith("learning_rate must be in (0"), badRate.getMessage());
        assertEquals("42704", assertThrows(SQLException.class, () -> cp.model("never")).getSQLState());
    }

    /**
     * ClientTrainer wrote the catalog row by hand beside train_sgd's PL/pgSQL: both now call corgipile.store_model,
     * so a client-mode overwrite keeps the replaced version like a server-mode one, and a column list's names are
     * stored with the model.
     */
    @Test
    void clientOverwriteKeepsTheReplacedVersionThroughTheCatalogWriter(DataSource ds) throws SQLException {
        CorgiPile cp = CorgiPile.connect(ds);
        cp.train(spec().argument("epochs", 1).modelName("kept").build());
        double first = cp.model("kept").predict(new double[] {1, 2, 3, 4, 5, 6, 7, 8});
        cp.train(spec().argument("epochs", 2).argument("seed", 8).modelName("kept").argument("overwrite", true)
                .build());
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT string_agg(version || ':' || current || ':' || trained_in, ',' "
                    + "ORDER BY version) FROM sgd_model_versions('kept')")) {
                rs.next();
                assertEquals("1:false:client,2:true:client", rs.getString(1));
            }
            try (ResultSet rs = s.executeQuery("SELECT sgd_restore_model('kept', 1)")) {
                rs.next();
                assertEquals(3, rs.getInt(1));
            }
            s.execute("CREATE TABLE named_columns AS SELECT label, features[1] AS height, features[2] AS weight "
                    + "FROM clustered WHERE id <= 500");
        }
        assertEquals(first, cp.model("kept").predict(new double[] {1, 2, 3, 4, 5, 6, 7, 8}), 0.0,
                "version 1 restored predicts as it did");
        cp.train(TrainJob.on("named_columns").mode(TrainMode.CLIENT).features("height, weight")
                .spec(TrainSpec.builder().epochs(1).seed(1)).modelName("named_client").build());
        assertEquals("[\"height\",\"weight\"]",
                cp.model("named_client").info().row().get("feature_names").toString());
    }

    /** warm_start and class_weights in client mode: the stored model found by the catalog's lookup, the spec kept. */
    @Test
    void clientModeWarmStartsFromAStoredModelAndWeighsClasses(DataSource ds) throws SQLException {
        CorgiPile cp = CorgiPile.connect(ds);
        cp.train(spec().argument("epochs", 1).modelName("warm_base").build());
        cp.train(spec().argument("epochs", 1).argument("learning_rate", 1e-12).argument("average", false)
                .argument("warm_start", "warm_base").argument("class_weights", List.of(1, 3))
                .modelName("warm_next").build());
        JsonNode base = cp.model("warm_base").info().row();
        JsonNode next = cp.model("warm_next").info().row();
        for (int i = 0; i < base.get("parameters").size(); i++) {
            assertEquals(base.get("parameters").get(i).asDouble(), next.get("parameters").get(i).asDouble(), 1e-6);
        }
        assertEquals("warm_base", next.get("spec").get("warm_start").asText());
        assertEquals("[1.0,3.0]", next.get("spec").get("class_weights").toString());
        SQLException unknown = assertThrows(SQLException.class, () -> cp.train(spec().argument("warm_start",
                "no_such_model").build()));
        assertEquals("42704", unknown.getSQLState());
        SQLException type = assertThrows(SQLException.class, () -> cp.train(spec().argument("model", "svm")
                .argument("warm_start", "warm_base").build()));
        assertEquals("22023", type.getSQLState());
        assertEquals("warm_start model \"warm_base\" is a logistic model, not svm", type.getMessage());
    }

    /** ClientTrainer.store wrote no owner: the client stores the connected role as owner, under row-level security. */
    @Test
    void clientModeRecordsTheOwnerAndCannotReplaceAnotherRolesModel(TestDatabase db) throws SQLException {
        String alice = "corgipile_client_alice";
        String bob = "corgipile_client_bob";
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            for (String role : new String[] {alice, bob}) {
                s.execute("DROP ROLE IF EXISTS " + role);
                s.execute("CREATE ROLE " + role + " LOGIN");
                s.execute("GRANT SELECT ON clustered TO " + role);
            }
        }
        try {
            CorgiPile.connect(as(db, alice)).train(spec().argument("epochs", 1).modelName("alice_client").build());
            try (Connection c = db.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT owner, trained_in FROM corgipile.models "
                         + "WHERE name = 'alice_client'")) {
                assertTrue(rs.next());
                assertEquals(alice, rs.getString(1));
                assertEquals("client", rs.getString(2));
            }
            CorgiPile asBob = CorgiPile.connect(as(db, bob));
            SQLException e = assertThrows(SQLException.class,
                    () -> asBob.train(spec().argument("epochs", 1).modelName("alice_client").argument("overwrite", true)
                            .build()));
            assertEquals("42501", e.getSQLState(), e.getMessage());
            assertTrue(asBob.models().stream().noneMatch(m -> m.name().equals("alice_client")),
                    "bob does not see alice's model");
        } finally {
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                s.execute("DELETE FROM corgipile.models WHERE name = 'alice_client'");
                for (String role : new String[] {alice, bob}) {
                    s.execute("DROP OWNED BY " + role);
                    s.execute("DROP ROLE " + role);
                }
            }
        }
    }

    private static DataSource as(TestDatabase db, String role) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {"127.0.0.1"});
        ds.setPortNumbers(new int[] {db.cluster().port()});
        ds.setDatabaseName(db.name());
        ds.setUser(role);
        return ds;
    }

    /** Prediction without the extension reads numeric features as training does ({@link NumericPredictions}). */
    @Test
    void aNumericBelowOrBeyondDoublePrecisionIsPredictedAsTrainingReadsIt(DataSource ds) throws SQLException {
        NumericPredictions.predictAsTrainingReads(ds, TrainMode.CLIENT, "pred_client");
    }

    @Test
    void predictsAQueryIntoATableAndAsAStream(DataSource ds) throws SQLException {
        CorgiPile cp = CorgiPile.connect(ds);
        cp.train(spec().argument("epochs", 2).modelName("for_predict").build());
        long n = cp.predictInto("for_predict", "SELECT id, label, features FROM holdout WHERE id <= 500",
                "features", "holdout_predictions");
        assertEquals(500, n);
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), count(*) FILTER (WHERE prediction = label), "
                     + "count(*) FILTER (WHERE prediction = corgipile.sql_predict('for_predict', features)) "
                     + "FROM holdout_predictions")) {
            rs.next();
            assertEquals(500, rs.getInt(1));
            assertTrue(rs.getInt(2) > 400, "mostly right: " + rs.getInt(2));
            assertEquals(500, rs.getInt(3), "the same predictions as SQL");
        }
        List<String> header = new ArrayList<>();
        List<Double> predictions = new ArrayList<>();
        long streamed = cp.predict("for_predict", "SELECT id, features FROM holdout ORDER BY id LIMIT 10",
                "features", new Predictions.RowSink() {
                    @Override
                    public void header(List<String> columns) {
                        header.addAll(columns);
                    }

                    @Override
                    public void row(List<String> values, double prediction) {
                        predictions.add(prediction);
                    }
                });
        assertEquals(10, streamed);
        assertEquals(List.of("id", "features", "prediction"), header);
        assertTrue(predictions.stream().allMatch(p -> p == 0.0 || p == 1.0), predictions.toString());
    }

    /**
     * Bug: predicting a row whose feature array has a NULL element gave a NULL prediction in the client, where
     * sgd_predict in the server raises 22004 ("features must not contain NULL elements", docs/in-database.md): the
     * same query succeeded or failed by where it ran. NULL features (the whole array) stay a NULL prediction in both.
     */
    @Test
    void aNullFeatureElementIsAnErrorAsInTheServer(DataSource ds) throws SQLException {
        CorgiPile cp = CorgiPile.connect(ds);
        cp.train(TrainJob.on("narrow").mode(TrainMode.CLIENT).modelName("narrow_lr")
                .spec(TrainSpec.builder().epochs(1).seed(1)).build());
        List<Double> predictions = new ArrayList<>();
        Predictions.RowSink sink = (values, prediction) -> predictions.add(prediction);
        assertEquals(1, cp.predict("narrow_lr", "SELECT NULL::float8[] AS features", "features", sink));
        assertTrue(Double.isNaN(predictions.get(0)), predictions.toString());
        for (String q : List.of("SELECT '{1,NULL,3}'::float8[] AS features")) {
            SQLException e = assertThrows(SQLException.class, () -> cp.predict("narrow_lr", q, "features", sink));
            assertEquals("22004", e.getSQLState(), e.getMessage());
            assertEquals("features must not contain NULL elements", e.getMessage());
            assertEquals("Replace missing values before predicting, e.g. with coalesce.",
                    ((CorgiPileException) e).hint());
            SQLException into = assertThrows(SQLException.class,
                    () -> cp.predictInto("narrow_lr", q, "features", "never_written"));
            assertEquals("22004", into.getSQLState(), into.getMessage());
        }
    }

    /**
     * Bug: a sparse index of -1 failed in client mode as "features ... are empty arrays", one of 3000000000 as 54000
     * "sparse dimension 3000000001 is too large"; train_sgd said 22000 with a hint at a larger dimension that could
     * not help. Both modes now raise 22000 naming the index and the row, with a hint about what is wrong.
     */
    @Test
    void aNegativeOrHugeSparseIndexIsTheServersError(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE sparse_negative (label int, idx int8[], val float8[])");
            s.execute("INSERT INTO sparse_negative VALUES (1, '{0}', '{1}'), (0, '{-1}', '{1}')");
            s.execute("CREATE TABLE sparse_beyond (label int, idx int8[], val float8[])");
            s.execute("INSERT INTO sparse_beyond VALUES (1, '{0}', '{1}'), (0, '{3000000000}', '{1}')");
        }
        CorgiPile cp = CorgiPile.connect(ds);
        for (String[] t : new String[][] {
                {"sparse_negative", "-1", "Sparse indices are 0-based positions and cannot be negative: fix those "
                        + "rows or leave them out, e.g. in a new table."},
                {"sparse_beyond", "3000000000", "Sparse indices must be below 1073741823, the largest dimension: "
                        + "number the features from 0, without gaps."}}) {
            SQLException e = assertThrows(SQLException.class, () -> cp.train(TrainJob.on(t[0]).mode(TrainMode.CLIENT)
                    .features("idx, val").spec(TrainSpec.builder().epochs(1).seed(1)).build()));
            assertEquals("22000", e.getSQLState(), e.getMessage());
            assertEquals("sparse index " + t[1] + " of indices \"idx\" of tuple (0,2) of relation \"" + t[0]
                    + "\" is outside [0, 1073741823)", e.getMessage());
            assertEquals(t[2], ((CorgiPileException) e).hint());
        }
    }

    /**
     * Bug: a model_name longer than 200 characters failed in client mode (as in train_sgd) without the hint
     * store_model gives; both modes now say what to do.
     */
    @Test
    void aModelNameLongerThan200CharactersHasTheHintOfTheServer(DataSource ds) {
        CorgiPile cp = CorgiPile.connect(ds);
        SQLException e = assertThrows(SQLException.class, () -> cp.train(TrainJob.on("narrow").mode(TrainMode.CLIENT)
                .modelName("m".repeat(201)).spec(TrainSpec.builder().epochs(1).seed(1)).build()));
        assertEquals("22023", e.getSQLState(), e.getMessage());
        assertEquals("model_name must have 1 to 200 characters, got 201", e.getMessage());
        assertEquals("Choose a shorter (or a non-empty) model_name.", ((CorgiPileException) e).hint());
    }

    /**
     * Bug: predicting with a 2-D feature array in the client failed with a ClassCastException (the CLI's exit 5,
     * "internal error, please report a bug"); sgd_predict raises 2202E.
     */
    @Test
    void aTwoDimensionalFeatureArrayIsTheServersError(DataSource ds) throws SQLException {
        CorgiPile cp = CorgiPile.connect(ds);
        cp.train(TrainJob.on("narrow").mode(TrainMode.CLIENT).modelName("narrow_2d")
                .spec(TrainSpec.builder().epochs(1).seed(1)).build());
        SQLException e = assertThrows(SQLException.class, () -> cp.predict("narrow_2d",
                "SELECT '{{1,2,3},{4,5,6}}'::float8[] AS features", "features", (values, prediction) -> { }));
        assertEquals("2202E", e.getSQLState(), e.getMessage());
        assertEquals("features must be a one-dimensional array, not 2-dimensional", e.getMessage());
    }

    /**
     * Bug: an empty validation relation (no rows, or only deleted ones) trained in client mode and stored a model
     * "validated" on nothing (validation metrics null, validation_tuples 0); train_sgd refuses it with 22000. Both
     * modes now raise the same error and store nothing.
     */
    @Test
    void anEmptyValidationRelationIsAnErrorAsInTheServer(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE validation_empty (label int, features float8[])");
            s.execute("CREATE TABLE validation_deleted AS SELECT * FROM narrow");
            s.execute("DELETE FROM validation_deleted");
        }
        CorgiPile cp = CorgiPile.connect(ds);
        for (String validation : List.of("validation_empty", "validation_deleted")) {
            SQLException e = assertThrows(SQLException.class, () -> cp.train(TrainJob.on("narrow")
                    .mode(TrainMode.CLIENT).modelName("validated_on_nothing").validation(validation)
                    .spec(TrainSpec.builder().epochs(1).seed(1)).build()));
            assertEquals("22000", e.getSQLState(), validation + ": " + e.getMessage());
            assertTrue(e.getMessage().contains("has no rows with a non-NULL label and features"), e.getMessage());
        }
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM corgipile.models WHERE name = 'validated_on_nothing'")) {
            assertTrue(rs.next());
            assertEquals(0, rs.getInt(1), "a failed training stores no model");
        }
    }
}
