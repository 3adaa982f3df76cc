package org.corgipile.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import org.corgipile.cluster.LocalCluster;
import org.corgipile.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: the storage probe before the sizes (~0.2-0.4 s on the emulated hdd) was in no epoch log, so end-to-end
 * sums left it out; and every new session (every server of a sharded call) paid it again. The call that probes
 * reports its time as {@code probe_seconds} in epoch 1 of the epoch log; later calls, of this session or a new one,
 * read the result from the data directory's cache: no {@code probe_seconds}, {@code storage.probe} "cached".
 * {@code corgipile.storage_probe(relation, refresh => true)} times the device again (superusers only: the cached
 * timing sets every role's default sizes). A private cluster without {@code CORGIPILE_STORAGE_PROBE=off}: this
 * machine's disk is probed (only the presence of the time is asserted, never a size that depends on it).
 */
class ProbeSecondsIT {

    @Test
    void theProbesTimeIsEpochOnesProbeSecondsInTheCallThatProbedAndLaterSessionsReadTheCache() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(List.of());
             TestDatabase db = TestDatabase.withExtension(cluster, "probe")) {
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                s.execute("SET client_min_messages = warning");
                // larger than one buffer of the default budget (32 MB), so train_sgd probes
                TestTables.clustered(c, "probed", 180_000, 20, 0.7);
                train(s, "p1");
                assumeTrue(has(s, "p1", "spec ? 'storage'"), "the probe cannot run here (no O_DIRECT)");
                assertTrue(has(s, "p1", "(epoch_log->0->>'probe_seconds')::float8 > 0"), log(s, "p1"));
                assertTrue(has(s, "p1", "(spec->'storage'->>'probe_seconds')::float8 > 0"), log(s, "p1"));
                assertTrue(has(s, "p1", "spec->'storage'->>'probe' = 'measured'"), log(s, "p1"));
                // the reads it made: at least 16 whatever the device (StorageProbe's early stops)
                assertTrue(has(s, "p1", "(spec->'storage'->>'probe_reads')::int >= 16"), log(s, "p1"));
                train(s, "p2");
                assertFalse(has(s, "p2", "epoch_log->0 ? 'probe_seconds'"), "probed once: " + log(s, "p2"));
                assertTrue(has(s, "p2", "spec->'storage'->>'probe' = 'cached'"), log(s, "p2"));
                s.execute("CREATE ROLE prober LOGIN");
                s.execute("GRANT SELECT ON probed TO prober");
            }
            assertTrue(Files.exists(cluster.dataDir().resolve("corgipile_storage_probe")), "cached in the data dir");
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                train(s, "p3");
                assertFalse(has(s, "p3", "epoch_log->0 ? 'probe_seconds'"), "a new session reads the cache: "
                        + log(s, "p3"));
                assertTrue(has(s, "p3", "spec->'storage'->>'probe' = 'cached'"), log(s, "p3"));
                assertFalse(has(s, "p3", "spec->'storage' ? 'probe_reads'"), "a cached timing read nothing: "
                        + log(s, "p3"));
                assertEquals("cached", probe(s, "false").get("probe"));
                Map<String, Object> again = probe(s, "true");
                assertEquals("measured", again.get("probe"), again.toString());
                assertTrue(((Number) again.get("probe_reads")).intValue() >= 16, again.toString());
                assertTrue(((Number) again.get("probe_seconds")).doubleValue() > 0, again.toString());
                // another role reads the timing in use, but may not replace it
                s.execute("SET ROLE prober");
                assertEquals("cached", probe(s, "false").get("probe"));
                SQLException e = assertThrows(SQLException.class, () -> probe(s, "true"));
                assertEquals("42501", e.getSQLState(), e.getMessage());
            }
        }
    }

    private static Map<String, Object> probe(Statement s, String refresh) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT corgipile.storage_probe('probed', refresh => " + refresh + ")")) {
            rs.next();
            return Json.parseObject(rs.getString(1));
        }
    }

    private static void train(Statement s, String name) throws SQLException {
        s.execute("SELECT * FROM train_sgd('probed', 'label', 'features', epochs => 1, seed => 5, model_name => '"
                + name + "')");
    }

    private static boolean has(Statement s, String model, String condition) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM corgipile.models WHERE name = '" + model + "' AND "
                + condition)) {
            rs.next();
            return rs.getInt(1) == 1;
        }
    }

    private static String log(Statement s, String model) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT epoch_log->0 || jsonb_build_object('storage', spec->'storage') "
                + "FROM corgipile.models WHERE name = '" + model + "'")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
