package org.corgipile.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import javax.sql.DataSource;

import org.corgipile.testsupport.PostgresTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * train_sgd, sgd_evaluate and scan_stats on a partitioned table: every leaf partition is read by the heap reader
 * (the empty default partition is skipped), blocks are shuffled across partitions, and each partition's own
 * privileges and row-level security are checked like a table's.
 *
 * <p>{@code parts} holds the rows of the label-clustered table {@code flat} split by id range into three
 * partitions (so the first partition is mostly label 0, the last mostly label 1), plus an empty default partition.
 */
@PostgresTest(extension = true)
class PartitionedTableIT {
    private static final int ROWS = 12_000;

    @BeforeAll
    static void tables(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            TestTables.clustered(c, "flat", ROWS, 8, 0.4);
            s.execute("CREATE TABLE parts (id int, label int, features float8[]) PARTITION BY RANGE (id)");
            // flat is stored by (label, id): renumber ids in storage order so the partitions split the clustering
            s.execute("CREATE TABLE parts_1 PARTITION OF parts FOR VALUES FROM (0) TO (4000)");
            s.execute("CREATE TABLE parts_2 PARTITION OF parts FOR VALUES FROM (4000) TO (8000)");
            s.execute("CREATE TABLE parts_3 PARTITION OF parts FOR VALUES FROM (8000) TO (" + ROWS + ")");
            s.execute("CREATE TABLE parts_rest PARTITION OF parts DEFAULT");
            s.execute("INSERT INTO parts SELECT row_number() OVER (ORDER BY label, id) - 1, label, features "
                    + "FROM flat ORDER BY label, id");
            s.execute("VACUUM ANALYZE parts");
            s.execute("DROP ROLE IF EXISTS corgipile_parts_user");
            s.execute("CREATE ROLE corgipile_parts_user");
            s.execute("GRANT SELECT ON parts, parts_1, parts_2, parts_3, parts_rest TO corgipile_parts_user");
            s.execute("CREATE TABLE guarded_parts (id int, label int, features float8[]) PARTITION BY LIST (label)");
            s.execute("CREATE TABLE guarded_0 PARTITION OF guarded_parts FOR VALUES IN (0)");
            s.execute("CREATE TABLE guarded_1 PARTITION OF guarded_parts FOR VALUES IN (1)");
            s.execute("INSERT INTO guarded_parts SELECT id, label, features FROM flat");
            s.execute("ALTER TABLE guarded_1 ENABLE ROW LEVEL SECURITY");
            s.execute("GRANT SELECT ON guarded_parts, guarded_0, guarded_1 TO corgipile_parts_user");
        }
    }

    @AfterAll
    static void dropRole(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE parts, guarded_parts");
            s.execute("DROP ROLE corgipile_parts_user");
        }
    }

    /**
     * Every strategy reads every row of every partition each epoch (mrs samples: about as many as on one table) and
     * ends where the same strategy ends on the same rows in one table; the model row names the parent, and
     * sgd_evaluate on the parent reads every partition too.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"corgipile", "block_only", "none", "shuffle_once", "epoch_shuffle", "sliding_window",
            "mrs"})
    void everyStrategyTrainsOverAllPartitions(String shuffle, DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("SET client_min_messages = warning");
            long[] flatTuples = new long[1];
            double flat = train(s, "flat", shuffle, null, flatTuples);
            long[] partsTuples = new long[1];
            double parts = train(s, "parts", shuffle, "parts_" + shuffle, partsTuples);
            if (shuffle.equals("mrs")) {
                assertEquals(flatTuples[0], partsTuples[0], 0.1 * flatTuples[0], "mrs samples as on one table");
            } else {
                assertEquals(ROWS, partsTuples[0], shuffle + ": every row of every partition in every epoch");
            }
            assertEquals(flat, parts, 0.05, shuffle + ": accuracy over the partitions vs the same rows in one table");
            try (ResultSet rs = s.executeQuery("SELECT m.source_relation, e.value FROM corgipile.models m, "
                    + "sgd_evaluate('parts_" + shuffle + "', 'parts', 'label', 'features') e "
                    + "WHERE m.name = 'parts_" + shuffle + "' AND e.metric = 'accuracy'")) {
                assertTrue(rs.next());
                assertEquals("parts", rs.getString(1));
                assertEquals(parts, rs.getDouble(2), 1e-9, "sgd_evaluate on the parent = the last epoch's accuracy");
            }
        }
    }

    /** Final accuracy of 3 epochs; {@code tuples[0]}: tuples of every epoch (asserted equal across epochs). */
    private static double train(Statement s, String relation, String shuffle, String modelName, long[] tuples)
            throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT tuples, accuracy FROM train_sgd('" + relation + "', 'label', "
                + "'features', shuffle => '" + shuffle + "', epochs => 3, learning_rate => 0.01, block_size => 4, "
                + "seed => 7, options => '{\"train_metrics\": \"pass\"}'"
                + (modelName == null ? "" : ", model_name => '" + modelName + "'") + ") ORDER BY epoch")) {
            int epochs = 0;
            double accuracy = Double.NaN;
            while (rs.next()) {
                epochs++;
                if (!shuffle.equals("mrs")) {
                    assertTrue(epochs == 1 || tuples[0] == rs.getLong(1), shuffle + ": same tuples every epoch");
                }
                tuples[0] = rs.getLong(1);
                accuracy = rs.getDouble(2);
            }
            assertEquals(3, epochs);
            return accuracy;
        }
    }

    @Test
    void blocksAreShuffledAcrossPartitionsLikeTheSameRowsInOneTable(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("SET client_min_messages = warning");
            double parts = finalAccuracy(s, "parts", "corgipile");
            double flat = finalAccuracy(s, "flat", "corgipile");
            double none = finalAccuracy(s, "parts", "none");
            assertTrue(Math.abs(parts - flat) < 0.02, "partitioned " + parts + " vs one table " + flat);
            assertTrue(none < parts - 0.05, "storage order over clustered partitions " + none + " vs " + parts);
        }
    }

    /** The paper's learning rate and no iterate averaging, so that storage order shows (averaging smooths it out). */
    private static double finalAccuracy(Statement s, String relation, String shuffle) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT accuracy FROM train_sgd('" + relation + "', 'label', 'features', "
                + "shuffle => '" + shuffle + "', epochs => 3, learning_rate => 0.1, block_size => 4, seed => 3, "
                + "options => '{\"train_metrics\": \"pass\", \"average\": false}') "
                + "ORDER BY epoch DESC LIMIT 1")) {
            assertTrue(rs.next());
            return rs.getDouble(1);
        }
    }

    @Test
    void scanStatsAndValidationReadEveryPartition(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("SET client_min_messages = warning");
            try (ResultSet rs = s.executeQuery("SELECT (st->>'tuples')::bigint, (st->>'label_sum')::float8, "
                    + "(SELECT sum(label) FROM parts) FROM corgipile.scan_stats('parts', 'label', 'features') st")) {
                assertTrue(rs.next());
                assertEquals(ROWS, rs.getLong(1));
                assertEquals(rs.getDouble(3), rs.getDouble(2), 1e-9);
            }
            try (ResultSet rs = s.executeQuery("SELECT validation_accuracy FROM train_sgd('flat', 'label', "
                    + "'features', epochs => 2, learning_rate => 0.01, block_size => 4, seed => 1, "
                    + "validation_relation => 'parts') ORDER BY epoch DESC LIMIT 1")) {
                assertTrue(rs.next());
                assertTrue(rs.getDouble(1) > 0.8, "validation over the partitions: " + rs.getDouble(1));
            }
        }
    }

    @Test
    void eachPartitionsPrivilegesAreChecked(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("SET client_min_messages = warning");
            s.execute("SET ROLE corgipile_parts_user");
            try {
                // with SELECT on the parent and every partition, the role trains
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM train_sgd('parts', 'label', 'features', "
                        + "epochs => 1, block_size => 4)")) {
                    assertTrue(rs.next());
                    assertEquals(1, rs.getInt(1));
                }
                s.execute("RESET ROLE");
                s.execute("REVOKE SELECT ON parts_2 FROM corgipile_parts_user");
                s.execute("SET ROLE corgipile_parts_user");
                assertDenied(s, "train_sgd('parts', 'label', 'features', epochs => 1)", "parts_2");
                assertDenied(s, "train_sgd('parts', 'label', 'features', shuffle => 'shuffle_once', epochs => 1)",
                        "parts_2");
                assertDenied(s, "corgipile.scan_stats('parts', 'label', 'features')", "parts_2");
                s.execute("RESET ROLE");
                s.execute("GRANT SELECT ON parts_2 TO corgipile_parts_user");
                s.execute("REVOKE SELECT ON parts FROM corgipile_parts_user");
                s.execute("SET ROLE corgipile_parts_user");
                assertDenied(s, "train_sgd('parts', 'label', 'features', epochs => 1)", "parts");
                // row-level security on one partition: refused, as on a table
                assertDenied(s, "train_sgd('guarded_parts', 'label', 'features', epochs => 1)", "guarded_1");
            } finally {
                s.execute("RESET ROLE");
                s.execute("GRANT SELECT ON parts, parts_2 TO corgipile_parts_user");
            }
        }
    }

    /**
     * Bug: a bad value in a partition was named by the partition alone when the reader found it (relation
     * "bad_nan_2", a table the user did not pass) and by its tuple alone when the input guard did ("the label of tuple
     * (0,4) is 2", a position in one of several partitions). Both now name the partition read and the partitioned
     * table the user passed; so for the children of a table with inheritance children.
     */
    @Test
    void aBadValueInAPartitionNamesThePartitionAndThePartitionedTable(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            for (String t : List.of("bad_nan", "bad_label")) {
                s.execute("CREATE TABLE " + t + " (id int, label int, features float8[]) PARTITION BY RANGE (id)");
                s.execute("CREATE TABLE " + t + "_1 PARTITION OF " + t + " FOR VALUES FROM (0) TO (10)");
                s.execute("CREATE TABLE " + t + "_2 PARTITION OF " + t + " FOR VALUES FROM (10) TO (20)");
            }
            s.execute("INSERT INTO bad_nan SELECT i, i % 2, ARRAY[i, CASE WHEN i = 12 THEN 'NaN'::float8 ELSE 1 END] "
                    + "FROM generate_series(0, 19) i");
            s.execute("INSERT INTO bad_label SELECT i, CASE WHEN i = 13 THEN 2 ELSE i % 2 END, ARRAY[i, 1] "
                    + "FROM generate_series(0, 19) i");
            SQLException nan = assertThrows(SQLException.class, () -> s.executeQuery("SELECT * FROM train_sgd("
                    + "'bad_nan', 'label', 'features', epochs => 1)"));
            assertEquals("22000", nan.getSQLState(), nan.getMessage());
            assertTrue(nan.getMessage().startsWith("ERROR: features \"features\" of tuple (0,3) of relation "
                    + "\"bad_nan_2\" (part of \"bad_nan\") contain NaN or Infinity"), nan.getMessage());
            SQLException label = assertThrows(SQLException.class, () -> s.executeQuery("SELECT * FROM train_sgd("
                    + "'bad_label', 'label', 'features', epochs => 1)"));
            assertEquals("22000", label.getSQLState(), label.getMessage());
            assertTrue(label.getMessage().startsWith("ERROR: label \"label\" of tuple (0,4) of relation "
                    + "\"bad_label_2\" (part of \"bad_label\") is 2, not a binary label"), label.getMessage());
            // a table with inheritance children is read with them: a child's row names the child and the table
            s.execute("CREATE TABLE bad_inh (id int, label int, features float8[])");
            s.execute("CREATE TABLE bad_inh_child () INHERITS (bad_inh)");
            s.execute("INSERT INTO bad_inh SELECT i, i % 2, ARRAY[i, 1] FROM generate_series(0, 9) i");
            s.execute("INSERT INTO bad_inh_child SELECT i, CASE WHEN i = 12 THEN 2 ELSE i % 2 END, ARRAY[i, 1] "
                    + "FROM generate_series(10, 19) i");
            SQLException child = assertThrows(SQLException.class, () -> s.executeQuery("SELECT * FROM train_sgd("
                    + "'bad_inh', 'label', 'features', epochs => 1)"));
            assertTrue(child.getMessage().startsWith("ERROR: label \"label\" of tuple (0,3) of relation "
                    + "\"bad_inh_child\" (part of \"bad_inh\") is 2, not a binary label"), child.getMessage());
            s.execute("UPDATE bad_inh_child SET label = 0 WHERE id = 12");
            s.execute("INSERT INTO bad_inh VALUES (20, 3, '{1, 1}')");
            SQLException own = assertThrows(SQLException.class, () -> s.executeQuery("SELECT * FROM train_sgd("
                    + "'bad_inh', 'label', 'features', epochs => 1)"));
            assertTrue(own.getMessage().startsWith("ERROR: label \"label\" of tuple (0,11) of relation "
                    + "\"bad_inh\" is 3, not a binary label"), own.getMessage());
            s.execute("DROP TABLE bad_nan, bad_label, bad_inh CASCADE");
        }
    }

    private static void assertDenied(Statement s, String call, String relation) {
        SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT * FROM " + call));
        assertEquals("42501", e.getSQLState(), call + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(relation), call + " names " + relation + ": " + e.getMessage());
    }
}
