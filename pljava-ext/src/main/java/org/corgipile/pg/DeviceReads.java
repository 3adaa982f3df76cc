package org.corgipile.pg;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Bytes this backend has read from the storage device: {@code read_bytes} of {@code /proc/self/io} (reads the page
 * cache served are not in it). The epoch logs of one server ({@link TrainFunction}) and of each server of sharded
 * training ({@link TrainEpochFunction}) report its difference over a pass, so a benchmark can show that a cold pass
 * read the table from the device.
 */
final class DeviceReads {
    private static final Path PROC_IO = Path.of("/proc/self/io");

    private DeviceReads() {
    }

    /** The backend's {@code read_bytes} so far, or -1 when unknown (no /proc: not Linux, or no permission). */
    static long soFar() {
        try {
            for (String line : Files.readAllLines(PROC_IO)) {
                if (line.startsWith("read_bytes:")) {
                    return Long.parseLong(line.substring("read_bytes:".length()).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // the epoch rows just lack device_read_bytes
        }
        return -1;
    }

    /** The bytes read since {@code before} (a {@link #soFar()} value), or -1 when either is unknown. */
    static long since(long before) {
        long now = soFar();
        return now < 0 || before < 0 ? -1 : now - before;
    }
}
