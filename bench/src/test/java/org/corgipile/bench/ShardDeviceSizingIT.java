package org.corgipile.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.corgipile.bench.io.DeviceProfile;
import org.corgipile.bench.run.BenchServer;
import org.corgipile.operators.Sizing;
import org.corgipile.operators.StorageProbe;
import org.junit.jupiter.api.Test;

/**
 * Sharded training sizes every server's blocks for that server's own disk, as {@code train_sgd} on that server
 * would (pljava-ext's {@code DeviceSizing.resolve}, the one place for both paths): one {@code train_sgd} on a
 * coordinator over three servers, each holding a 40 MB shard, larger than one buffer of the default 64 MB budget:
 * <ul>
 *   <li>{@code hdd}: under a real blkio throttle (the bench's hdd, 150 IOPS and 150 MiB/s), its storage probe finds
 *       the disk seek-bound: blocks of its seek x bandwidth (1 MiB, in whole requests of the disk) and a budget of
 *       64 such blocks per buffer;</li>
 *   <li>{@code bare}: this machine's unthrottled (virtual) disk, not seek-bound when the machine is quiet: the
 *       device-independent blocks (else the blocks of its own probe);</li>
 *   <li>{@code pinned}: the same throttle, with the probe off ({@code -Dcorgipile.storage_probe=off}, what the test
 *       clusters set with {@code CORGIPILE_STORAGE_PROBE=off}): the device-independent blocks, nothing timed.</li>
 * </ul>
 * Bug: each server of a sharded call derived 512 kB blocks without its device (23 s per epoch on the scale-out
 * bench's hdd where one server's {@code train_sgd} took 16 s). Skipped without root or cgroup-v1 blkio, or where
 * the data directories refuse O_DIRECT (tmpfs: the probe measures nothing).
 */
