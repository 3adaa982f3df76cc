package org.corgipile.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import org.corgipile.testsupport.PostgresTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bug: an epoch ended at the first shuffle buffer whose pages held no visible tuple, so a table with a hole (DELETE
 * then VACUUM, or rows skipped for a NULL label) trained on part of its rows. Here the heap has, in storage order:
 * 10,000 live rows, 4,000 rows with a NULL label (whole blocks the reader skips), 12,000 rows deleted and vacuumed
 * (a long run of empty pages), 10,000 live rows. Every strategy must train on all 20,000 live rows every epoch.
 */
@PostgresTest(extension = true)
class EmptyPagesIT {
    private static final int LIVE = 20_000;

    @BeforeAll
    static void table(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS holed");
            s.execute("CREATE TABLE holed (id int, label int, features float8[]) WITH (autovacuum_enabled = off)");
            s.execute("INSERT INTO holed SELECT i, CASE WHEN i BETWEEN 10001 AND 14000 THEN NULL "
                    + "ELSE (i > 18000)::int END, ARRAY[(i > 18000)::int - 0.5 + (i % 7) / 10.0, (i % 13) / 13.0, "
                    + "1.0, -(i % 5) / 5.0] FROM generate_series(1, 36000) i ORDER BY i");
            s.execute("DELETE FROM holed WHERE id BETWEEN 14001 AND 26000");
            s.execute("VACUUM holed");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"corgipile", "block_only", "none", "shuffle_once", "epoch_shuffle", "sliding_window",
            "mrs"})
    void everyLiveRowIsTrainedOnEachEpoch(String shuffle, DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("SET client_min_messages = warning");
            try (ResultSet rs = s.executeQuery("SELECT pg_relation_size('holed') / 8192, "
                    + "count(*) FILTER (WHERE label IS NOT NULL) FROM holed")) {
                assertTrue(rs.next());
                assertTrue(rs.getLong(1) > 200, "the hole stays inside the heap: " + rs.getLong(1) + " pages");
                assertEquals(LIVE, rs.getLong(2));
            }
            // small blocks and a 5% buffer so that several whole buffers fall into the hole
            int reservoir = 1000;
            String buffer = shuffle.equals("mrs") ? Integer.toString(reservoir) : "0.05";
            int epochs = 0;
            try (ResultSet rs = s.executeQuery("SELECT epoch, tuples FROM train_sgd('holed', 'label', 'features', "
                    + "shuffle => '" + shuffle + "', epochs => 3, block_size => 4, buffer_size => " + buffer
                    + ", seed => 2) ORDER BY epoch")) {
                while (rs.next()) {
                    epochs++;
                    long expected = !shuffle.equals("mrs") ? LIVE
                            : epochs == 1 ? LIVE - reservoir : 2L * (LIVE - reservoir);
                    assertEquals(expected, rs.getLong("tuples"), shuffle + " epoch " + epochs);
                }
            }
            assertEquals(3, epochs);
            // and with the default sizes
            try (ResultSet rs = s.executeQuery("SELECT min(tuples), max(tuples) FROM train_sgd('holed', 'label', "
                    + "'features', shuffle => '" + shuffle + "', epochs => 2, seed => 3)")) {
                assertTrue(rs.next());
                if (!shuffle.equals("mrs")) {
                    assertEquals(LIVE, rs.getLong(1), shuffle + " with default sizes");
                    assertEquals(LIVE, rs.getLong(2), shuffle + " with default sizes");
                }
            }
        }
    }
}
