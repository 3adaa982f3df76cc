package org.corgipile.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import org.corgipile.cluster.LocalCluster;
import org.corgipile.testsupport.TestClusters;
import org.corgipile.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

/**
 * The JVM settings are superuser-only GUCs, and a JVM that cannot start is an ERROR (or at worst a FATAL for that
 * session), never a crash of the cluster.
 */
class JvmConfigurationIT {

    @Test
    void badJvmSettingsFailCleanlyAndOnlyForThatSession() throws Exception {
        try (LocalCluster cluster = TestClusters.start(List.of());
             TestDatabase db = TestDatabase.withExtension(cluster, "jvmconf")) {
            String started;
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                s.execute("CREATE ROLE plain LOGIN");
                try (ResultSet rs = s.executeQuery("SELECT pg_postmaster_start_time()::text")) {
                    rs.next();
                    started = rs.getString(1);
                }
            }

            // A missing libjvm: a clear error with a hint; nothing was started, so fixing the setting is enough.
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                s.execute("SET corgipile.libjvm_path = '/nonexistent/libjvm.so'");
                SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT corgipile.jvm_info()"));
                assertEquals("58P01", e.getSQLState(), e.getMessage());
                assertTrue(e.getMessage().contains("could not load the Java virtual machine"), e.getMessage());
                assertTrue(e.getMessage().contains("corgipile.libjvm_path"), "hint names the GUC: " + e.getMessage());
                s.execute("RESET corgipile.libjvm_path");
                try (ResultSet rs = s.executeQuery("SELECT corgipile.jvm_info()->>'java_version'")) {
                    rs.next();
                    assertTrue(rs.getString(1).startsWith("17"), rs.getString(1));
                }
            }

            // An option HotSpot rejects: this session gets an error (a JVM cannot be created twice in a process,
            // so later calls say so), the cluster does not restart.
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                s.execute("SET corgipile.jvm_options = '-XX:+NoSuchCorgipileOption'");
                SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT corgipile.jvm_info()"));
                assertEquals("58000", e.getSQLState(), e.getMessage());
                SQLException again = assertThrows(SQLException.class,
                        () -> s.executeQuery("SELECT corgipile.jvm_info()"));
                assertEquals("55000", again.getSQLState(), again.getMessage());
                try (ResultSet rs = s.executeQuery("SELECT 1")) {
                    assertTrue(rs.next());
                }
            }

            // Non-superusers cannot choose JVM settings.
            try (Connection c = java.sql.DriverManager.getConnection(db.jdbcUrl()
                    .replace("user=postgres", "user=plain")); Statement s = c.createStatement()) {
                s.executeQuery("SELECT corgipile.jvm_info()").close();
                SQLException e = assertThrows(SQLException.class, () -> s.execute("SET corgipile.max_heap = 64"));
                assertEquals("42501", e.getSQLState(), e.getMessage());
            }

            try (Connection c = db.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT pg_postmaster_start_time()::text, "
                         + "(corgipile.jvm_info()->>'max_heap_mb')::int")) {
                rs.next();
                assertEquals(started, rs.getString(1), "the cluster was not restarted");
                assertTrue(rs.getInt(2) > 100, "a new session starts its JVM with the defaults");
            }
            assertTrue(!cluster.logTail(300).contains("terminated by signal"), cluster.logTail(50));
        }
    }
}