class ShardDeviceSizingIT {
    private static final int ROWS = 360_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void eachShardGetsTheBlocksOfItsOwnDisk() throws Exception {
        DeviceProfile hdd = new DeviceProfile("sizing-hdd", false, 150, 150 * DeviceProfile.MB, "32MB");
        assumeTrue(BenchServer.unavailableReason(hdd).isEmpty(), "no blkio throttling here");
        List<BenchServer> servers = new ArrayList<>();
        try (BenchServer coordinator = BenchServer.start(DeviceProfile.memory(), List.of())) {
            servers.add(BenchServer.start(hdd, List.of()));
            servers.add(BenchServer.start(DeviceProfile.memory(), List.of()));
            servers.add(BenchServer.start(new DeviceProfile("sizing-pinned", false, 150, 150 * DeviceProfile.MB,
                    "32MB"), List.of("corgipile.jvm_options = '-Dcorgipile.storage_probe=off'")));
            List<String> names = List.of("hdd", "bare", "pinned");
            long pages = 0;
            Path hddFile = null;
            for (BenchServer server : servers) {
                try (Connection c = server.connect(); Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE shard AS SELECT i AS id, (i % 2)::int AS label, ARRAY[i % 7, i % 11, "
                            + "i % 13, i % 17, i % 19, i % 23, i % 29, i % 31]::float8[] AS features "
                            + "FROM generate_series(1, " + ROWS + ") i");
                    try (ResultSet rs = s.executeQuery("SELECT pg_relation_size('shard') / 8192, "
                            + "pg_relation_filepath('shard')")) {
                        rs.next();
                        pages = rs.getLong(1);
                        hddFile = hddFile != null ? hddFile : server.cluster().dataDir().resolve(rs.getString(2));
                    }
                }
            }
            assertFalse(Sizing.fitsOneBuffer(pages, Sizing.DEFAULT_BUFFER_MEMORY), pages + " pages");
            // timed from here, outside the throttle: only whether the file system allows O_DIRECT
            assumeTrue(StorageProbe.measure(hddFile).isPresent(), "no O_DIRECT on " + hddFile);
            try (Connection c = coordinator.connect(); Statement s = c.createStatement()) {
                s.execute("CREATE EXTENSION postgres_fdw");
                s.execute("CREATE EXTENSION dblink");
                s.execute("CREATE TABLE dist (id int, label int, features float8[]) PARTITION BY LIST ((id % 3))");
                for (int k = 0; k < 3; k++) {
                    s.execute("CREATE SERVER " + names.get(k) + " FOREIGN DATA WRAPPER postgres_fdw OPTIONS "
                            + "(host '127.0.0.1', port '" + servers.get(k).cluster().port() + "', dbname '"
                            + BenchServer.DATABASE + "')");
                    s.execute("CREATE USER MAPPING FOR CURRENT_USER SERVER " + names.get(k)
                            + " OPTIONS (user 'postgres')");
                    s.execute("CREATE FOREIGN TABLE dist_" + k + " PARTITION OF dist FOR VALUES IN (" + k
                            + ") SERVER " + names.get(k) + " OPTIONS (table_name 'shard')");
                }
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM train_sgd('dist', 'label', 'features', "
                        + "epochs => 1, seed => 3, model_name => 'sized')")) {
                    rs.next();
                }
                JsonNode sizes;
                try (ResultSet rs = s.executeQuery("SELECT epoch_log->0->'server_sizes', spec->'buffer_memory', "
                        + "spec->'device_block' FROM corgipile.models WHERE name = 'sized'")) {
                    rs.next();
                    sizes = JSON.readTree(rs.getString(1));
                    assertEquals("null", rs.getString(2), "no budget for every server in the stored spec");
                    assertEquals("null", rs.getString(3), "no device block for every server in the stored spec");
                }
                JsonNode onHdd = sizes.path("hdd");
                assertTrue(onHdd.path("storage").path("seek_bound").asBoolean(), sizes.toString());
                assertTrue(onHdd.path("storage").path("throttle").asText().contains("150 IOPS, 150 MiB/s"),
                        sizes.toString());
                // 1 MiB, the throttle's seek x bandwidth, in whole requests of the disk (StorageProbe)
                int device = onHdd.path("storage").path("device_block").asInt();
                assertTrue(device >= 64 && device <= 128, sizes.toString());
                assertEquals(device, onHdd.path("device_block").asInt(), sizes.toString());
                assertEquals(device, onHdd.path("block_size").asInt(), sizes.toString());
                assertEquals(Sizing.deviceBudget(Sizing.DEFAULT_BUFFER_MEMORY, device),
                        onHdd.path("buffer_memory").asLong(), sizes.toString());

                int independent = Sizing.of(0, 0, pages, Sizing.DEFAULT_BUFFER_MEMORY, Sizing.PAGE_BYTES, 0,
                        Sizing.PAGE_BYTES).blockPages();
                assertTrue(independent < device, "the device-independent block is smaller: " + independent);
                // the unthrottled disk is sized by its own probe: not seek-bound on a quiet machine (the
                // device-independent sizes); a busy one can time it seek-bound (3.7 ms seen while the whole suite ran
                // twice at once), and then its sizes are its own device block's, not the hdd's
                JsonNode bare = sizes.path("bare");
                if (!bare.path("storage").path("seek_bound").asBoolean()) {
                    assertEquals(0, bare.path("device_block").asInt(), sizes.toString());
                    assertEquals(independent, bare.path("block_size").asInt(), sizes.toString());
                    assertEquals(Sizing.DEFAULT_BUFFER_MEMORY, bare.path("buffer_memory").asLong(), sizes.toString());
                } else {
                    int own = bare.path("storage").path("device_block").asInt();
                    assertTrue(own > 0, sizes.toString());
                    assertEquals(own, bare.path("device_block").asInt(), sizes.toString());
                    assertEquals(own, bare.path("block_size").asInt(), sizes.toString());
                    assertEquals(Sizing.deviceBudget(Sizing.DEFAULT_BUFFER_MEMORY, own),
                            bare.path("buffer_memory").asLong(), sizes.toString());
                }

                JsonNode pinned = sizes.path("pinned");
                assertFalse(pinned.has("storage"), "the pinned server timed nothing: " + sizes);
                assertEquals(independent, pinned.path("block_size").asInt(), sizes.toString());
                assertEquals(Sizing.DEFAULT_BUFFER_MEMORY, pinned.path("buffer_memory").asLong(), sizes.toString());
            }
        } finally {
            servers.forEach(BenchServer::close);
        }
    }
}
