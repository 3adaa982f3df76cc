package org.corgipile.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.corgipile.cluster.LocalCluster;
import org.corgipile.testsupport.TestClusters;
import org.corgipile.testsupport.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Training over a table whose partitions live on other servers: three real PostgreSQL clusters on loopback, a
 * coordinator and two servers. Table {@code dist} on the coordinator is partitioned by {@code part}; partition
 * {@code dist_1} is a postgres_fdw foreign table on server s1, {@code dist_2} one on s2. Each server's table holds
 * half of the rows of {@link TestTables#clustered} (by id parity), stored clustered by label, so every server must
 * shuffle well. The same rows sit in one table {@code flat} on the coordinator for the one-server baseline.
 *
 * <p>Accuracy comparisons are robust by construction rather than by a loose margin: 40,000 training rows (both
 * models end close to the logistic optimum of a linear task) and 20,000 test rows, so the two models disagree on
 * few test rows and the difference of their accuracies has a standard error near 0.1 points against the 0.5 allowed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ShardedTrainingIT {
    private static final String DB = "sharded";
    private static final int ROWS = 40_000;
    /** A user's call with the defaults (the seed only pins the run). */
    private static final String DEFAULTS = "SELECT * FROM train_sgd('%s', 'label', 'features', seed => 5, "
            + "model_name => '%s')";
    /**
     * Many seconds per epoch on every server (a wide mlp at a rate that does not diverge), so a cancel or a kill
     * lands while every server is still in epoch 1.
     */
    private static final String SLOW = "SELECT * FROM train_sgd('dist', 'label', 'features', model => 'mlp', "
            + "epochs => 5, learning_rate => 0.001, seed => 5, model_name => '%s', "
            + "options => '{\"hidden\": [512, 512], \"classes\": 2}')";
    private static LocalCluster coordinator;
    private static LocalCluster s1;
    private static LocalCluster s2;

    @BeforeAll
    static void clusters() throws SQLException {
        // every server derives its own sizes (DeviceSizing.resolve); no timing of CI's disk may change them here
        coordinator = TestClusters.start(List.of());
        s1 = TestClusters.start(List.of());
        s2 = TestClusters.start(List.of());
        int k = 0;
        for (LocalCluster server : List.of(s1, s2)) {
            TestDatabase.withExtension(server, DB);   // goes with its throwaway cluster
            try (Connection c = server.connect(DB); Statement s = c.createStatement()) {
                TestTables.clustered(c, "all_rows", ROWS, 10, 0.2);
                s.execute("CREATE TABLE shard AS SELECT id, " + k + " AS part, label, features FROM all_rows "
                        + "WHERE id % 2 = " + k + " ORDER BY label, id");
                s.execute("DROP TABLE all_rows");
                s.execute("VACUUM ANALYZE shard");
            }
            k++;
        }
        TestDatabase.withExtension(coordinator, DB);
        try (Connection c = coordinator.connect(DB); Statement s = c.createStatement()) {
            s.execute("CREATE EXTENSION postgres_fdw");
            s.execute("CREATE EXTENSION dblink");
            TestTables.clustered(c, "flat", ROWS, 10, 0.2);
            TestTables.clustered(c, "test_rows", 20_000, 10, 0.9);
            s.execute("CREATE TABLE dist (id int, part int, label int, features float8[]) PARTITION BY LIST (part)");
            k = 0;
            for (LocalCluster server : List.of(s1, s2)) {
                String name = "s" + (k + 1);
                s.execute("CREATE SERVER " + name + " FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1', "
                        + "port '" + server.port() + "', dbname '" + DB + "')");
                s.execute("CREATE USER MAPPING FOR postgres SERVER " + name + " OPTIONS (user 'postgres')");
                s.execute("CREATE FOREIGN TABLE dist_" + (k + 1) + " PARTITION OF dist FOR VALUES IN (" + k + ") "
                        + "SERVER " + name + " OPTIONS (table_name 'shard')");
                k++;
            }
        }
    }

    @AfterAll
    static void stop() {
        for (LocalCluster c : new LocalCluster[] {coordinator, s1, s2}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private static double testAccuracy(Statement s, String model) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT value FROM sgd_evaluate('" + model + "', 'test_rows', 'label', "
                + "'features') WHERE metric = 'accuracy'")) {
            assertTrue(rs.next());
            return rs.getDouble(1);
        }
    }

    @Test
    @Order(1)
    void defaultsOnTwoServersMatchOneServerWithTheDefaults() throws SQLException {
        try (Connection c = coordinator.connect(DB); Statement s = c.createStatement()) {
            s.execute("SET client_min_messages = warning");
            long epochs = 0;
            try (ResultSet rs = s.executeQuery(String.format(DEFAULTS, "dist", "sharded_defaults"))) {
                while (rs.next()) {
                    epochs++;
                    assertEquals(ROWS, rs.getLong("tuples"), "tuples summed over the servers, epoch " + epochs);
                    assertTrue(rs.getDouble("seconds") > 0);
                }
            }
            assertEquals(10, epochs, "the default number of epochs");
            try (ResultSet rs = s.executeQuery(String.format(DEFAULTS, "flat", "one_server"))) {
                while (rs.next()) {
                    assertEquals(ROWS, rs.getLong("tuples"));
                }
            }
            // the same defaults resolved on both paths
            try (ResultSet rs = s.executeQuery("SELECT name, spec->>'standardize', spec->>'average', "
                    + "spec->>'learning_rate', spec->>'buffer_memory' FROM corgipile.models "
                    + "WHERE name IN ('sharded_defaults', 'one_server') ORDER BY name")) {
                for (int k = 0; k < 2; k++) {
                    assertTrue(rs.next());
                    assertEquals("true", rs.getString(2), "standardize in " + rs.getString(1));
                    assertEquals("true", rs.getString(3), "average in " + rs.getString(1));
                    assertEquals(0.01, Double.parseDouble(rs.getString(4)), 0, "learning_rate in " + rs.getString(1));
                }
            }
            double sharded = testAccuracy(s, "sharded_defaults");
            double one = testAccuracy(s, "one_server");
            System.out.printf("test accuracy with the defaults: two servers %.4f, one server %.4f%n", sharded, one);
            assertTrue(one > 0.85, "the one-server baseline learns the task: " + one);
            assertEquals(one, sharded, 0.005, "two servers within 0.5 points of one server");
            // the epoch log has each server's seconds and derived sizes; the model row is the coordinator's
            try (ResultSet rs = s.executeQuery("SELECT epoch_log->0->'servers' ?& ARRAY['s1', 's2'], "
                    + "epoch_log->0->'server_sizes' ?& ARRAY['s1', 's2'], source_relation, "
                    + "jsonb_array_length(epoch_log), "
                    + "epoch_log->1->'server_device_read_bytes' ?& ARRAY['s1', 's2'], "
                    + "epoch_log->0->'server_profile_device_read_bytes' ?& ARRAY['s1', 's2'], "
                    + "(epoch_log->1->>'device_read_bytes')::bigint = (SELECT sum(v::bigint) FROM "
                    + "jsonb_each_text(epoch_log->1->'server_device_read_bytes') AS t(k, v)) "
                    + "FROM corgipile.models WHERE name = 'sharded_defaults'")) {
                assertTrue(rs.next());
                assertTrue(rs.getBoolean(1), "per-server seconds in the epoch log");
                assertTrue(rs.getBoolean(2), "per-server block and buffer sizes in the epoch log");
                assertEquals("dist", rs.getString(3));
                assertEquals(10, rs.getInt(4));
                assertTrue(rs.getBoolean(5), "per-server device bytes of every epoch in the epoch log");
                assertTrue(rs.getBoolean(6), "per-server device bytes of the profile round in epoch 1");
                assertTrue(rs.getBoolean(7), "an epoch's device_read_bytes is the servers' sum");
            }
        }
    }

    @Test
    @Order(2)
    void standardizationStatisticsAreTheWholeTablesAsOnOneServer() throws SQLException {
        try (Connection c = coordinator.connect(DB); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT m.feature_mean, m.feature_std, o.feature_mean, o.feature_std "
                     + "FROM corgipile.models m, corgipile.models o "
                     + "WHERE m.name = 'sharded_defaults' AND o.name = 'one_server'")) {
            assertTrue(rs.next());
            for (int k = 1; k <= 2; k++) {
                Double[] sharded = (Double[]) rs.getArray(k).getArray();
                Double[] one = (Double[]) rs.getArray(k + 2).getArray();
                assertEquals(10, sharded.length, "one statistic per feature");
                for (int i = 0; i < one.length; i++) {
                    assertEquals(one[i], sharded[i], 1e-12 * Math.max(1, Math.abs(one[i])),
                            (k == 1 ? "mean" : "std") + " of feature " + i);
                }
            }
        }
    }

    /**
     * Rows of table {@code name}: {@code rows} rows, 10 features uniform in [-1, 1] shifted by +-{@code shift} per
     * class, stored clustered by label, column {@code part} = {@code part} (seeded: the same rows wherever made).
     */
    private static void skewed(Connection c, String name, int rows, double shift, int part, double seed)
            throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SELECT setseed(" + seed + ")");
            s.execute("CREATE TABLE " + name + " AS SELECT i AS id, " + part + " AS part, label, ARRAY(SELECT "
                    + "(random() * 2 - 1) + CASE WHEN label = 1 THEN " + shift + " ELSE -" + shift + " END "
                    + "FROM generate_series(1, 10) k WHERE i > 0) AS features FROM (SELECT i, (random() < 0.5)::int "
                    + "AS label FROM generate_series(1, " + rows + ") i) s ORDER BY label, i");
            s.execute("VACUUM ANALYZE " + name);
        }
    }

    /** Per epoch: accuracy and, from the epoch log, sample_tuples, of {@code sql}'s model {@code model}. */
    private static double[][] epochAccuracies(Statement s, String sql, String model) throws SQLException {
        s.executeQuery(sql).close();
        try (ResultSet rs = s.executeQuery("SELECT (e->>'accuracy')::float8, (e->>'sample_tuples')::float8 FROM "
                + "corgipile.models, jsonb_array_elements(epoch_log) WITH ORDINALITY AS t(e, n) WHERE name = '"
                + model + "' ORDER BY n")) {
            List<double[]> out = new java.util.ArrayList<>();
            while (rs.next()) {
                double a = rs.getDouble(1);
                out.add(new double[] {rs.wasNull() ? Double.NaN : a, rs.getDouble(2)});
            }
            return out.toArray(new double[0][]);
        }
    }

    /**
     * Bug: the training accuracy of a sharded table under the default metrics ({@code train_metrics => 'running'})
     * was NULL. Now every epoch's averaged model is measured on a sample pooled from the servers in proportion to
     * their rows, and must agree with {@code 'pass'} (every row of every server) on the same epoch's model, which is
     * the same model bit for bit (the sample only reads rows).
     *
     * <p>The table is built so that a sample that is not uniform over the whole table would be visibly off: s1 holds
     * 30,000 easy rows (classes shifted +-0.6: nearly all right), s2 10,000 hard ones (+-0.05: little better than a
     * coin), each stored clustered by label. The accuracy over the table is about 3/4 x s1's + 1/4 x s2's; s1's rows
     * alone, or equal parts of both servers, are many standard errors of the 1,000-row sample away. The same with
     * sparse features (standardize off: no profile round, so equal shares asked and the pool made proportional from
     * what the servers kept).
     */
    @Test
    @Order(2)
    void shardedTrainingAccuracyUnderTheDefaultMetricsIsNotNullAndAgreesWithThePass() throws SQLException {
        int[] rows = {30_000, 10_000};
        double[] shift = {0.6, 0.05};
        for (int k = 0; k < 2; k++) {
            try (Connection c = List.of(s1, s2).get(k).connect(DB); Statement s = c.createStatement()) {
                skewed(c, "skew_shard", rows[k], shift[k], k, 0.3 + k / 10.0);
                s.execute("CREATE TABLE skew_sparse AS SELECT id, part, label, ARRAY(SELECT generate_series(0, 9)) "
                        + "AS idx, features AS vals FROM skew_shard");
            }
        }
        try (Connection c = coordinator.connect(DB); Statement s = c.createStatement()) {
            s.execute("SET client_min_messages = warning");
            s.execute("CREATE TABLE skew (id int, part int, label int, features float8[]) PARTITION BY LIST (part)");
            s.execute("CREATE TABLE skew_sparse (id int, part int, label int, idx int[], vals float8[]) "
                    + "PARTITION BY LIST (part)");
            for (int k = 0; k < 2; k++) {
                s.execute("CREATE FOREIGN TABLE skew_" + (k + 1) + " PARTITION OF skew FOR VALUES IN (" + k + ") "
                        + "SERVER s" + (k + 1) + " OPTIONS (table_name 'skew_shard')");
                s.execute("CREATE FOREIGN TABLE skew_sparse_" + (k + 1) + " PARTITION OF skew_sparse FOR VALUES IN ("
                        + k + ") SERVER s" + (k + 1) + " OPTIONS (table_name 'skew_sparse')");
                // each server's rows on the coordinator too, to measure the model on one server's rows alone
                skewed(c, "skew_copy_" + (k + 1), rows[k], shift[k], k, 0.3 + k / 10.0);
            }
            String call = "SELECT * FROM train_sgd('%s', 'label', '%s', epochs => 3, seed => 5, model_name => '%s'"
                    + "%s)";
            for (String features : List.of("features", "idx, vals")) {
                boolean sparse = features.contains(",");
                String table = sparse ? "skew_sparse" : "skew";
                String options = sparse ? "{\"standardize\": false" : "{";
                double[][] running = epochAccuracies(s, String.format(call, table, features, table + "_running",
                        sparse ? ", options => '" + options + "}'" : ""), table + "_running");
                double[][] pass = epochAccuracies(s, String.format(call, table, features, table + "_pass",
                        ", options => '" + options + (sparse ? ", " : "") + "\"train_metrics\": \"pass\"}'"),
                        table + "_pass");
                try (ResultSet rs = s.executeQuery("SELECT a.parameters = b.parameters, "
                        + "a.feature_mean IS NOT DISTINCT FROM b.feature_mean FROM corgipile.models a, corgipile.models b "
                        + "WHERE a.name = '" + table + "_running' AND b.name = '" + table + "_pass'")) {
                    assertTrue(rs.next());
                    assertTrue(rs.getBoolean(1), table + ": the same model with the default metrics as with 'pass'");
                    assertTrue(rs.getBoolean(2));
                }
                assertEquals(3, running.length);
                for (int e = 0; e < 3; e++) {
                    double p = pass[e][0];
                    double n = running[e][1];
                    double se = Math.sqrt(p * (1 - p) / n);
                    System.out.printf("%s epoch %d: sample accuracy %.4f (%d rows), pass %.4f, se %.4f%n", table,
                            e + 1, running[e][0], (long) n, p, se);
                    assertTrue(!Double.isNaN(running[e][0]), table + " epoch " + (e + 1) + ": accuracy not NULL");
                    assertEquals(1_000, n, 0, "one in a hundred of the 40,000 rows");
                    assertEquals(p, running[e][0], 4 * se, table + " epoch " + (e + 1) + ": within 4 standard "
                            + "errors of the pass");
                }
                if (!sparse) {
                    // what a sample of one server's rows, or of equal parts of both, would have said
                    double[] one = new double[2];
                    for (int k = 0; k < 2; k++) {
                        try (ResultSet rs = s.executeQuery("SELECT value FROM sgd_evaluate('skew_pass', 'skew_copy_"
                                + (k + 1) + "', 'label', 'features') WHERE metric = 'accuracy'")) {
                            assertTrue(rs.next());
                            one[k] = rs.getDouble(1);
                        }
                    }
                    double p = pass[2][0];
                    double se = Math.sqrt(p * (1 - p) / 1_000);
                    System.out.printf("skew: s1's rows %.4f, s2's rows %.4f, equal parts %.4f, the table %.4f%n",
                            one[0], one[1], (one[0] + one[1]) / 2, p);
                    assertEquals(p, 0.75 * one[0] + 0.25 * one[1], 1e-9, "the pass is the rows' accuracy");
                    assertTrue(Math.abs(one[0] - p) > 8 * se && Math.abs(one[1] - p) > 8 * se
                            && Math.abs((one[0] + one[1]) / 2 - p) > 5 * se, "a sample that is not uniform over "
                            + "the table would be visibly off");
                }
            }
            // regression: no sample, as on one server
            try (ResultSet rs = s.executeQuery("SELECT accuracy FROM train_sgd('skew', 'label', 'features', "
                    + "model => 'linear', epochs => 1, seed => 5, model_name => 'skew_linear')")) {
                assertTrue(rs.next());
                rs.getDouble(1);
                assertTrue(rs.wasNull(), "linear: accuracy NULL");
            }
        }
    }

    @Test
    @Order(3)
    void earlyStoppingOnTheCoordinatorsValidationRelationKeepsTheBestAveragedModel() throws SQLException {
        int max = 40;
        try (Connection c = coordinator.connect(DB); Statement s = c.createStatement()) {
            s.execute("SET client_min_messages = warning");
            List<Double> losses = new java.util.ArrayList<>();
            // a constant rate without averaging: the validation loss improves for a few epochs (seed 5: three), then
            // wanders around the optimum
            try (ResultSet rs = s.executeQuery("SELECT * FROM train_sgd('dist', 'label', 'features', epochs => "
                    + max + ", learning_rate => 0.002, seed => 5, model_name => 'stopped', validation_relation => "
                    + "'test_rows', options => '{\"early_stop_patience\": 2, \"schedule\": \"constant\", "
                    + "\"average\": false}')")) {
                while (rs.next()) {
                    losses.add(rs.getDouble("validation_loss"));
                }
            }
            int best = losses.indexOf(losses.stream().min(Double::compare).orElseThrow()) + 1;
            System.out.println("early stopping: validation losses " + losses + ", best epoch " + best);
            assertTrue(losses.size() < max, "stopped early: " + losses.size() + " epochs");
            assertEquals(best + 2, losses.size(), "stopped two epochs without improvement after the best");
            try (ResultSet rs = s.executeQuery("SELECT (params->>'best_epoch')::int, (metrics->>'kept_epoch')::int, "
                    + "(metrics->>'stopped_early')::boolean, jsonb_array_length(epoch_log) "
                    + "FROM corgipile.models WHERE name = 'stopped'")) {
                assertTrue(rs.next());
                assertEquals(best, rs.getInt(1), "the model kept is the best epoch's");
                assertEquals(best, rs.getInt(2));
                assertTrue(rs.getBoolean(3));
                assertEquals(losses.size(), rs.getInt(4));
            }
            try (ResultSet rs = s.executeQuery("SELECT value FROM sgd_evaluate('stopped', 'test_rows', 'label', "
                    + "'features') WHERE metric = 'log_loss'")) {
                assertTrue(rs.next());
                assertEquals(losses.get(best - 1), rs.getDouble(1), 1e-9,
                        "the stored model is the one whose validation loss was the best");
            }
        }
    }

    @Test
    @Order(4)
    void softmaxInfersItsClassesFromEveryServerAndTheServersEvaluateItStandardised() throws SQLException {
        try (Connection c = coordinator.connect(DB); Statement s = c.createStatement()) {
            s.execute("SET client_min_messages = warning");
            double trainAccuracy;
            try (ResultSet rs = s.executeQuery("SELECT accuracy FROM train_sgd('dist', 'label', 'features', "
                    + "model => 'softmax', epochs => 2, seed => 5, model_name => 'sharded_softmax', "
                    + "options => '{\"train_metrics\": \"pass\"}') ORDER BY epoch DESC LIMIT 1")) {
                assertTrue(rs.next());
                trainAccuracy = rs.getDouble(1);
            }
            // the servers' evaluation round (each on its rows, weighted by rows) is the stored model's accuracy on
            // the same rows in one table: every server applied the model's standardisation
            try (ResultSet rs = s.executeQuery("SELECT value FROM sgd_evaluate('sharded_softmax', 'flat', 'label', "
                    + "'features') WHERE metric = 'accuracy'")) {
                assertTrue(rs.next());
                assertEquals(rs.getDouble(1), trainAccuracy, 1e-12, "training accuracy from the servers");
            }
            try (ResultSet rs = s.executeQuery("SELECT (params->>'classes')::int, spec->>'classes' "
                    + "FROM corgipile.models WHERE name = 'sharded_softmax'")) {
                assertTrue(rs.next());
                assertEquals(2, rs.getInt(1), "largest label over the servers + 1");
            }
            assertTrue(testAccuracy(s, "sharded_softmax") > 0.85);
        }
    }

    /**
     * A classifier on rows of one label is an error (the model would predict it for every input); a server's rows
     * may be one class when the table's are not. Here each server holds one class (trains), then both the same one
     * (22000 naming the partitioned table, its label column and the value, no model).
     */
    @Test
    @Order(4)
    void serversOfOneClassEachTrainButATableOfOneClassIsAnError() throws SQLException {
        for (LocalCluster server : List.of(s1, s2)) {
            try (Connection c = server.connect(DB); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE by_class AS SELECT id, part, part AS label, features FROM shard LIMIT 2000");
                s.execute("CREATE TABLE same_class AS SELECT id, part, 1 AS label, features FROM shard LIMIT 2000");
            }
        }
        try (Connection c = coordinator.connect(DB); Statement s = c.createStatement()) {
            s.execute("SET client_min_messages = warning");
            for (String t : List.of("by_class", "same_class")) {
                s.execute("CREATE TABLE dist_" + t + " (id int, part int, label int, features float8[]) "
                        + "PARTITION BY LIST (part)");
                for (int k = 0; k < 2; k++) {
                    s.execute("CREATE FOREIGN TABLE dist_" + t + "_" + k + " PARTITION OF dist_" + t
                            + " FOR VALUES IN (" + k + ") SERVER s" + (k + 1) + " OPTIONS (table_name '" + t + "')");
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM train_sgd('dist_by_class', 'label', 'features', "
                    + "epochs => 2, seed => 5, model_name => 'sharded_by_class')")) {
                assertTrue(rs.next());
                assertEquals(2, rs.getInt(1));
            }
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT * FROM train_sgd("
                    + "'dist_same_class', 'label', 'features', model => 'svm', epochs => 2, seed => 5, "
                    + "model_name => 'sharded_same_class')"));
            assertEquals("22000", e.getSQLState(), e.getMessage());
            assertTrue(e.getMessage().contains("label column \"label\" of relation \"dist_same_class\" has one "
                    + "value, 1, in every row: model svm needs rows of at least two classes"), e.getMessage());
            assertNoModel(s, "sharded_same_class");
        }
    }

    /**
     * Bugs: a foreign partition whose columns have other names on its server (postgres_fdw's column_name option) was
     * an error there ({@code label column "label" of relation "renamed" does not exist}), and a server whose
     * partition has no live row failed the whole training ({@code has no rows with a non-NULL label and features}),
     * although a query on the parent reads both. Now the servers are sent their own column names, and a server without
     * a row weighs nothing in the average; partitions of one server that name the columns differently are 0A000.
     */
    @Test
    @Order(4)
    void renamedColumnsAndAnEmptyServerTrainAsAQueryOnTheParentReadsThem() throws SQLException {
        try (Connection c = s1.connect(DB); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE renamed AS SELECT id, part, label AS y, features AS x FROM shard");
        }
        try (Connection c = s2.connect(DB); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE emptied AS SELECT * FROM shard LIMIT 100");
            s.execute("DELETE FROM emptied"); // pages without a live row: the reader finds no row to size from
        }
        try (Connection c = coordinator.connect(DB); Statement s = c.createStatement()) {
            s.execute("SET client_min_messages = warning");
            s.execute("CREATE TABLE dist_odd (id int, part int, label int, features float8[]) PARTITION BY LIST (part)");
            s.execute("CREATE FOREIGN TABLE dist_odd_1 PARTITION OF dist_odd FOR VALUES IN (0) SERVER s1 "
                    + "OPTIONS (table_name 'renamed')");
            s.execute("ALTER FOREIGN TABLE dist_odd_1 ALTER COLUMN label OPTIONS (column_name 'y'), "
                    + "ALTER COLUMN features OPTIONS (column_name 'x')");
            s.execute("CREATE FOREIGN TABLE dist_odd_2 PARTITION OF dist_odd FOR VALUES IN (1) SERVER s2 "
                    + "OPTIONS (table_name 'emptied')");
            try (ResultSet rs = s.executeQuery("SELECT count(label), count(features) FROM dist_odd")) {
                assertTrue(rs.next());
                assertEquals(ROWS / 2, rs.getLong(1), "a query on the parent reads s1's rows, none of s2's");
                assertEquals(ROWS / 2, rs.getLong(2));
            }
            for (String metrics : List.of("running", "pass")) {
                String name = "sharded_odd_" + metrics;
                int epochs = 0;
                try (ResultSet rs = s.executeQuery("SELECT * FROM train_sgd('dist_odd', 'label', 'features', "
                        + "epochs => 2, seed => 5, model_name => '" + name + "', options => '{\"train_metrics\": \""
                        + metrics + "\"}')")) {
                    while (rs.next()) {
                        epochs++;
                        assertEquals(ROWS / 2, rs.getLong("tuples"), metrics + ", epoch " + epochs);
                        assertTrue(rs.getDouble("accuracy") > 0.85, metrics + ": " + rs.getDouble("accuracy"));
                    }
                }
                assertEquals(2, epochs, metrics);
                assertTrue(testAccuracy(s, name) > 0.85, metrics);
            }
            s.execute("CREATE TABLE dist_mixed (id int, part int, label int, features float8[]) "
                    + "PARTITION BY LIST (part)");
            s.execute("CREATE FOREIGN TABLE dist_mixed_1 PARTITION OF dist_mixed FOR VALUES IN (0) SERVER s1 "
                    + "OPTIONS (table_name 'renamed')");
            s.execute("ALTER FOREIGN TABLE dist_mixed_1 ALTER COLUMN label OPTIONS (column_name 'y'), "
                    + "ALTER COLUMN features OPTIONS (column_name 'x')");
            s.execute("CREATE FOREIGN TABLE dist_mixed_2 PARTITION OF dist_mixed FOR VALUES IN (1) SERVER s1 "
                    + "OPTIONS (table_name 'shard')");
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT * FROM train_sgd("
                    + "'dist_mixed', 'label', 'features', epochs => 1, model_name => 'sharded_mixed')"));
            assertEquals("0A000", e.getSQLState(), e.getMessage());
            assertTrue(e.getMessage().contains("the partitions of \"dist_mixed\" on foreign server \"s1\" name the "
                    + "label and features differently: label / features; y / x"), e.getMessage());
            assertNoModel(s, "sharded_mixed");
        }
    }

    @Test
    @Order(5)
    void aServerWithoutTheExtensionIsNamed() throws SQLException {
        s2.createDatabase("plain");
        try (Connection c = s2.connect("plain"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE shard AS SELECT 0 AS id, 2 AS part, 1 AS label, '{1,2}'::float8[] AS features");
        }
        try (Connection c = coordinator.connect(DB); Statement s = c.createStatement()) {
            s.execute("CREATE SERVER s_plain FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1', port '"
                    + s2.port() + "', dbname 'plain')");
            s.execute("CREATE USER MAPPING FOR postgres SERVER s_plain OPTIONS (user 'postgres')");
            s.execute("CREATE TABLE dist_plain (id int, part int, label int, features float8[]) PARTITION BY LIST (part)");
            s.execute("CREATE FOREIGN TABLE dist_plain_1 PARTITION OF dist_plain FOR VALUES IN (2) SERVER s_plain "
                    + "OPTIONS (table_name 'shard')");
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery(
                    "SELECT * FROM train_sgd('dist_plain', 'label', 'features', model_name => 'never')"));
            System.out.println("server without the extension: " + e.getSQLState() + " " + e.getMessage());
            assertEquals("0A000", e.getSQLState(), e.getMessage());
            assertTrue(e.getMessage().contains("s_plain") && e.getMessage().contains("no corgipile extension"),
                    e.getMessage());
            assertNoModel(s, "never");
        }
    }

    @Test
    @Order(6)
    void coordinatorCancelCancelsTheServersStatements() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Connection c = coordinator.connect(DB); Connection admin = coordinator.connect(DB);
             Statement s = c.createStatement()) {
            s.execute("SET client_min_messages = warning");
            int pid = InDatabaseTrainingIT.pid(c);
            int[] logged = {logLines(s1), logLines(s2)};
            Future<SQLException> run = pool.submit(() -> {
                try (Statement t = c.createStatement()) {
                    t.executeQuery(String.format(SLOW, "cancelled"));
                    return null;
                } catch (SQLException e) {
                    return e;
                }
            });
            awaitRunningOnServers();
            try (Statement a = admin.createStatement()) {
                // the coordinator's live row, as one server's training has (bug: a sharded call had none)
                try (ResultSet rs = a.executeQuery("SELECT phase, epoch, epochs, strategy, model, relation, "
                        + "model_name, tuples_done, started_at <= clock_timestamp(), "
                        + "corgipile.activity_json(query)->>'servers' FROM corgipile.training_progress "
                        + "JOIN pg_stat_activity USING (pid) WHERE pid = " + pid)) {
                    assertTrue(rs.next(), "no training_progress row for the coordinator");
                    assertEquals("train", rs.getString(1));
                    assertEquals(1, rs.getInt(2));
                    assertEquals(5, rs.getInt(3));
                    assertEquals("corgipile", rs.getString(4));
                    assertEquals("mlp", rs.getString(5));
                    assertEquals("dist", rs.getString(6));
                    assertEquals("cancelled", rs.getString(7));
                    assertEquals(null, rs.getObject(8), "the servers' tuples within a round are not known here");
                    assertTrue(rs.getBoolean(9));
                    assertEquals("2", rs.getString(10));
                }
                a.execute("SELECT pg_cancel_backend(" + pid + ")");
            }
            SQLException e = run.get(60, TimeUnit.SECONDS);
            assertTrue(e != null, "training was not cancelled");
            assertEquals("57014", e.getSQLState(), e.getMessage());
            int k = 0;
            for (LocalCluster server : List.of(s1, s2)) {
                assertEquals(0, epochStatementsAfter(server, 10_000), "statements left running on a server");
                // cancelled, not merely disconnected (a disconnected backend would train on until it replies)
                String log = awaitLogSince(server, logged[k++], "canceling statement due to user request");
                assertTrue(log.contains("canceling statement due to user request"),
                        "the server's train_epoch was cancelled: " + log);
            }
            assertNoModel(s, "cancelled");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @Order(7)
    void aServerKilledMidTrainingAbortsWithItsNameAndNoModel() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Connection c = coordinator.connect(DB); Statement s = c.createStatement()) {
            s.execute("SET client_min_messages = warning");
            int logged = logLines(s1);
            Future<SQLException> run = pool.submit(() -> {
                try (Statement t = c.createStatement()) {
                    t.executeQuery(String.format(SLOW, "killed"));
                    return null;
                } catch (SQLException e) {
                    return e;
                }
            });
            awaitRunningOnServers();
            s2.kill();
            SQLException e = run.get(60, TimeUnit.SECONDS);
            assertTrue(e != null, "training went on without server s2");
            System.out.println("server killed: " + e.getSQLState() + " " + e.getMessage());
            assertTrue(e.getMessage().contains("foreign server \"s2\""), e.getMessage());
            assertTrue(e.getSQLState().startsWith("08") || e.getSQLState().startsWith("57P"),
                    e.getSQLState() + ": " + e.getMessage());
            assertTrue(e.getMessage().contains("SQLSTATE " + e.getSQLState()), e.getMessage());
            assertEquals(0, epochStatementsAfter(s1, 10_000), "statements left running on s1");
            String log = awaitLogSince(s1, logged, "canceling statement due to user request");
            assertTrue(log.contains("canceling statement due to user request"), "s1's train_epoch was cancelled: "
                    + log);
            assertNoModel(s, "killed");
        } finally {
            pool.shutdownNow();
            s2.start();
        }
    }

    /**
     * A role that may read the partitioned table but cannot connect to its servers was told "Check that the server
     * is up and this user has a user mapping for it" whatever was missing: the user mapping, USAGE on the foreign
     * server, or the password a role that is not a superuser needs. Each now has the hint that names its fix.
     */
    @Test
    @Order(8)
    void aRoleThatCannotConnectToAServerIsToldWhatIsMissing() throws SQLException {
        try (Connection c = coordinator.connect(DB); Statement s = c.createStatement()) {
            s.execute("DROP ROLE IF EXISTS analyst");
            s.execute("CREATE ROLE analyst");
            s.execute("GRANT SELECT ON dist, dist_1, dist_2 TO analyst");
            String train = "SELECT * FROM train_sgd('dist', 'label', 'features', model_name => 'analysts')";
            s.execute("SET ROLE analyst");
            SQLException noMapping = assertThrows(SQLException.class, () -> s.executeQuery(train));
            s.execute("RESET ROLE");
            s.execute("CREATE USER MAPPING FOR analyst SERVER s1 OPTIONS (user 'postgres')");
            s.execute("CREATE USER MAPPING FOR analyst SERVER s2 OPTIONS (user 'postgres')");
            s.execute("SET ROLE analyst");
            SQLException noUsage = assertThrows(SQLException.class, () -> s.executeQuery(train));
            s.execute("RESET ROLE");
            s.execute("GRANT USAGE ON FOREIGN SERVER s1, s2 TO analyst");
            s.execute("SET ROLE analyst");
            SQLException noPassword = assertThrows(SQLException.class, () -> s.executeQuery(train));
            s.execute("RESET ROLE");
            for (SQLException e : List.of(noMapping, noUsage, noPassword)) {
                System.out.println("analyst: " + e.getSQLState() + " " + e.getMessage());
                assertTrue(e.getMessage().contains("foreign server \"s1\""), e.getMessage());
            }
            assertEquals("42704", noMapping.getSQLState(), noMapping.getMessage());
            assertTrue(noMapping.getMessage().contains(
                    "CREATE USER MAPPING FOR analyst SERVER s1 OPTIONS (user ..., password ...)."), noMapping.getMessage());
            assertEquals("42501", noUsage.getSQLState(), noUsage.getMessage());
            assertTrue(noUsage.getMessage().contains("GRANT USAGE ON FOREIGN SERVER s1 TO analyst."),
                    noUsage.getMessage());
            assertEquals("2F003", noPassword.getSQLState(), noPassword.getMessage());
            assertTrue(noPassword.getMessage().contains(
                    "ALTER USER MAPPING FOR analyst SERVER s1 OPTIONS (ADD password ...)."), noPassword.getMessage());
            assertNoModel(s, "analysts");
            s.execute("DROP USER MAPPING FOR analyst SERVER s1");
            s.execute("DROP USER MAPPING FOR analyst SERVER s2");
            s.execute("DROP OWNED BY analyst");
            s.execute("DROP ROLE analyst");
        }
    }

    /** Waits until both servers run a train_epoch statement. */
    private static void awaitRunningOnServers() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        // a training epoch, not the short profile round before epoch 1: a cancel that lands between the two rounds
        // finds no statement on the servers to cancel
        while (trainingEpochs(s1) == 0 || trainingEpochs(s2) == 0) {
            assertTrue(System.nanoTime() < deadline, "the servers never ran train_epoch");
            Thread.sleep(50);
        }
    }

    /** Backends of {@code server} inside a training epoch (the activity train_epoch reports, not the profile). */
    private static int trainingEpochs(LocalCluster server) throws SQLException {
        try (Connection c = server.connect(DB); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
                     + "AND query LIKE 'corgipile train_epoch: epoch %' AND pid <> pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static int epochStatements(LocalCluster server) throws SQLException {
        try (Connection c = server.connect(DB); Statement s = c.createStatement();
             // the statement, or what the running train_epoch reports instead of it (pg_stat_activity.query)
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
                     + "AND (query LIKE '%corgipile.train_epoch(%' OR query LIKE 'corgipile train_epoch:%') "
                     + "AND pid <> pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Running train_epoch statements once they are gone, or after {@code waitMs}. */
    private static int epochStatementsAfter(LocalCluster server, long waitMs) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
        int n;
        while ((n = epochStatements(server)) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        return n;
    }

    private static int logLines(LocalCluster server) throws IOException {
        return Files.readAllLines(server.logFile()).size();
    }

    /** The server log after its first {@code lines} lines. */
    private static String logSince(LocalCluster server, int lines) throws IOException {
        List<String> all = Files.readAllLines(server.logFile());
        return String.join("\n", all.subList(Math.min(lines, all.size()), all.size()));
    }

    /**
     * The server log after its first {@code lines} lines, once it contains {@code text} or after 10 s: the backend
     * hands its log lines to the logging collector, which writes them a moment after the statement has ended.
     */
    private static String awaitLogSince(LocalCluster server, int lines, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String log = logSince(server, lines);
        while (!log.contains(text) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            log = logSince(server, lines);
        }
        return log;
    }

    private static void assertNoModel(Statement s, String name) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM corgipile.models WHERE name = '" + name + "'")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "no model row for " + name);
        }
    }
}
