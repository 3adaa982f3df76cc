package org.corgipile.pg;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Bytes this backend has read from the storage device: {@code read_bytes} of {@code /proc/self/io} (reads the page
 * cache served are not in it). The epoch logs of one server ({@link TrainFunction}) and of each server of sharded
 * training ({@link TrainEpochFunction}) report its difference over a pass, so a benchmark can show that a cold pass
 * read the table from the device.
 *
 * <p>Read four times per epoch on the reading thread, in code that runs too rarely to be compiled: one read of the
 * file's ~120 bytes into a byte array decoded as Latin-1 in one step, not a reader, a charset decoder and a string per
 * line (that took ~110 microseconds a call on the VM, ~0.45 ms of every epoch).
 */
final class DeviceReads {
    private static final String PROC_IO = "/proc/self/io";
    private static final String FIELD = "read_bytes:";

    private DeviceReads() {
    }

    /** The backend's {@code read_bytes} so far, or -1 when unknown (no /proc: not Linux, or no permission). */
    static long soFar() {
        byte[] b = new byte[1024];
        int n = 0;
        try (FileInputStream in = new FileInputStream(PROC_IO)) {
            for (int r; n < b.length && (r = in.read(b, n, b.length - n)) > 0; ) {
                n += r;
            }
        } catch (IOException | RuntimeException e) {
            return -1; // the epoch rows just lack device_read_bytes
        }
        return readBytes(b, n);
    }

    /** The value of the {@code read_bytes:} line of {@code /proc/<pid>/io} text, or -1 when there is none. */
    static long readBytes(byte[] text, int length) {
        String io = "\n" + new String(text, 0, length, StandardCharsets.ISO_8859_1);
        int at = io.indexOf("\n" + FIELD);
        if (at < 0) {
            return -1;
        }
        int from = at + 1 + FIELD.length();
        int end = io.indexOf('\n', from);
        try {
            return Long.parseLong(io.substring(from, end < 0 ? io.length() : end).trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The bytes read since {@code before} (a {@link #soFar()} value), or -1 when either is unknown. */
    static long since(long before) {
        long now = soFar();
        return now < 0 || before < 0 ? -1 : now - before;
    }
}
