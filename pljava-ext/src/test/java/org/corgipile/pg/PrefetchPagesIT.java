package org.corgipile.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import org.corgipile.testsupport.PostgresTest;
import org.junit.jupiter.api.Test;

/**
 * {@code corgipile.prefetch_pages} only decides how many pages of the next block range the reader hands to
 * PrefetchBuffer: it is user-settable, range-checked, and never changes what is read (same seed, same losses).
 */
@PostgresTest(extension = true)
class PrefetchPagesIT {

    @Test
    void prefetchDepthDoesNotChangeTheTrainingAndIsRangeChecked(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("SET client_min_messages = warning");
            s.execute("SELECT setseed(0.5)");
            // ~27 rows per page: about 110 pages, i.e. ~28 blocks of 4 pages in random order
            s.execute("CREATE TABLE pf AS SELECT i AS id, (i % 2) AS label, "
                    + "ARRAY(SELECT random() + (i % 2) * 0.1 FROM generate_series(1, 30) WHERE i > 0) AS features "
                    + "FROM generate_series(1, 3000) i ORDER BY i % 2");
            s.execute("LOAD 'corgipile'");
            assertEquals("0", show(s), "default: no PrefetchBuffer");

            List<Double> reference = losses(s, "block_only");
            List<Double> referenceCorgi = losses(s, "corgipile");
            for (String pages : new String[] {"1", "3", "131072"}) {
                s.execute("SET corgipile.prefetch_pages = " + pages);
                assertEquals(pages, show(s));
                assertEquals(reference, losses(s, "block_only"), "block_only, prefetch_pages = " + pages);
                assertEquals(referenceCorgi, losses(s, "corgipile"), "corgipile, prefetch_pages = " + pages);
            }

            for (String bad : new String[] {"-1", "131073"}) {
                SQLException e = assertThrows(SQLException.class,
                        () -> s.execute("SET corgipile.prefetch_pages = " + bad));
                assertEquals("22023", e.getSQLState(), e.getMessage());
                assertTrue(e.getMessage().contains("corgipile.prefetch_pages"), e.getMessage());
            }

            // PGC_USERSET: an ordinary role may tune it for its own session
            s.execute("DROP ROLE IF EXISTS corgipile_prefetch_user");
            s.execute("CREATE ROLE corgipile_prefetch_user");
            s.execute("SET ROLE corgipile_prefetch_user");
            s.execute("SET corgipile.prefetch_pages = 16");
            assertEquals("16", show(s));
            s.execute("RESET ROLE");
            s.execute("DROP ROLE corgipile_prefetch_user");
        }
    }

    private static String show(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SHOW corgipile.prefetch_pages")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static List<Double> losses(Statement s, String shuffle) throws SQLException {
        List<Double> out = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("SELECT loss FROM train_sgd('pf', 'label', 'features', shuffle => '"
                + shuffle + "', epochs => 2, learning_rate => 0.01, block_size => 4, seed => 7, "
                + "options => '{\"train_metrics\": \"running\"}') ORDER BY epoch")) {
            while (rs.next()) {
                out.add(rs.getDouble(1));
            }
        }
        assertEquals(2, out.size());
        return out;
    }
}
