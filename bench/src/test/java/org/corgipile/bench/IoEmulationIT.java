package org.corgipile.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.corgipile.bench.io.BlkioThrottle;
import org.corgipile.bench.io.DeviceProfile;
import org.corgipile.bench.report.ResultFiles;
import org.corgipile.bench.run.BenchServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The I/O emulation works: under the hdd profile (cold caches, 150 IOPS) the same sequential scan is slower than
 * under memory, random-order 8 KB page reads are far slower than in-order ones, and the reads went through the
 * blkio group. Skipped without root or cgroup-v1 blkio. Ratios are generous: the measured ones are about 25x and
 * 200x.
 */
class IoEmulationIT {
    @TempDir
    Path out;

    @Test
    void hddProfileSlowsScansAndRandomReads() throws Exception {
        String why = BenchServer.unavailableReason(DeviceProfile.hdd(150, 150 * DeviceProfile.MB)).orElse(null);
        assumeTrue(why == null, "hdd profile unavailable here: " + why);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int exit = BenchCli.run(new String[] {"--profiles", "memory,hdd", "--layouts", "clustered", "--rows", "20000",
            "--strategies", "none", "--epochs", "1", "--engine", "jdbc-reference", "--probe-pages", "60",
            "--out", out.toString()}, new PrintStream(buf, true, StandardCharsets.UTF_8));
        String log = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, log);
        JsonNode profiles = new ObjectMapper().readTree(out.resolve(ResultFiles.JSON).toFile()).get("profiles");
        assertEquals(2, profiles.size(), log);
        JsonNode memory = profiles.get(0);
        JsonNode hdd = profiles.get(1);
        assertEquals("hdd", hdd.get("profile").get("name").asText());
        assertTrue(hdd.get("device").asText().matches("\\d+:\\d+"), hdd.toString());

        double memScan = probe(memory, "seq_scan").get("seconds").asDouble();
        double hddScan = probe(hdd, "seq_scan").get("seconds").asDouble();
        assertTrue(hddScan > 3 * memScan, "hdd scan " + hddScan + " s vs memory " + memScan + " s");

        JsonNode random = probe(hdd, "random_pages");
        JsonNode sequential = probe(hdd, "sequential_pages");
        assertEquals(random.get("pages").asLong(), sequential.get("pages").asLong());
        assertTrue(random.get("seconds").asDouble() > 5 * sequential.get("seconds").asDouble(),
                "random " + random + " vs sequential " + sequential);
        // every random page is its own request; in order, read-ahead merges them
        assertTrue(random.get("readRequests").asLong() >= random.get("pages").asLong() / 2, random.toString());
        assertTrue(sequential.get("readRequests").asLong() < random.get("readRequests").asLong() / 4,
                sequential.toString());
        assertTrue(probe(hdd, "seq_scan").get("bytesRead").asLong() > 0, "the scan bypassed the blkio group");

        assertFalse(Files.exists(BlkioThrottle.ROOT.resolve("corgipile-hdd")), "the blkio group was not removed");
    }

    private static JsonNode probe(JsonNode profile, String kind) {
        for (JsonNode p : profile.get("ioProbes")) {
            if (p.get("kind").asText().equals(kind)) {
                return p;
            }
        }
        throw new AssertionError("no probe " + kind + " in " + profile);
    }
}
