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
 *
 * <p>{@link #requestsSoFar} adds the read requests where the backend sits in a cgroup-v1 blkio group (the
 * benchmark's emulated ssd/hdd: {@code blkio.throttle.io_serviced} of the group the postmaster was moved into), so a
 * slow cold epoch can be told apart: more, smaller requests, or the same requests waiting longer. The group's count
 * is the whole server's (during a training call nearly all the training backend's) and another counter than the
 * bytes (a few requests can land in the neighbouring epoch). Unknown (-1) outside such a group.
 */
final class DeviceReads {
    private static final String PROC_IO = "/proc/self/io";
    private static final String FIELD = "read_bytes:";
    private static final String PROC_CGROUP = "/proc/self/cgroup";
    private static final String BLKIO = "/sys/fs/cgroup/blkio";

    private DeviceReads() {
    }

    /** The backend's {@code read_bytes} so far, or -1 when unknown (no /proc: not Linux, or no permission). */
    static long soFar() {
        String io = read(PROC_IO);
        return io == null ? -1 : readBytes(io); // unknown: the epoch rows just lack device_read_bytes
    }

    /** The value of the {@code read_bytes:} line of {@code /proc/<pid>/io} text, or -1 when there is none. */
    static long readBytes(byte[] text, int length) {
        return readBytes(new String(text, 0, length, StandardCharsets.ISO_8859_1));
    }

    private static long readBytes(String text) {
        String io = "\n" + text;
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

    /**
     * The {@code blkio.throttle.io_serviced} file of the backend's cgroup-v1 blkio group, or null when the backend is
     * in no blkio group other than the root (whose counters are the whole machine's). Looked up once per training
     * call, so a backend outside such a group (warm profiles, production) reads nothing more per epoch.
     */
    static String requestsFile() {
        String group = null;
        for (String line : lines(read(PROC_CGROUP))) {
            // "7:blkio:/corgipile-hdd-1234" (cgroup v1: id, controllers, path)
            int a = line.indexOf(':');
            int b = a < 0 ? -1 : line.indexOf(':', a + 1);
            if (b > a && (',' + line.substring(a + 1, b) + ',').contains(",blkio,")) {
                group = line.substring(b + 1);
            }
        }
        return group == null || group.equals("/") || group.isEmpty() ? null
                : BLKIO + group + "/blkio.throttle.io_serviced";
    }

    /** Read requests of the group so far (a {@link #requestsFile()}), or -1 when unknown (no file, no Read line). */
    static long requestsSoFar(String file) {
        String serviced = file == null ? null : read(file);
        return serviced == null ? -1 : readRequests(serviced);
    }

    /** The sum of the "Read" lines of {@code blkio.throttle.io_serviced} text ("8:0 Read 42"), -1 when none. */
    static long readRequests(String serviced) {
        long sum = -1;
        for (String line : lines(serviced)) {
            String[] f = line.trim().split(" ");
            if (f.length == 3 && f[1].equals("Read")) {
                try {
                    sum = Math.max(sum, 0) + Long.parseLong(f[2]);
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return sum;
    }


    private static String[] lines(String text) {
        return text == null ? new String[0] : text.split("\n");
    }

    /** A small file's text (Latin-1), or null when it cannot be read. */
    private static String read(String path) {
        byte[] b = new byte[4096];
        int n = 0;
        try (FileInputStream in = new FileInputStream(path)) {
            for (int r; n < b.length && (r = in.read(b, n, b.length - n)) > 0; ) {
                n += r;
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return new String(b, 0, n, StandardCharsets.ISO_8859_1);
    }

    /** The bytes read since {@code before} (a {@link #soFar()} value), or -1 when either is unknown. */
    static long since(long before) {
        long now = soFar();
        return now < 0 || before < 0 ? -1 : now - before;
    }
}
