package org.corgipile.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import javax.sql.DataSource;

import org.corgipile.testsupport.PostgresTest;
import org.junit.jupiter.api.Test;

/**
 * Issue 13's reader changes: heap_reader.c deforms a tuple only up to the last attribute it reads (a copy of the
 * tuple descriptor cut there), the native grows its exchange buffer by retrying a page that did not fit, and Java
 * (not C) decides when a range starts a block of a random order and counts the skipped rows.
 */
@PostgresTest(extension = true)
class HeapReaderDecodeIT {

    /** Columns before, between and after the ones read (NULLs, text, a dropped column) change no value read. */
    @Test
    void columnsAroundLabelAndFeaturesAreSkipped(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("SET client_min_messages = warning");
            s.execute("SELECT setseed(0.25)");
            s.execute("CREATE TABLE narrow AS SELECT (i % 2) AS label, "
                    + "ARRAY(SELECT random() + (i % 2) * 0.2 FROM generate_series(1, 12) WHERE i > 0) AS features, "
                    + "random() AS x1, random() AS x2 FROM generate_series(1, 4000) i ORDER BY i % 2");
            s.execute("CREATE TABLE wide (x1 float8, pad text, gone int, features float8[], mid text, label int, "
                    + "tail1 text, x2 float8, tail2 numeric, tail3 float8[])");
            s.execute("INSERT INTO wide SELECT x1, CASE WHEN random() < 0.5 THEN repeat('x', 40) END, 1, features, "
                    + "NULL, label, 'trailing', x2, NULL, ARRAY[1, 2, 3] FROM narrow");
            s.execute("ALTER TABLE wide DROP COLUMN gone");
            for (String features : new String[] {"features", "x1, x2", "x2"}) {
                assertEquals(stats(s, "narrow", features), stats(s, "wide", features), features);
            }
            assertEquals(4000L, stats(s, "wide", "x1, x2").get(0));
        }
    }

    private static List<Object> stats(Statement s, String table, String features) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT (j->>'tuples')::bigint, (j->>'label_sum')::float8, "
                + "(j->>'feature_sum')::float8, (j->>'dimension')::int FROM (SELECT corgipile.scan_stats('" + table
                + "', 'label', '" + features + "', 16) j) q")) {
            rs.next();
            return List.of(rs.getLong(1), rs.getDouble(2), rs.getDouble(3), rs.getInt(4));
        }
    }

    /**
     * Rows much larger than the 256 kB exchange buffer (TOASTed out of line, and compressed inline), NULL rows
     * between them: every value arrives (sums equal SQL's), NULL rows are counted once, in every shuffle order.
     */
    @Test
    void rowsLargerThanTheExchangeBufferAndCompressedArrays(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("SET client_min_messages = warning");
            s.execute("CREATE TABLE big (label int, features float8[])");
            // 70,000 doubles = 560 kB per row: random ones are stored out of line, constant ones compress inline
            s.execute("INSERT INTO big SELECT i % 2, ARRAY(SELECT CASE WHEN i % 3 = 0 THEN i ELSE random() END "
                    + "FROM generate_series(1, 70000) WHERE i > 0) FROM generate_series(1, 9) i");
            s.execute("INSERT INTO big VALUES (NULL, ARRAY(SELECT 1.0 FROM generate_series(1, 70000))), (1, NULL)");
            double expected;
            try (ResultSet rs = s.executeQuery("SELECT sum(x) FROM big, unnest(features) x WHERE label IS NOT NULL")) {
                rs.next();
                expected = rs.getDouble(1);
            }
            try (ResultSet rs = s.executeQuery("SELECT (j->>'tuples')::int, (j->>'skipped')::int, "
                    + "(j->>'feature_sum')::float8 FROM (SELECT corgipile.scan_stats('big', 'label', 'features', 1) j) q")) {
                rs.next();
                assertEquals(9, rs.getInt(1));
                assertEquals(2, rs.getInt(2));
                assertEquals(expected, rs.getDouble(3), Math.abs(expected) * 1e-12);
            }
            for (String shuffle : new String[] {"none", "corgipile"}) {
                try (ResultSet rs = s.executeQuery("SELECT tuples FROM train_sgd('big', 'label', 'features', "
                        + "shuffle => '" + shuffle + "', epochs => 2, block_size => 1, seed => 3) ORDER BY epoch")) {
                    while (rs.next()) {
                        assertEquals(9, rs.getLong(1), shuffle);
                    }
                }
            }
        }
    }
}
