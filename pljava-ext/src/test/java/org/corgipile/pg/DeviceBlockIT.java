package org.corgipile.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import org.corgipile.testsupport.PostgresTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * train_sgd's device-aware default block size, through SQL ({@link DeviceSizing}): {@code device_block} (what the
 * storage probe fills in on a seek-bound device) makes derived blocks at least that large, and the default budget
 * grows to 64 such blocks per buffer unless the session set {@code corgipile.buffer_memory}. The test cluster runs
 * with the probe off ({@code CORGIPILE_STORAGE_PROBE=off}, so no timing of CI's disk changes a result here): a
 * table larger than one buffer keeps the device-independent sizes and records no probe. The probe itself is
 * tested under the emulated hdd by bench's StorageProbeIT.
 */
@PostgresTest(extension = true)
class DeviceBlockIT {
    /** 48 MB: more than one buffer of the default 64 MB budget. */
    @BeforeAll
    static void tables(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("SET client_min_messages = warning");
            s.execute("DROP TABLE IF EXISTS db_big");
            s.execute("CREATE TABLE db_big AS SELECT (i % 2)::int AS label, ARRAY[i % 7, i % 11, i % 13, i % 17, "
                    + "i % 19, i % 23, i % 29, i % 31]::float8[] AS features FROM generate_series(1, 400000) i");
        }
    }

    @Test
    void deviceBlockGivesLargerBlocksAndTheDefaultBudgetHolds64OfThem(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("SET client_min_messages = notice");
            List<String> notices = new ArrayList<>();
            assertEquals("128|128|134217728|", train(s, "db_device", "{\"device_block\": 128}", notices));
            assertTrue(notices.contains("device_block 128 pages (given); buffer budget 128 MB (64 blocks per buffer, "
                    + "two buffers)"), notices::toString);
            assertTrue(notices.stream().anyMatch(n -> n.startsWith("block_size 128 pages (1.00 MB, derived, at least "
                    + "the device's 128 pages)")), notices::toString);

            // a session's buffer_memory is kept: 1 MB blocks, 32 of them per buffer
            s.execute("SET corgipile.buffer_memory = '64MB'");
            notices.clear();
            assertEquals("128|128|67108864|", train(s, "db_device_set", "{\"device_block\": 128}", notices));
            assertTrue(notices.contains("device_block 128 pages (given); buffer_memory 64.0 MB as set (fewer than 64 "
                    + "blocks per buffer when it is below 128 MB)"), notices::toString);
            assertTrue(notices.stream().anyMatch(n -> n.contains("32 blocks, derived")), notices::toString);
            s.execute("RESET corgipile.buffer_memory");
        }
    }

    @Test
    void withTheProbeOffALargeTableKeepsTheDeviceIndependentSizes(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("SET client_min_messages = notice");
            List<String> notices = new ArrayList<>();
            assertEquals("0|16|67108864|", train(s, "db_default", "{}", notices));
            assertTrue(notices.stream().anyMatch(n -> n.startsWith("block_size 16 pages (128 kB, derived)")),
                    notices::toString);
            assertFalse(notices.stream().anyMatch(n -> n.startsWith("storage:")), notices::toString);
        }
    }

    /** device_block|block_size|buffer_memory|storage of the stored model's spec; the call's NOTICEs to notices. */
    private static String train(Statement s, String name, String options, List<String> notices)
            throws SQLException {
        s.execute("DELETE FROM corgipile.models WHERE name = '" + name + "'");
        s.execute("SELECT count(*) FROM train_sgd('db_big', 'label', 'features', epochs => 1, seed => 3, "
                + "model_name => '" + name + "', options => '" + options + "')");
        for (SQLWarning w = s.getWarnings(); w != null; w = w.getNextWarning()) {
            notices.add(w.getMessage());
        }
        try (ResultSet rs = s.executeQuery("SELECT concat_ws('|', spec->>'device_block', spec->>'block_size', "
                + "spec->>'buffer_memory', coalesce(spec->>'storage', '')) FROM corgipile.models WHERE name = '"
                + name + "'")) {
            assertTrue(rs.next());
            return rs.getString(1);
        }
    }
}
