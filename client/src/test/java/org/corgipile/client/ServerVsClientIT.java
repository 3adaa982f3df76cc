package org.corgipile.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.JsonNode;

import org.corgipile.operators.EpochStats;
import org.corgipile.operators.TrainSpec;
import org.corgipile.testsupport.PostgresTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The same {@link TrainJob} trained inside PostgreSQL (the extension's train_sgd over heap blocks) and in this
 * client (the operators over TID range scans) on the same clustered table: same accuracy, same catalog layout, and
 * each model usable by the other side's functions.
 */
@PostgresTest(extension = true)
class ServerVsClientIT {
    @BeforeAll
    static void setUp(DataSource ds) throws SQLException {
        ClusteredTable.create(ds, "clustered", 20_000, 0.42);
        ClusteredTable.create(ds, "holdout", 4_000, -0.17);
    }

    private static TrainJob.Builder spec(TrainMode mode, String name) {
        return TrainJob.on("clustered").mode(mode).modelName(name).validation("holdout")
                .spec(TrainSpec.builder().model("logistic").shuffle("corgipile").epochs(3).learningRate(0.05)
                        .blockSize(1).bufferSize(0.2).seed(7).trainMetrics("pass"));
    }

    /** Bug: server mode threw PgJDBC's PSQLException, client mode CorgiPileException; now one type in both. */
    @Test
    void oneExceptionTypeWithSqlStateAndHintInBothModes(DataSource ds) throws SQLException {
        CorgiPile cp = CorgiPile.connect(ds);
        for (TrainMode mode : List.of(TrainMode.SERVER, TrainMode.CLIENT)) {
            CorgiPileException badColumn = assertThrows(CorgiPileException.class,
                    () -> cp.train(spec(mode, null).label("nope").build()), mode.toString());
            assertEquals("42703", badColumn.getSQLState(), mode + ": " + badColumn.getMessage());
            assertTrue(badColumn.getMessage().contains("nope"), mode + ": " + badColumn.getMessage());
            CorgiPileException badRate = assertThrows(CorgiPileException.class,
                    () -> cp.train(spec(mode, null).argument("learning_rate", -1).build()), mode.toString());
            assertEquals("22023", badRate.getSQLState(), mode + ": " + badRate.getMessage());
            assertFalse(badRate.getMessage().startsWith("ERROR:"), badRate.getMessage());
        }
        cp.train(spec(TrainMode.SERVER, "exc_dup").argument("epochs", 1).build());
        CorgiPileException dup = assertThrows(CorgiPileException.class,
                () -> cp.train(spec(TrainMode.SERVER, "exc_dup").argument("epochs", 1).build()));
        assertEquals("42710", dup.getSQLState());
        assertNotNull(dup.hint(), "the server's hint is kept");
        CorgiPileException unknown = assertThrows(CorgiPileException.class,
                () -> cp.evaluate("never_trained", "holdout", "label", "features"));
        assertEquals("42704", unknown.getSQLState());
    }

    /** Bug: dimension was checked twice (the server accepted 0, the client refused it in other words); now once. */
    @Test
    void theDimensionArgumentIsCheckedAlikeInBothModes(DataSource ds) {
        CorgiPile cp = CorgiPile.connect(ds);
        List<String> messages = new ArrayList<>();
        for (TrainMode mode : List.of(TrainMode.SERVER, TrainMode.CLIENT)) {
            CorgiPileException e = assertThrows(CorgiPileException.class,
                    () -> cp.train(spec(mode, null).argument("dimension", 0).build()), mode.toString());
            assertEquals("22023", e.getSQLState(), mode + ": " + e.getMessage());
            messages.add(e.getMessage());
        }
        assertEquals(messages.get(0), messages.get(1));
        assertTrue(messages.get(0).startsWith("dimension must be an integer between 1 and "), messages.get(0));
    }

    @Test
    void sameSpecInServerAndClientModeReachesTheSameAccuracy(DataSource ds) throws SQLException {
        CorgiPile cp = CorgiPile.connect(ds);
        assertEquals(TrainMode.SERVER, cp.resolve(TrainMode.AUTO), "auto = server when the extension is there");
        List<EpochStats> finished = new ArrayList<>();
        TrainingRun server = cp.train(spec(TrainMode.AUTO, "srv").build(), new TrainingListener() {
            @Override
            public void epochFinished(EpochStats stats) {
                finished.add(stats);
            }
        });
        TrainingRun client = cp.train(spec(TrainMode.CLIENT, "cli").build());
        assertEquals(TrainMode.SERVER, server.mode());
        assertEquals(TrainMode.CLIENT, client.mode());
        assertEquals(List.of(1, 2, 3), finished.stream().map(EpochStats::epoch).toList());
        for (int i = 0; i < 3; i++) {
            // reported while training ran, from the extension's NOTICE (6 decimals), then returned as rows
            assertEquals(server.epochs().get(i).loss(), finished.get(i).loss(), 1e-6);
            assertEquals(server.epochs().get(i).accuracy(), finished.get(i).accuracy(), 1e-6);
            assertEquals(server.epochs().get(i).tuples(), finished.get(i).tuples());
        }

        assertEquals(3, server.epochs().size());
        assertEquals(3, client.epochs().size());
        double s = server.last().accuracy();
        double c = client.last().accuracy();
        assertTrue(s > 0.88 && c > 0.88, "both converge: server " + s + ", client " + c);
        assertTrue(Math.abs(s - c) <= 0.01, "within 1 point: server " + s + ", client " + c);
        assertTrue(Math.abs(server.last().validationAccuracy() - client.last().validationAccuracy()) <= 0.01,
                server.last() + " vs " + client.last());
        assertEquals(server.last().tuples(), client.last().tuples());

        JsonNode srvRow = cp.model("srv").info().row();
        JsonNode cliRow = cp.model("cli").info().row();
        assertEquals("server", srvRow.get("trained_in").asText());
        assertEquals("client", cliRow.get("trained_in").asText());
        for (String column : List.of("model_type", "dimension", "source_relation", "label_column", "features_column")) {
            assertEquals(srvRow.get(column), cliRow.get(column), column);
        }
        assertEquals(fields(srvRow.get("spec")), fields(cliRow.get("spec")), "same spec keys");
        // device_read_bytes is what the training backend read from the device: only a server training has one
        List<String> serverLog = fields(srvRow.get("epoch_log").get(0));
        assertTrue(serverLog.remove("device_read_bytes"), "the server's epoch log has device_read_bytes");
        assertEquals(serverLog, fields(cliRow.get("epoch_log").get(0)), "same epoch log layout");
        assertEquals(srvRow.get("spec").get("seed"), cliRow.get("spec").get("seed"));
    }

    /**
     * Bug: features around 1e-300 (the clustered table times 1e-300) have squared deviations that underflow to 0,
     * so the profile took every feature for constant and standardisation left them at 1e-300: a model at chance
     * (accuracy 0.5) in both modes. Standardised, the scaled table is the same problem as the unscaled one and
     * trains to the same accuracy, in the server and in the client.
     */
    @Test
    void featuresAround1eMinus300TrainAsTheUnscaledTableInBothModes(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE clustered_tiny AS SELECT id, label, (SELECT array_agg(v * 1e-300 ORDER BY i) "
                    + "FROM unnest(features) WITH ORDINALITY u(v, i)) AS features FROM clustered ORDER BY label, id");
        }
        CorgiPile cp = CorgiPile.connect(ds);
        for (TrainMode mode : List.of(TrainMode.SERVER, TrainMode.CLIENT)) {
            double plain = cp.train(spec(mode, null).build()).last().accuracy();
            double tiny = cp.train(TrainJob.on("clustered_tiny").mode(mode).spec(TrainSpec.builder()
                    .model("logistic").shuffle("corgipile").epochs(3).learningRate(0.05).blockSize(1).bufferSize(0.2)
                    .seed(7).trainMetrics("pass")).build()).last().accuracy();
            assertTrue(plain > 0.88, mode + ": " + plain);
            assertEquals(plain, tiny, 0.01, mode + ": the table times 1e-300 trains like the table");
        }
    }

    /**
     * Bug: a table whose label has one value trained a classifier that predicts that value for every input, without
     * a word, in both modes. Both refuse it with 22000 naming the relation, the label column and the value, and store
     * nothing; linear regression still trains on it.
     */
    @Test
    void aLabelWithOneValueIsAnErrorForAClassifierInBothModes(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE one_class AS SELECT 1 AS label, features FROM clustered LIMIT 2000");
        }
        CorgiPile cp = CorgiPile.connect(ds);
        for (TrainMode mode : List.of(TrainMode.SERVER, TrainMode.CLIENT)) {
            for (String model : List.of("logistic", "softmax")) {
                CorgiPileException e = assertThrows(CorgiPileException.class, () -> cp.train(TrainJob.on("one_class")
                        .mode(mode).modelName("one_class_" + model).spec(TrainSpec.builder().model(model).epochs(2)
                                .seed(1)).build()), mode + " " + model);
                assertEquals("22000", e.getSQLState(), mode + ": " + e.getMessage());
                assertEquals("label column \"label\" of relation \"one_class\" has one value, 1, in every row: model "
                        + model + " needs rows of at least two classes", e.getMessage(), mode.toString());
                assertEquals("Train on rows of two or more classes; to continue a trained model on rows of one "
                        + "class, pass it as warm_start.", e.hint(), mode.toString());
            }
            cp.train(TrainJob.on("one_class").mode(mode).spec(TrainSpec.builder().model("linear").epochs(1).seed(1))
                    .build());
        }
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM corgipile.models WHERE name LIKE 'one_class%'")) {
            assertTrue(rs.next());
            assertEquals(0, rs.getInt(1), "a failed training stores no model");
        }
    }

    /**
     * Bug: a number given as text through the Java API (argument("epochs", "abc")) failed in server mode in the
     * cast of the named argument, 22P02 'invalid input syntax for type integer: "abc"' naming no argument, where
     * client mode said 22023 naming it. Both modes now give the engine's error and its hint.
     */
    @Test
    void aNumericArgumentGivenAsTextIsTheSameErrorInBothModes(DataSource ds) {
        CorgiPile cp = CorgiPile.connect(ds);
        for (Object[] bad : new Object[][] {{"epochs", "abc"}, {"epochs", 2.5}, {"l2", "x"}}) {
            List<String> messages = new ArrayList<>();
            for (TrainMode mode : List.of(TrainMode.SERVER, TrainMode.CLIENT)) {
                CorgiPileException e = assertThrows(CorgiPileException.class,
                        () -> cp.train(spec(mode, null).argument((String) bad[0], bad[1]).build()), mode.toString());
                assertEquals("22023", e.getSQLState(), mode + ": " + e.getMessage());
                assertTrue(e.getMessage().startsWith(bad[0] + " must be "), mode + ": " + e.getMessage());
                messages.add(e.getMessage() + " / " + e.hint());
            }
            assertEquals(messages.get(0), messages.get(1));
        }
        CorgiPileException e = assertThrows(CorgiPileException.class,
                () -> cp.train(spec(TrainMode.SERVER, null).argument("epochs", "abc").build()));
        assertEquals("epochs must be an integer between 1 and 100000, got \"abc\"", e.getMessage());
        assertEquals("Pass epochs as a number.", e.hint());
    }

    /**
     * One shuffle_once (issue 16): it was three algorithms (ORDER BY random() in the extension, an in-memory
     * permutation in the client, a rewrite in the benchmark), so one seed gave each mode another data order. Now
     * both modes train over the database's one copy: the same seed gives the same order, hence the same model, and
     * the copy's time is part of epoch 1 in both.
     */
    @Test
    void shuffleOnceGivesTheSameDataOrderInServerAndClientMode(DataSource ds) throws SQLException {
        CorgiPile cp = CorgiPile.connect(ds);
        TrainingRun server = cp.train(spec(TrainMode.SERVER, "srv_once").argument("shuffle", "shuffle_once")
                .argument("epochs", 2).build());
        TrainingRun client = cp.train(spec(TrainMode.CLIENT, "cli_once").argument("shuffle", "shuffle_once")
                .argument("epochs", 2).build());
        TrainingRun otherSeed = cp.train(spec(TrainMode.CLIENT, "cli_once_8").argument("shuffle", "shuffle_once")
                .argument("epochs", 2).argument("seed", 8).build());
        for (int i = 0; i < 2; i++) {
            assertEquals(server.epochs().get(i).loss(), client.epochs().get(i).loss(), 1e-9, "epoch " + (i + 1));
        }
        JsonNode srv = cp.model("srv_once").info().row();
        JsonNode cli = cp.model("cli_once").info().row();
        JsonNode other = cp.model("cli_once_8").info().row();
        assertEquals(srv.get("parameters").size(), cli.get("parameters").size());
        double otherDistance = 0;
        for (int i = 0; i < srv.get("parameters").size(); i++) {
            assertEquals(srv.get("parameters").get(i).asDouble(), cli.get("parameters").get(i).asDouble(), 1e-9,
                    "parameter " + i + ": the same data order gives the same model");
            otherDistance += Math.abs(other.get("parameters").get(i).asDouble()
                    - cli.get("parameters").get(i).asDouble());
        }
        assertTrue(otherDistance > 1e-6, "another seed, another order: " + otherDistance);
        assertTrue(otherSeed.last().accuracy() > 0.88, "a shuffled order converges: " + otherSeed.last());
        for (JsonNode row : List.of(srv, cli)) {
            assertEquals("shuffle_once", row.get("spec").get("shuffle").asText(), row.toString());
            JsonNode first = row.get("epoch_log").get(0);
            assertTrue(first.has("shuffle_once_seconds"), "the copy's time is in epoch 1: " + first);
            assertTrue(first.get("seconds").asDouble() >= first.get("shuffle_once_seconds").asDouble(),
                    first.toString());
        }
    }

    @Test
    void aClientTrainedModelIsUsableFromTheExtensionsSqlFunctions(DataSource ds) throws SQLException {
        CorgiPile cp = CorgiPile.connect(ds);
        TrainingRun client = cp.train(spec(TrainMode.CLIENT, "cli_for_sql").build());
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT count(*), count(*) FILTER (WHERE sgd_predict('cli_for_sql', "
                    + "features) = label), count(*) FILTER (WHERE sgd_predict('cli_for_sql', features) "
                    + "= corgipile.sql_predict('cli_for_sql', features)) FROM holdout")) {
                rs.next();
                assertEquals(4000, rs.getInt(1));
                assertEquals(4000, rs.getInt(3), "sgd_predict (Java in the backend) = sql_predict (plain SQL)");
                assertEquals(client.last().validationAccuracy(), rs.getInt(2) / 4000.0, 1e-9,
                        "accuracy from SQL = the client's validation accuracy");
            }
            double sqlAccuracy = Double.NaN;
            try (ResultSet rs = st.executeQuery("SELECT value FROM sgd_evaluate('cli_for_sql', 'holdout', 'label', "
                    + "'features') WHERE metric = 'accuracy'")) {
                assertTrue(rs.next());
                sqlAccuracy = rs.getDouble(1);
            }
            Map<String, Double> api = cp.evaluate("cli_for_sql", "holdout", "label", "features");
            assertEquals(sqlAccuracy, api.get("accuracy"), 1e-12);
            assertEquals(client.last().validationAccuracy(), sqlAccuracy, 1e-9);
        }
    }

    @Test
    void batchPredictionRunsInTheServerWithTheExtension(DataSource ds) throws SQLException {
        CorgiPile cp = CorgiPile.connect(ds);
        cp.train(spec(TrainMode.SERVER, "srv_for_predict").argument("epochs", 1).build());
        long n = cp.predictInto("srv_for_predict", "SELECT id, label, features FROM holdout WHERE id <= 300",
                "features", "srv_scored");
        assertEquals(300, n);
        List<Double> streamed = new ArrayList<>();
        cp.predict("srv_for_predict", "SELECT id, features FROM holdout WHERE id <= 300 ORDER BY id", "features",
                new Predictions.RowSink() {
                    @Override
                    public void row(List<String> values, double prediction) {
                        streamed.add(prediction);
                    }
                });
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT prediction, corgipile.sql_predict('srv_for_predict', features) "
                     + "FROM srv_scored ORDER BY id")) {
            int i = 0;
            while (rs.next()) {
                assertEquals(rs.getDouble(2), rs.getDouble(1), "row " + i);
                assertEquals(rs.getDouble(2), streamed.get(i), "row " + i);
                i++;
            }
            assertEquals(300, i);
        }
    }

    /** Trains {@code job(mode)} in both modes; asserts one SQLSTATE, message and hint and returns the server's. */
    private static CorgiPileException sameErrorInBothModes(DataSource ds, String state,
                                                           java.util.function.Function<TrainMode, TrainJob> job) {
        CorgiPile cp = CorgiPile.connect(ds);
        List<CorgiPileException> errors = new ArrayList<>();
        for (TrainMode mode : List.of(TrainMode.SERVER, TrainMode.CLIENT)) {
            CorgiPileException e = assertThrows(CorgiPileException.class, () -> cp.train(job.apply(mode)),
                    mode.toString());
            assertEquals(state, e.getSQLState(), mode + ": " + e.getMessage());
            errors.add(e);
        }
        assertEquals(errors.get(0).getMessage() + " / " + errors.get(0).hint(),
                errors.get(1).getMessage() + " / " + errors.get(1).hint(), "server vs client");
        return errors.get(0);
    }

    /**
     * Bug: shuffle_once's copy order hashed the table's OID with the row's position, so the same seed on a dropped
     * and re-created table (the same rows in the same storage order; a restored dump) trained another model. The
     * order now depends on the seed and the rows' positions only (with the name of the partition or inheritance
     * child that holds a row): the same model, bit for bit, in both modes for a table, in server mode for a
     * partitioned table and a table with an inheritance child.
     */
    @Test
    void shuffleOnceHashedTheTableOidSoARecreatedTableTrainedAnotherModel(DataSource ds) throws SQLException {
        CorgiPile cp = CorgiPile.connect(ds);
        String[] partitioned = {
            "CREATE TABLE once_parts (id int, label int, features float8[]) PARTITION BY LIST (label)",
            "CREATE TABLE once_parts_0 PARTITION OF once_parts FOR VALUES IN (0)",
            "CREATE TABLE once_parts_1 PARTITION OF once_parts FOR VALUES IN (1)",
            "INSERT INTO once_parts SELECT * FROM once_table ORDER BY id",
            "CREATE TABLE once_inherits AS SELECT * FROM once_table WHERE id % 2 = 0",
            "CREATE TABLE once_inherits_child () INHERITS (once_inherits)",
            "INSERT INTO once_inherits_child SELECT * FROM once_table WHERE id % 2 = 1"};
        List<List<JsonNode>> runs = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            if (round > 0) {
                execute(ds, "DROP TABLE once_table, once_parts, once_inherits CASCADE",
                        "CREATE TABLE once_oid_shift (x int)");
            }
            ClusteredTable.create(ds, "once_table", 3_000, 0.23);
            execute(ds, partitioned);
            List<JsonNode> models = new ArrayList<>();
            for (String relation : List.of("once_table", "once_parts", "once_inherits")) {
                // client mode does not train partitioned tables or tables with inheritance children
                for (TrainMode mode : relation.equals("once_table") ? List.of(TrainMode.SERVER, TrainMode.CLIENT)
                        : List.of(TrainMode.SERVER)) {
                    String name = relation + "_" + mode.toString().toLowerCase() + "_" + round;
                    cp.train(TrainJob.on(relation).mode(mode).modelName(name).spec(TrainSpec.builder()
                            .model("logistic").shuffle("shuffle_once").epochs(2).learningRate(0.05).seed(11))
                            .build());
                    models.add(cp.model(name).info().row().get("parameters"));
                }
            }
            runs.add(models);
        }
        for (int i = 0; i < runs.get(0).size(); i++) {
            JsonNode first = runs.get(0).get(i);
            JsonNode again = runs.get(1).get(i);
            assertEquals(first.size(), again.size());
            for (int j = 0; j < first.size(); j++) {
                assertEquals(first.get(j).doubleValue(), again.get(j).doubleValue(), 0.0,
                        "model " + i + ", parameter " + j + ": the re-created table, the same model");
            }
        }
    }

    private static void execute(DataSource ds, String... statements) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    private static TrainJob small(TrainMode mode, String relation) {
        return TrainJob.on(relation).mode(mode).spec(TrainSpec.builder().model("logistic").epochs(1).seed(1)).build();
    }

    /**
     * Bug (defect 1): client mode gave PostgreSQL's bare 22003 from its ::float8 casts for a numeric label or feature
     * beyond double precision, and from its ::int4[] cast for a bigint sparse index of 3e9 with a given dimension;
     * the server names the column, the tuple and the relation (or gives the sparse index error).
     */
    @Test
    void aNumericBeyondDoublePrecisionOrABigintIndexBeyondInt4IsTheSameErrorInBothModes(DataSource ds)
            throws SQLException {
        execute(ds, "CREATE TABLE huge_label AS SELECT CASE WHEN i = 3 THEN 1e400 ELSE i % 2 END::numeric AS label, "
                        + "ARRAY[i, 1.0]::float8[] AS features FROM generate_series(1, 10) i",
                "CREATE TABLE huge_feature AS SELECT i % 2 AS label, ARRAY[i, CASE WHEN i = 3 THEN -1e400 ELSE 1 END]"
                        + "::numeric[] AS features FROM generate_series(1, 10) i",
                "CREATE TABLE huge_column AS SELECT i % 2 AS label, i::float8 AS a, CASE WHEN i = 3 THEN 1e400 ELSE 1 "
                        + "END::numeric AS b FROM generate_series(1, 10) i",
                "CREATE TABLE huge_index AS SELECT i % 2 AS label, ARRAY[0, CASE WHEN i = 3 THEN 3000000000 ELSE 1 "
                        + "END]::bigint[] AS idx, ARRAY[1.0, 2.0]::float8[] AS val FROM generate_series(1, 10) i");
        CorgiPileException e = sameErrorInBothModes(ds, "22003", mode -> small(mode, "huge_label"));
        assertEquals("label \"label\" of tuple (0,3) of relation \"huge_label\" is a numeric beyond the range of "
                + "double precision", e.getMessage());
        e = sameErrorInBothModes(ds, "22003", mode -> small(mode, "huge_feature"));
        assertEquals("features \"features\" of tuple (0,3) of relation \"huge_feature\" contain a numeric beyond the "
                + "range of double precision", e.getMessage());
        e = sameErrorInBothModes(ds, "22003", mode -> TrainJob.on("huge_column").mode(mode).features("a, b")
                .spec(TrainSpec.builder().model("logistic").epochs(1).seed(1)).build());
        assertEquals("features \"b\" of tuple (0,3) of relation \"huge_column\" contain a numeric beyond the "
                + "range of double precision", e.getMessage());
        e = sameErrorInBothModes(ds, "22000", mode -> TrainJob.on("huge_index").mode(mode).features("idx, val")
                .spec(TrainSpec.builder().model("logistic").epochs(1).seed(1)).argument("dimension", 10).build());
        assertEquals("sparse index 3000000000 of indices \"idx\" of tuple (0,3) of relation \"huge_index\" is outside "
                + "[0, 10)", e.getMessage());
    }

    /**
     * Bug: under shuffle_once client mode named the copy it reads (relation
     * "corgipile_shuffle_once_&lt;pid&gt;_&lt;txid&gt;"), a temporary table the user never created, where train_sgd
     * names the user's relation, marked as the copy since tuple positions are the copy's. One seed gives one copy in
     * both modes: the same error, word for word (a label checked by the input guard, a NaN feature found by the
     * sources, a sparse index beyond the dimension).
     */
    @Test
    void shuffleOnceNamesTheUsersRelationAlikeInBothModes(DataSource ds) throws SQLException {
        execute(ds, "CREATE TABLE once_bad AS SELECT 2 AS y, ARRAY[i, 1]::float8[] AS features, "
                + "ARRAY[i, 'NaN']::float8[] AS nans, ARRAY[0, 7] AS idx, ARRAY[1.0, 1.0]::float8[] AS val "
                + "FROM generate_series(1, 10) i");
        String shown = " of relation \"once_bad\" (shuffle_once's shuffled copy) ";
        CorgiPileException e = sameErrorInBothModes(ds, "22000", mode -> once(mode, "logistic", "features"));
        assertTrue(e.getMessage().matches("label \"y\" of tuple \\(0,\\d+\\)" + Pattern.quote(shown)
                + "is 2, not a binary label for model logistic \\(expected 0/1 or -1/\\+1\\)"), e.getMessage());
        e = sameErrorInBothModes(ds, "22000", mode -> once(mode, "linear", "nans"));
        assertTrue(e.getMessage().matches("features \"nans\" of tuple \\(0,\\d+\\)" + Pattern.quote(shown)
                + "contain NaN or Infinity"), e.getMessage());
        e = sameErrorInBothModes(ds, "22000", mode -> TrainJob.on("once_bad").mode(mode).label("y")
                .features("idx, val").spec(TrainSpec.builder().model("linear").shuffle("shuffle_once").epochs(1)
                        .seed(1)).argument("dimension", 5).build());
        assertTrue(e.getMessage().matches("sparse index 7 of indices \"idx\" of tuple \\(0,\\d+\\)"
                + Pattern.quote(shown) + "is outside \\[0, 5\\)"), e.getMessage());
    }

    /**
     * Bug: a sparse index outside the dimension named the tuple and (since the relation was named) the relation, not
     * the column, where every other row error names column, tuple and relation. Both modes name the index column.
     */
    @Test
    void aSparseIndexOutsideTheDimensionNamesItsColumnInBothModes(DataSource ds) throws SQLException {
        execute(ds, "CREATE TABLE index_outside AS SELECT i % 2 AS label, ARRAY[0, CASE WHEN i = 4 THEN 7 ELSE 1 END] "
                + "AS \"Idx\", ARRAY[1.0, 2.0]::float8[] AS val FROM generate_series(1, 10) i");
        CorgiPileException e = sameErrorInBothModes(ds, "22000", mode -> TrainJob.on("index_outside").mode(mode)
                .features("Idx, val").spec(TrainSpec.builder().model("logistic").epochs(1).seed(1))
                .argument("dimension", 5).build());
        assertEquals("sparse index 7 of indices \"Idx\" of tuple (0,4) of relation \"index_outside\" is outside "
                + "[0, 5)", e.getMessage());
    }

    /** Prediction with the extension reads numeric features as training does ({@link NumericPredictions}). */
    @Test
    void aNumericBelowOrBeyondDoublePrecisionIsPredictedAsTrainingReadsIt(DataSource ds) throws SQLException {
        NumericPredictions.predictAsTrainingReads(ds, TrainMode.SERVER, "pred_ext");
    }

    private static TrainJob once(TrainMode mode, String model, String features) {
        return TrainJob.on("once_bad").mode(mode).label("y").features(features)
                .spec(TrainSpec.builder().model(model).shuffle("shuffle_once").epochs(1).seed(1)).build();
    }

    /**
     * Bug: a numeric label or feature below double precision (1e-400) failed client mode with PostgreSQL's bare
     * 22003 ("... is out of range for type double precision", from its ::float8 casts) where the server reads it as
     * the nearest double, 0 (and 1e-310 as a denormal). Client mode now reads them as the server does: in both modes
     * the numeric table trains the model of the same values written as float8, in every feature layout.
     */
    @Test
    void aNumericBelowDoublePrecisionReadsAsZeroInBothModes(DataSource ds) throws SQLException {
        String values = "SELECT i, CASE WHEN i %% 5 = 0 THEN %1$s ELSE i %% 2 END AS label, "
                + "ARRAY[i %% 7 - 3, CASE WHEN i %% 3 = 0 THEN -%1$s ELSE %2$s END, i %% 2 + 0.5] AS features, "
                + "(i %% 7 - 3) AS a, CASE WHEN i %% 3 = 0 THEN %1$s ELSE %2$s END AS b, ARRAY[0, 1 + i %% 3] AS idx, "
                + "ARRAY[i %% 7 - 3, CASE WHEN i %% 3 = 1 THEN %1$s ELSE -%2$s END] AS val "
                + "FROM generate_series(1, 60) i";
        execute(ds, "CREATE TABLE tiny_numeric AS SELECT i, label::numeric, features::numeric[], a::numeric, "
                        + "b::numeric, idx::int[], val::numeric[] FROM (" + String.format(values, "1e-400", "1e-310")
                        + ") v ORDER BY i",
                "CREATE TABLE tiny_float8 AS SELECT i, label::float8, features::float8[], a::float8, b::float8, "
                        + "idx::int[], val::float8[] FROM (" + String.format(values, "0", "1e-310::float8")
                        + ") v ORDER BY i");
        CorgiPile cp = CorgiPile.connect(ds);
        for (String features : List.of("features", "a, b", "idx, val")) {
            List<JsonNode> numeric = new ArrayList<>();
            for (TrainMode mode : List.of(TrainMode.SERVER, TrainMode.CLIENT)) {
                for (String table : List.of("tiny_numeric", "tiny_float8")) {
                    String name = table + "_" + mode.toString().toLowerCase() + "_" + features.replace(", ", "_");
                    cp.train(TrainJob.on(table).mode(mode).features(features).modelName(name)
                            .spec(TrainSpec.builder().model("logistic").shuffle("none").epochs(2).seed(1)).build());
                    JsonNode parameters = cp.model(name).info().row().get("parameters");
                    if (table.equals("tiny_numeric")) {
                        numeric.add(parameters);
                    } else {
                        assertEquals(parameters, numeric.get(numeric.size() - 1), mode + " " + features
                                + ": the numeric table trains as its float8 twin");
                    }
                }
            }
            assertEquals(numeric.get(0).size(), numeric.get(1).size());
            for (int i = 0; i < numeric.get(0).size(); i++) {
                assertEquals(numeric.get(0).get(i).asDouble(), numeric.get(1).get(i).asDouble(), 1e-9,
                        features + ": parameter " + i + " in server vs client mode");
            }
        }
    }

    /**
     * A numeric below double precision on a later page than the first range: client mode reads the ranges before it
     * with the casts, rolls the failed read back to its savepoint and reads on exactly, in the training's one
     * transaction (the model row is written), and trains the server's model.
     */
    @Test
    void aNumericBelowDoublePrecisionOnALaterPageTrainsAsInTheServer(DataSource ds) throws SQLException {
        execute(ds, "CREATE TABLE tiny_later AS SELECT (i % 2)::numeric AS label, ARRAY[i % 7 - 3, CASE WHEN i = 2900 "
                + "THEN 1e-400 ELSE i % 3 END, 0.5]::numeric[] AS features FROM generate_series(1, 3000) i");
        CorgiPile cp = CorgiPile.connect(ds);
        List<JsonNode> parameters = new ArrayList<>();
        for (TrainMode mode : List.of(TrainMode.SERVER, TrainMode.CLIENT)) {
            String name = "tiny_later_" + mode.toString().toLowerCase();
            cp.train(TrainJob.on("tiny_later").mode(mode).modelName(name).validation("tiny_later")
                    .spec(TrainSpec.builder().model("logistic").shuffle("none").epochs(2).blockSize(1).seed(1))
                    .build());
            parameters.add(cp.model(name).info().row().get("parameters"));
        }
        for (int i = 0; i < parameters.get(0).size(); i++) {
            assertEquals(parameters.get(0).get(i).asDouble(), parameters.get(1).get(i).asDouble(), 1e-9,
                    "parameter " + i + " in server vs client mode");
        }
    }

    /**
     * Client mode converts numeric columns with an expression rather than a cast, and finds a numeric beyond double
     * precision as rows are read rather than by a scan: numeric's own NaN and Infinity are still NaN or Infinity
     * (22000), a NaN next to a numeric beyond double precision in one row is the latter (22003, as the reader's
     * check), and a 2-dimensional numeric array the reader's 2202E, alike in both modes.
     */
    @Test
    void numericNaNInfinityAndTwoDimensionalArraysAreTheSameErrorsInBothModes(DataSource ds) throws SQLException {
        execute(ds, "CREATE TABLE numeric_inf AS SELECT CASE WHEN i = 4 THEN '-Infinity'::numeric ELSE i % 2 END "
                        + "AS label, ARRAY[i, 1.0]::float8[] AS features FROM generate_series(1, 10) i",
                "CREATE TABLE numeric_nan AS SELECT i % 2 AS label, ARRAY[i, CASE WHEN i = 5 THEN 'NaN'::numeric "
                        + "ELSE 1 END]::numeric[] AS features, i::numeric AS a, CASE WHEN i = 5 THEN 'NaN'::numeric ELSE 1 END "
                        + "AS b, CASE WHEN i = 5 THEN 1e400 ELSE 1 END::numeric AS c FROM generate_series(1, 10) i",
                "CREATE TABLE numeric_2d AS SELECT i % 2 AS label, CASE WHEN i = 2 THEN ARRAY[[i, 1e400]] "
                        + "ELSE ARRAY[[i, 1]] END::numeric[] AS features FROM generate_series(1, 10) i");
        CorgiPileException e = sameErrorInBothModes(ds, "22000", mode -> small(mode, "numeric_inf"));
        assertEquals("label \"label\" of tuple (0,4) of relation \"numeric_inf\" is NaN or Infinity", e.getMessage());
        e = sameErrorInBothModes(ds, "22000", mode -> small(mode, "numeric_nan"));
        assertEquals("features \"features\" of tuple (0,5) of relation \"numeric_nan\" contain NaN or Infinity",
                e.getMessage());
        e = sameErrorInBothModes(ds, "22003", mode -> TrainJob.on("numeric_nan").mode(mode).features("a, b, c")
                .spec(TrainSpec.builder().model("logistic").epochs(1).seed(1)).build());
        assertEquals("features \"b\" of tuple (0,5) of relation \"numeric_nan\" contain a numeric beyond the range "
                + "of double precision", e.getMessage());
        e = sameErrorInBothModes(ds, "2202E", mode -> small(mode, "numeric_2d"));
        assertEquals("features \"features\" of tuple (0,1) of relation \"numeric_2d\" are a 2-dimensional array; "
                + "expected one dimension", e.getMessage());
    }

    /**
     * Bug (defect 2): client mode said "features of relation ... are empty arrays" when the first row's array was
     * empty, and "have 0 elements" for a later one; the server names the tuple whose array is empty.
     */
    @Test
    void anEmptyFeatureArrayIsNamedByItsTupleInBothModes(DataSource ds) throws SQLException {
        execute(ds, "CREATE TABLE empty_first AS SELECT i % 2 AS label, CASE WHEN i = 1 THEN '{}' ELSE ARRAY[i, 1] "
                        + "END::float8[] AS features FROM generate_series(1, 10) i",
                "CREATE TABLE empty_later AS SELECT i % 2 AS label, CASE WHEN i = 4 THEN '{}' ELSE ARRAY[i, 1] "
                        + "END::float8[] AS features FROM generate_series(1, 10) i");
        CorgiPileException e = sameErrorInBothModes(ds, "22000", mode -> small(mode, "empty_first"));
        assertEquals("features \"features\" of tuple (0,1) of relation \"empty_first\" are an empty array",
                e.getMessage());
        e = sameErrorInBothModes(ds, "22000", mode -> small(mode, "empty_later"));
        assertEquals("features \"features\" of tuple (0,4) of relation \"empty_later\" are an empty array",
                e.getMessage());
    }

    /**
     * Bug (defect 4): client mode named a schema-qualified relation "s.t", the server "t". Both now name it as
     * PostgreSQL's own errors do (column "x" of relation "t"): its name in double quotes, without the schema.
     */
    @Test
    void aSchemaQualifiedRelationIsNamedAlikeInBothModes(DataSource ds) throws SQLException {
        execute(ds, "CREATE SCHEMA other", "CREATE TABLE other.t (label int, features float8[])",
                "CREATE TABLE other.\"My T\" AS SELECT 1 AS label, ARRAY[i, 1]::float8[] AS features "
                        + "FROM generate_series(1, 10) i");
        CorgiPileException e = sameErrorInBothModes(ds, "22000", mode -> small(mode, "other.t"));
        assertEquals("relation \"t\" has no rows with a non-NULL label and features", e.getMessage());
        e = sameErrorInBothModes(ds, "22000", mode -> small(mode, "other.\"My T\""));
        assertTrue(e.getMessage().startsWith("label column \"label\" of relation \"My T\" has one value"),
                e.getMessage());
    }

    /**
     * Bug (defect 5): model => 5 said "got a value of type Integer" in client mode and "Long" in server mode; range
     * errors such as "epochs must be between 1 and 100000, got 0" had no hint.
     */
    @Test
    void aWrongTypeOrOutOfRangeArgumentIsTheSameErrorWithAHintInBothModes(DataSource ds) {
        CorgiPileException e = sameErrorInBothModes(ds, "22023", mode -> spec(mode, null).argument("model", 5).build());
        assertTrue(e.getMessage().endsWith(", got a number"), e.getMessage());
        e = sameErrorInBothModes(ds, "22023", mode -> spec(mode, null).argument("epochs", 0).build());
        assertEquals("epochs must be between 1 and 100000, got 0", e.getMessage());
        assertNotNull(e.hint(), "a range error has a hint");
        assertTrue(e.hint().endsWith("."), e.hint());
    }

    /**
     * Bug (defect 3): errors raised in Java (the input guard's label checks, NaN checks for sources that are not the
     * heap reader) named the tuple but not the column or the relation, while the heap reader's name all three. Each
     * source now names the value ({@code BlockSource.describeValue}) the same way in both modes.
     */
    @Test
    void aBadLabelNamesTheColumnTheTupleAndTheRelationInBothModes(DataSource ds) throws SQLException {
        execute(ds, "CREATE TABLE label_two AS SELECT CASE WHEN i = 3 THEN 2 ELSE i % 2 END AS y, "
                + "ARRAY[i, 1.0]::float8[] AS features FROM generate_series(1, 10) i");
        CorgiPileException e = sameErrorInBothModes(ds, "22000", mode -> TrainJob.on("label_two").mode(mode)
                .label("y").spec(TrainSpec.builder().model("logistic").epochs(1).seed(1)).build());
        assertEquals("label \"y\" of tuple (0,3) of relation \"label_two\" is 2, not a binary label for model "
                + "logistic (expected 0/1 or -1/+1)", e.getMessage());
        e = sameErrorInBothModes(ds, "22000", mode -> TrainJob.on("label_two").mode(mode).label("y")
                .spec(TrainSpec.builder().model("softmax").epochs(1).seed(1)).argument("classes", 2).build());
        assertEquals("label \"y\" of tuple (0,3) of relation \"label_two\" is 2, not a class index between 0 and 1 "
                + "for model softmax with 2 classes", e.getMessage());
    }

    /**
     * Bug: a bigint label 9223372036854775807 (read as the double 2^63) was reported as 9.223372036854776E18 in both
     * modes: labels print in plain notation.
     */
    @Test
    void aBigintLabelIsShownInPlainNotationNotAsADoubleInBothModes(DataSource ds) throws SQLException {
        execute(ds, "CREATE TABLE label_huge AS SELECT (CASE WHEN i = 3 THEN 9223372036854775807 ELSE i % 2 END)"
                + "::bigint AS y, ARRAY[i, 1.0]::float8[] AS features FROM generate_series(1, 10) i");
        CorgiPileException e = sameErrorInBothModes(ds, "22000", mode -> TrainJob.on("label_huge").mode(mode)
                .label("y").spec(TrainSpec.builder().model("logistic").epochs(1).seed(1)).build());
        assertEquals("label \"y\" of tuple (0,3) of relation \"label_huge\" is 9223372036854776000, not a binary "
                + "label for model logistic (expected 0/1 or -1/+1)", e.getMessage());
    }

    /**
     * Bug: a features argument with an empty name ('a,,b', 'a,', ',a', ' , ', '') was 42804 "features ... are not a
     * supported feature type" in server mode (the C reader's parse) and 22023 in client mode (the client's own parse,
     * in other words); HeapBlockSource split it a third way. Now one parser (FeaturesArgument, SQL's
     * feature_columns alike): 22023, the same message and hint in both modes; names trimmed of spaces and tabs.
     */
    @Test
    void aFeatureListWithAnEmptyNameWas42804InServerModeAnd22023InClientMode(DataSource ds) throws SQLException {
        execute(ds, "CREATE TABLE feature_list AS SELECT i % 2 AS y, i::float8 AS a, (-i)::float8 AS b "
                + "FROM generate_series(1, 200) i");
        for (String features : List.of("a,,b", "a,", ",a", " , ", "")) {
            CorgiPileException e = sameErrorInBothModes(ds, "22023", mode -> TrainJob.on("feature_list").mode(mode)
                    .label("y").features(features).spec(TrainSpec.builder().epochs(1).seed(1)).build());
            assertEquals("features must name one array column or a comma-separated list of columns, got \""
                    + features + "\" / For example 'features' or 'x1, x2'.", e.getMessage() + " / " + e.hint());
        }
        CorgiPile cp = CorgiPile.connect(ds);
        for (String features : List.of(" a , b ", "a\t,\tb")) {
            for (TrainMode mode : List.of(TrainMode.SERVER, TrainMode.CLIENT)) {
                TrainingRun r = cp.train(TrainJob.on("feature_list").mode(mode).label("y").features(features)
                        .spec(TrainSpec.builder().epochs(1).seed(1).shuffle("none")).build());
                assertEquals(200, r.last().tuples(), mode + " '" + features + "'");
            }
        }
    }

    /**
     * Bug: a column added with a DEFAULT after rows were stored (PostgreSQL keeps the default out of the old tuples)
     * was read as NULL by the server's heap reader, which skipped those rows; client mode, reading through SQL, read
     * the default. Both modes now train on every row, the same model.
     */
    @Test
    void aColumnAddedWithADefaultIsReadAsItsDefaultInBothModes(DataSource ds) throws SQLException {
        execute(ds, "CREATE TABLE grown (i int)",
                "INSERT INTO grown SELECT i FROM generate_series(1, 600) i",
                "ALTER TABLE grown ADD COLUMN label int DEFAULT 1, ADD COLUMN features float8[] DEFAULT '{1, 2}'",
                "UPDATE grown SET label = 0, features = ARRAY[i % 7, 2] WHERE i % 2 = 0");
        CorgiPile cp = CorgiPile.connect(ds);
        List<JsonNode> parameters = new ArrayList<>();
        for (TrainMode mode : List.of(TrainMode.SERVER, TrainMode.CLIENT)) {
            String name = "grown_" + mode.toString().toLowerCase();
            TrainingRun r = cp.train(TrainJob.on("grown").mode(mode).modelName(name)
                    .spec(TrainSpec.builder().model("logistic").shuffle("none").epochs(1).seed(1)).build());
            assertEquals(600, r.last().tuples(), mode + ": every row, those with the default included");
            parameters.add(cp.model(name).info().row().get("parameters"));
        }
        for (int i = 0; i < parameters.get(0).size(); i++) {
            assertEquals(parameters.get(0).get(i).asDouble(), parameters.get(1).get(i).asDouble(), 1e-9,
                    "parameter " + i + " in server vs client mode");
        }
    }

    /**
     * Bug: a table with inheritance children was read by the server as its own rows only, and by client mode with
     * its TID range scans of the parent, which a query extends to every child at the same TIDs (rows of children
     * inside the parent's blocks, the rest of the children never). The server now reads the table and every
     * descendant, as a query does; client mode, which reads one heap, refuses it as it refuses a partitioned table.
     */
    @Test
    void aTableWithInheritanceChildrenIsReadWholeInTheServerAndRefusedInClientMode(DataSource ds)
            throws SQLException {
        execute(ds, "CREATE TABLE family AS SELECT label, features FROM clustered WHERE id <= 1000",
                "CREATE TABLE family_child () INHERITS (family)",
                "INSERT INTO family_child SELECT label, features FROM clustered WHERE id > 1000 AND id <= 4000");
        CorgiPile cp = CorgiPile.connect(ds);
        TrainJob.Builder job = TrainJob.on("family").spec(TrainSpec.builder().model("logistic").epochs(1).seed(1));
        assertEquals(4000, cp.train(job.mode(TrainMode.SERVER).build()).last().tuples());
        CorgiPileException e = assertThrows(CorgiPileException.class,
                () -> cp.train(job.mode(TrainMode.CLIENT).build()));
        assertEquals("0A000", e.getSQLState(), e.getMessage());
        assertEquals("\"family\" has inheritance children", e.getMessage());
    }

    private static List<String> fields(JsonNode o) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        names.sort(null);
        return names;
    }
}
