package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The storage probe's cache: a timing stored is found again for every file on the same disk, this boot only. */
class StorageProbeCacheTest {
    @TempDir
    Path dir;

    @Test
    void aStoredTimingIsFoundForAnotherFileOnTheSameDisk() throws Exception {
        Path relation = Files.writeString(dir.resolve("16384"), "x");
        Path other = Files.writeString(dir.resolve("16390"), "y");
        StorageProbeCache cache = new StorageProbeCache(dir.resolve("corgipile_storage_probe"));
        assertTrue(cache.lookup(relation).isEmpty(), "nothing cached yet");
        StorageProbe.Timing t = new StorageProbe.Timing(1.0 / 150, 157286400, "150 IOPS, 150 MiB/s (timed: 6.1 ms)",
                127);
        Instant before = Instant.now();
        cache.store(relation, t);
        Optional<StorageProbeCache.Entry> hit = new StorageProbeCache(dir.resolve("corgipile_storage_probe"))
                .lookup(other);
        assertTrue(hit.isPresent(), "read back by a new cache over the same file");
        assertEquals(t, hit.get().timing());
        assertFalse(hit.get().measuredAt().isBefore(before.minusSeconds(1)), hit.get().toString());
        // the file holds the timing only, and no temporary file is left beside it
        try (var files = Files.list(dir)) {
            assertEquals(3, files.count());
        }
    }

    @Test
    void anEntryOfAnotherBootIsAMiss() {
        StorageProbe.Timing ssd = new StorageProbe.Timing(0.0001, 0, null, 0);
        String line = StorageProbeCache.format(ssd, Instant.parse("2026-11-30T20:00:00Z"), "boot-a");
        assertEquals(Optional.of(new StorageProbeCache.Entry(ssd, Instant.parse("2026-11-30T20:00:00Z"))),
                StorageProbeCache.parse(line, "boot-a"));
        assertTrue(StorageProbeCache.parse(line, "boot-b").isEmpty(), "a reboot (or another machine) probes again");
    }
}
