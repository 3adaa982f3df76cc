package org.corgipile.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

import javax.sql.DataSource;

import org.corgipile.cluster.LocalCluster;
import org.junit.jupiter.api.Test;

@PostgresTest
class HarnessIT {

    @Test
    void realServerStoresAndReturnsRows(DataSource ds) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE points (id int PRIMARY KEY, label int, features float8[])");
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO points VALUES (?, ?, ?)")) {
                for (int i = 0; i < 100; i++) {
                    ins.setInt(1, i);
                    ins.setInt(2, i % 2);
                    ins.setArray(3, c.createArrayOf("float8", new Double[] {i * 0.5, -i * 1.0}));
                    ins.addBatch();
                }
                ins.executeBatch();
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*), sum(label), sum(features[1]), max(features[2]) FROM points")) {
                assertTrue(rs.next());
                assertEquals(100, rs.getInt(1));
                assertEquals(50, rs.getInt(2));
                assertEquals(2475.0, rs.getDouble(3), 1e-9);
                assertEquals(0.0, rs.getDouble(4), 1e-9);
            }
            try (ResultSet rs = s.executeQuery("SELECT features FROM points WHERE id = 7")) {
                assertTrue(rs.next());
                Double[] f = (Double[]) rs.getArray(1).getArray();
                assertEquals(3.5, f[0]);
                assertEquals(-7.0, f[1]);
            }
        }
    }

    @Test
    void serverIsFifteenWithFsyncOffAndNotRunAsRoot(DataSource ds, LocalCluster cluster) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT current_setting('server_version_num')::int, current_setting('fsync')")) {
                assertTrue(rs.next());
                assertEquals(15, rs.getInt(1) / 10000);
                assertEquals("off", rs.getString(2));
            }
            try (ResultSet rs = s.executeQuery("SELECT pg_read_file('postmaster.pid') IS NOT NULL, current_setting('port')::int")) {
                assertTrue(rs.next());
                assertEquals(cluster.port(), rs.getInt(2));
            }
        }
        assertTrue(cluster.dataDir().toString().contains("corgipile-pg-"));
        assertFalse(cluster.logTail(5) == null);
    }

    @Test
    void eachTestClassGetsItsOwnDatabase(TestDatabase db) throws Exception {
        assertEquals("t_harnessit", db.name());
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_database()")) {
            assertTrue(rs.next());
            assertEquals("t_harnessit", rs.getString(1));
        }
    }
}
