package org.corgipile.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Bug: a cluster's OS user could not reach a data directory under a 0700 parent ("initdb: could not access
 * directory ... Permission denied"). A private java.io.tmpdir must not keep a throwaway cluster from starting.
 */
class ClusterUnderPrivateTmpdirIT {

    @Test
    void clusterStartsWhenTmpdirIsPrivate() throws Exception {
        Path privateDir = Files.createTempDirectory("corgipile-private-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path tmp = Files.createDirectory(privateDir.resolve("tmp"));
        String saved = System.getProperty("java.io.tmpdir");
        System.setProperty("java.io.tmpdir", tmp.toString());
        try (LocalCluster cluster = LocalCluster.start(List.of());
             Connection c = cluster.connect("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT 6 * 7")) {
            rs.next();
            assertEquals(42, rs.getInt(1));
            if ("root".equals(System.getProperty("user.name"))) {   // the cluster runs as another OS user
                assertFalse(cluster.dataDir().startsWith(privateDir), cluster.dataDir().toString());
            }
        } finally {
            System.setProperty("java.io.tmpdir", saved);
            Files.deleteIfExists(tmp);
            Files.deleteIfExists(privateDir);
        }
    }

    @Test
    void privateDirectoryIsNotTraversable() throws Exception {
        Path privateDir = Files.createTempDirectory("corgipile-private-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            assertFalse(LocalCluster.traversableByOthers(privateDir));
            assertTrue(LocalCluster.traversableByOthers(Path.of("/tmp")));
        } finally {
            Files.deleteIfExists(privateDir);
        }
    }
}
