package org.corgipile.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.Test;

/**
 * A persistent LocalCluster, as the launcher keeps its clusters ({@code ./corgipile db}, {@code cluster up N}): created once, its data and its
 * port kept across stop and start, left running when the handle is closed, removed by destroy.
 */
class PersistentClusterIT {

    @Test
    void keepsItsDataAndPortUntilDestroyed() throws Exception {
        Path home = LocalCluster.parentFor(osUser()).resolve("corgipile-persistent-" + ProcessHandle.current().pid());
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (LocalCluster first = LocalCluster.persistent(home, port)) {
            assertEquals(port, first.port());
            query(first, "CREATE TABLE kept AS SELECT 42 AS answer");
        }
        LocalCluster running = LocalCluster.existing(home);
        assertEquals(42, query(running, "SELECT answer FROM kept"), "closing a persistent handle leaves it running");
        running.stop();
        assertThrows(SQLException.class, () -> running.connect("postgres").close());

        LocalCluster again = LocalCluster.persistent(home, port + 1);
        assertEquals(port, again.port(), "the port its configuration remembers");
        assertEquals(42, query(again, "SELECT answer FROM kept"));
        assertTrue(Files.exists(home.resolve("data/PG_VERSION")));
        again.destroy();
        assertFalse(Files.exists(home));
    }

    private static int query(LocalCluster cluster, String sql) throws SQLException {
        try (Connection c = cluster.connect("postgres"); Statement s = c.createStatement()) {
            if (!s.execute(sql)) {
                return -1;
            }
            try (ResultSet rs = s.getResultSet()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static String osUser() {
        return "root".equals(System.getProperty("user.name"))
                ? System.getenv().getOrDefault("CORGIPILE_PG_OS_USER", LocalCluster.DEFAULT_OS_USER) : null;
    }
}
