package org.corgipile.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import org.corgipile.testsupport.PostgresTest;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, memory per dimension: the trainer's two chunk buffers were pre-sized to 8192 tuples of every feature
 * (2 x 8192 x 8 bytes = 128 kB of heap per dimension, whatever the table or buffer size), so 40 rows of 6,000 features
 * exhausted the default 1 GB heap and 10k dimensions could not be trained at all. Memory is now O(buffer +
 * parameters). And a model too large for a Java array was a NegativeArraySizeException ("Please report a bug").
 */
@PostgresTest(extension = true)
class MemoryPerDimensionIT {

    @Test
    void fortyRowsOfSixThousandFeaturesExhaustedTheDefaultHeap(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            assertDefaultHeap(s);
            s.execute("SET client_min_messages = warning");
            s.execute("CREATE TABLE dims6k AS SELECT (i % 2) AS label, array_fill((i % 2)::float8 - 0.5, "
                    + "ARRAY[6000]) AS features FROM generate_series(1, 40) i");
            for (String shuffle : new String[] {"corgipile", "none", "epoch_shuffle", "sliding_window", "mrs"}) {
                try (ResultSet rs = s.executeQuery("SELECT count(*), max(accuracy) FROM train_sgd('dims6k', 'label', "
                        + "'features', epochs => 2, shuffle => '" + shuffle + "', options => '{\"train_metrics\": \"pass\"}')")) {
                    rs.next();
                    assertEquals(2, rs.getInt(1), shuffle);
                    assertTrue(rs.getDouble(2) > 0.9, shuffle + " learns: " + rs.getDouble(2));
                }
            }
        }
    }

    @Test
    void tenThousandDenseDimensionsTrainWithTheDefaultHeap(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            assertDefaultHeap(s);
            s.execute("SET client_min_messages = warning");
            s.execute("SELECT setseed(0.4)");
            s.execute("CREATE TABLE dims10k AS SELECT label, ARRAY(SELECT random() - 0.5 + (label - 0.5) * 0.2 "
                    + "FROM generate_series(1, 10000) WHERE i > 0) AS features "
                    + "FROM (SELECT i, i % 2 AS label FROM generate_series(1, 300) i) s");
            try (ResultSet rs = s.executeQuery("SELECT count(*), max(tuples), max(accuracy) FROM train_sgd('dims10k', "
                    + "'label', 'features', epochs => 3, model_name => 'dims10k_model', "
                    + "options => '{\"train_metrics\": \"pass\"}')")) {
                rs.next();
                assertEquals(3, rs.getInt(1));
                assertEquals(300, rs.getInt(2));
                assertTrue(rs.getDouble(3) > 0.9, "learns: " + rs.getDouble(3));
            }
            try (ResultSet rs = s.executeQuery("SELECT dimension FROM corgipile.models WHERE name = 'dims10k_model'")) {
                rs.next();
                assertEquals(10000, rs.getInt(1));
            }
        }
    }

    @Test
    void softmaxWith65536ClassesOn33kFeaturesWasANegativeArraySizeException(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE dims33k AS SELECT 0 AS label, array_fill(0.5::float8, ARRAY[33000]) AS features");
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT * FROM train_sgd('dims33k', "
                    + "'label', 'features', model => 'softmax', options => '{\"classes\": 65536}')"));
            assertEquals("54000", e.getSQLState(), e.getMessage());
            assertTrue(e.getMessage().contains("2162753536 parameters"), e.getMessage());
            assertTrue(!e.getMessage().contains("report a bug"), e.getMessage());
            s.execute("CREATE TABLE dims140k AS SELECT 0 AS label, array_fill(0.5::float8, ARRAY[140000]) AS features");
            SQLException mlp = assertThrows(SQLException.class, () -> s.executeQuery("SELECT * FROM train_sgd("
                    + "'dims140k', 'label', 'features', model => 'mlp', options => '{\"hidden\": [16384]}')"));
            assertEquals("54000", mlp.getSQLState(), mlp.getMessage());
        }
    }

    private static void assertDefaultHeap(Statement s) throws SQLException {
        s.executeQuery("SELECT corgipile.jvm_info()").close();   // loads the library, which defines the GUC
        try (ResultSet rs = s.executeQuery("SELECT current_setting('corgipile.max_heap')")) {
            rs.next();
            assertEquals("1GB", rs.getString(1), "the default heap");
        }
    }
}
