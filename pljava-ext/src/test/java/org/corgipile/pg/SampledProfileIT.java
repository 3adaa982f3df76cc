package org.corgipile.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import org.corgipile.testsupport.PostgresTest;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: standardisation's statistics come from a seeded sample of the table's pages (operators'
 * {@code DataProfile}: 32 runs of 32 pages, or on a seek-bound device runs of the device block) when the table is
 * larger than four samples (32 MB), read through the heap reader like a random block order; the stored mean and
 * deviation are close to the table's own, and the model as accurate.
 */
@PostgresTest(extension = true)
class SampledProfileIT {

    @Test
    void standardisationOfALargeClusteredTableComesFromASampleCloseToTheWholeTable(DataSource ds)
            throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("SET client_min_messages = warning");
            TestTables.clustered(c, "sampled_profile", 180_000, 20, 0.7);
            long pages = single(s, "SELECT relpages FROM pg_class WHERE relname = 'sampled_profile'");
            assertTrue(pages > 4 * 32 * 32, "larger than four samples: " + pages + " pages");
            s.execute("DELETE FROM corgipile.models WHERE name IN ('it_sampled', 'it_unscaled', 'it_device')");
            double accuracy = accuracy(s, "it_sampled", "{\"train_metrics\": \"pass\"}");
            double unscaled = accuracy(s, "it_unscaled", "{\"train_metrics\": \"pass\", \"standardize\": false}");
            // features are uniform(-1, 1) +- 0.25 by label: already on one scale, so standardisation with good
            // statistics changes nothing, with bad ones it would
            assertTrue(accuracy > 0.95, "sampled statistics: " + accuracy);
            assertEquals(unscaled, accuracy, 0.01, "against no standardisation: " + unscaled);
            assertTrue(single(s, "SELECT count(*) FROM corgipile.models, jsonb_array_elements(epoch_log) e "
                    + "WHERE name = 'it_sampled' AND (e->>'epoch')::int = 1 AND e ? 'profile_seconds'") == 1);
            // the sample as on a seek-bound device: device_block 128 (what the storage probe sets on the emulated
            // hdd) reads the same 8 MB as 8 runs of 128 pages
            double device = accuracy(s, "it_device", "{\"train_metrics\": \"pass\", \"device_block\": 128}");
            assertEquals(unscaled, device, 0.01, "device-block sample against no standardisation: " + device);
            double[][] exact = new double[2][20];
            try (ResultSet rs = s.executeQuery("SELECT k, avg(v), stddev_samp(v) FROM sampled_profile, "
                    + "unnest(features) WITH ORDINALITY AS u(v, k) GROUP BY k ORDER BY k")) {
                int k = 0;
                while (rs.next()) {
                    exact[0][k] = rs.getDouble(2);
                    exact[1][k] = rs.getDouble(3);
                    k++;
                }
                assertEquals(20, k);
            }
            for (String model : new String[] {"it_sampled", "it_device"}) {
                double[][] stored = new double[2][];
                try (ResultSet rs = s.executeQuery("SELECT feature_mean, feature_std FROM corgipile.models "
                        + "WHERE name = '" + model + "'")) {
                    assertTrue(rs.next());
                    stored[0] = doubles(rs.getArray(1));
                    stored[1] = doubles(rs.getArray(2));
                }
                int exactMeans = 0;
                for (int k = 0; k < 20; k++) {
                    assertEquals(exact[0][k], stored[0][k], 0.1 * exact[1][k], model + ": mean of feature " + k);
                    assertEquals(1, stored[1][k] / exact[1][k], 0.1, model + ": deviation of feature " + k);
                    exactMeans += Math.abs(exact[0][k] - stored[0][k]) < 1e-12 ? 1 : 0;
                }
                assertFalse(exactMeans == 20, model + ": the statistics are a sample's, not the whole table's");
            }
            s.execute("DELETE FROM corgipile.models WHERE name IN ('it_device')");
            s.execute("DELETE FROM corgipile.models WHERE name IN ('it_sampled', 'it_unscaled')");
            s.execute("DROP TABLE sampled_profile");
        }
    }

    private static double accuracy(Statement s, String name, String options) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT accuracy FROM train_sgd('sampled_profile', 'label', 'features', "
                + "epochs => 1, seed => 5, model_name => '" + name + "', options => '" + options + "')")) {
            assertTrue(rs.next());
            return rs.getDouble(1);
        }
    }

    private static long single(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next());
            return rs.getLong(1);
        }
    }

    private static double[] doubles(Array a) throws SQLException {
        Object[] o = (Object[]) a.getArray();
        double[] d = new double[o.length];
        for (int i = 0; i < o.length; i++) {
            d[i] = ((Number) o[i]).doubleValue();
        }
        return d;
    }
}
