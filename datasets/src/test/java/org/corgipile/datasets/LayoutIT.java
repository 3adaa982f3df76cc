package org.corgipile.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
 * Physical layouts and the split, checked in storage order ({@code ORDER BY ctid}), which is what a
 * block-reading trainer sees.
 */
@PostgresTest
class LayoutIT {
    private final DataSource ds;

    LayoutIT(DataSource ds) {
        this.ds = ds;
    }

    @Test
    void clusteredIsSortedByLabelOnDiskAndSplitIsSeeded() throws Exception {
        try (Connection c = ds.getConnection()) {
            LoadReport r = DatasetLoader.load(c, "higgs-like", LoadOptions.defaults().rows(4000)
                    .layout(Layout.CLUSTERED).testFraction(0.25).table("hc"));
            assertEquals("hc_test", r.testTable());
            assertEquals(4000, r.rows());
            assertEquals(0.70, r.bestAccuracy(), 1e-12);
            long test = MalformedInputIT.count(c, "hc_test");
            assertEquals(test, r.testRows());
            assertEquals(4000, MalformedInputIT.count(c, "hc") + test);
            assertTrue(Math.abs(test - 1000) < 120, "about a quarter of the rows are test rows: " + test);
            List<Long> labels = column(c, "SELECT label FROM hc ORDER BY ctid");
            for (int i = 1; i < labels.size(); i++) {
                assertTrue(labels.get(i - 1) <= labels.get(i), "clustered: labels ascend on disk at " + i);
            }
            assertTrue(labels.contains(0L) && labels.contains(1L));
            assertEquals(28L, column(c, "SELECT array_length(features, 1) FROM hc LIMIT 1").get(0));
            assertEquals(0L, column(c, "SELECT count(*) FROM hc JOIN hc_test USING (id)").get(0), "disjoint split");
            // the same seed picks the same test rows
            DatasetLoader.load(c, "higgs-like", LoadOptions.defaults().rows(4000).testFraction(0.25).table("hc2"));
            assertEquals(column(c, "SELECT id FROM hc_test ORDER BY id"), column(c, "SELECT id FROM hc2_test ORDER BY id"));
            assertTrue(comment(c, "hc").contains("best achievable accuracy 0.7000"), comment(c, "hc"));
        }
    }

    @Test
    void shuffledIsARandomButReproducibleOrder() throws Exception {
        try (Connection c = ds.getConnection()) {
            DatasetLoader.load(c, "susy-like", LoadOptions.defaults().rows(2000).layout(Layout.SHUFFLED).table("s1"));
            DatasetLoader.load(c, "susy-like", LoadOptions.defaults().rows(2000).layout(Layout.SHUFFLED).table("s2"));
            DatasetLoader.load(c, "susy-like", LoadOptions.defaults().rows(2000).layout(Layout.SHUFFLED).seed(7)
                    .table("s3"));
            DatasetLoader.load(c, "susy-like", LoadOptions.defaults().rows(2000).table("s_natural"));
            List<Long> ids = column(c, "SELECT id FROM s1 ORDER BY ctid");
            assertEquals(ids, column(c, "SELECT id FROM s2 ORDER BY ctid"), "same seed, same order");
            assertNotEquals(ids, column(c, "SELECT id FROM s3 ORDER BY ctid"), "another seed, another order");
            List<Long> natural = column(c, "SELECT id FROM s_natural ORDER BY ctid");
            for (int i = 0; i < natural.size(); i++) {
                assertEquals(i + 1L, natural.get(i), "natural keeps source order");
            }
            // shuffled: ids on disk are far from sorted (a sorted list has 0 descents; random has ~n/2)
            int descents = 0;
            for (int i = 1; i < ids.size(); i++) {
                descents += ids.get(i) < ids.get(i - 1) ? 1 : 0;
            }
            assertTrue(descents > 800 && descents < 1200, "descents " + descents);
            // labels of the first tenth of the table are mixed, unlike the clustered layout
            List<Long> head = column(c, "SELECT label FROM s1 ORDER BY ctid LIMIT 200");
            assertTrue(head.contains(0L) && head.contains(1L));
        }
    }

    @Test
    void criteoLikeIsSparseWithAtMost39NonZeros() throws Exception {
        try (Connection c = ds.getConnection()) {
            LoadReport r = DatasetLoader.load(c, "criteo-like", LoadOptions.defaults().rows(3000).table("crit"));
            assertEquals(0.80, r.bestAccuracy(), 1e-12);
            assertEquals(0L, column(c, "SELECT count(*) FROM crit WHERE cardinality(indices) > 39 "
                    + "OR cardinality(indices) <> cardinality(vals)").get(0));
            assertEquals(0L, column(c, "SELECT count(*) FROM crit, unnest(indices) i WHERE i < 0 OR i >= 1000000")
                    .get(0));
            long positives = column(c, "SELECT count(*) FROM crit WHERE label = 1").get(0);
            // ~25% clicks by the teacher, then 20% of labels flipped: 0.25*0.8 + 0.75*0.2 = 0.35
            assertTrue(positives > 0.30 * 3000 && positives < 0.40 * 3000, "positives " + positives);
        }
    }

    private static String comment(Connection c, String table) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT obj_description('" + table + "'::regclass, 'pg_class')")) {
            rs.next();
            return rs.getString(1);
        }
    }

    static List<Long> column(Connection c, String sql) throws SQLException {
        List<Long> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
        }
        return out;
    }
}
