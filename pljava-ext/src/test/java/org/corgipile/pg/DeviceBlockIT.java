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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.corgipile.operators.Sizing;
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
            // 300 random float8 (2.4 kB, incompressible) out of line, beside 1 kB of random text kept in the heap
            s.execute("DROP TABLE IF EXISTS db_toasted");
            s.execute("CREATE TABLE db_toasted AS SELECT (i % 2)::int AS label, (SELECT string_agg(md5((i * 32 + j)::text),"
                    + " '') FROM generate_series(1, 32) j) AS note, (SELECT array_agg(random()) FROM generate_series(1, "
                    + "300) k WHERE i > 0) AS features FROM generate_series(1, 6000) i");
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

    /**
     * Bug: the device rule skipped rows stored out of line (Fashion-MNIST kept 16-page blocks on the emulated hdd, a
     * heap request and a TOAST request of ~110 kB each per block): the device block now counts a block's bytes on
     * disk, heap and TOAST: rows mostly out of line (here 2.4 kB of TOAST beside 1 kB in the heap) get blocks of
     * twice the device block's bytes, fewer heap pages than the device block.
     */
    @Test
    void toastedRowsGetDeviceBlocksOfHeapAndToastBytes(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            long heap;
            long toast;
            try (ResultSet rs = s.executeQuery("SELECT pg_relation_size(oid) / 8192, pg_relation_size(reltoastrelid) "
                    + "/ 8192 FROM pg_class WHERE oid = 'db_toasted'::regclass")) {
                assertTrue(rs.next());
                heap = rs.getLong(1);
                toast = rs.getLong(2);
            }
            assertTrue(toast > heap, heap + " heap pages, " + toast + " TOAST pages");
            long stored = Math.round((double) (heap + toast) / heap * Sizing.PAGE_BYTES);
            long block = Sizing.deviceBlockPages(128, stored);
            assertTrue(block > 16 && block < 128 && block * stored >= 2 << 20, block + " pages of " + stored + " B");
            s.execute("SET client_min_messages = notice");
            List<String> notices = new ArrayList<>();
            assertEquals("128|" + block + "|134217728|", train(s, "db_toasted", "db_toasted",
                    "{\"device_block\": 128}", notices));
            assertTrue(notices.stream().anyMatch(n -> n.startsWith("block_size " + block + " pages (")
                    && n.contains("derived, at least " + block + " pages: rows mostly out of line, heap and TOAST "
                    + "two requests of twice the device's 128 pages")), notices::toString);
            // without a device block the table keeps the device-independent sizes
            notices.clear();
            assertEquals("0|16|67108864|", train(s, "db_toasted", "db_toasted_default", "{}", notices));
        }
    }

    /**
     * Bug: a budget too small for 64 blocks of the rule's 16 pages shrank the blocks of rows stored out of line
     * (Fashion-MNIST: 11 pages, each block a heap and a TOAST request of under 100 kB, 4-5x storage order's device
     * requests on the emulated ssd). Such rows keep 16 blocks per buffer of the largest size that fits instead.
     */
    @Test
    void toastedRowsThatTheBudgetWouldShrinkGetSixteenLargerBlocksPerBuffer(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("SET client_min_messages = notice");
            List<String> notices = new ArrayList<>();
            // 4 MB for both buffers: ~120 heap pages of ~17 kB decoded rows per buffer, 64 blocks of them would be 1 page
            String spec = train(s, "db_toasted", "db_toasted_budget", "{\"buffer_memory\": 4194304}", notices);
            int block = Integer.parseInt(spec.split("\\|")[1]);
            assertTrue(block >= 4 && block < 16, spec);
            String sizes = notices.stream().filter(n -> n.startsWith("block_size " + block + " pages (")).findFirst()
                    .orElseThrow(() -> new AssertionError(notices.toString()));
            assertTrue(sizes.contains("derived, rows out of line: 16 blocks per buffer, each a heap and a TOAST "
                    + "request"), sizes);
            Matcher buffered = Pattern.compile(", (\\d+) blocks, derived\\)")
                    .matcher(sizes);
            assertTrue(buffered.find(), sizes);
            int blocks = Integer.parseInt(buffered.group(1));
            assertTrue(blocks >= 16 && blocks < 32, sizes);
            // rows that fit their heap page keep 64 smaller blocks per buffer under the same budget
            notices.clear();
            assertEquals("0|1|1048576|", train(s, "db_big_budget", "{\"buffer_memory\": 1048576}", notices));
        }
    }

    /** device_block|block_size|buffer_memory|storage of the stored model's spec; the call's NOTICEs to notices. */
    private static String train(Statement s, String name, String options, List<String> notices)
            throws SQLException {
        return train(s, "db_big", name, options, notices);
    }

    private static String train(Statement s, String table, String name, String options, List<String> notices)
            throws SQLException {
        s.execute("DELETE FROM corgipile.models WHERE name = '" + name + "'");
        s.execute("SELECT count(*) FROM train_sgd('" + table + "', 'label', 'features', epochs => 1, seed => 3, "
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
