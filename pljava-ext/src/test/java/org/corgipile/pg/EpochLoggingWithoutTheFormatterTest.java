package org.corgipile.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * Issue 13 (warm epoch's fixed costs): train_sgd's per-epoch logging on the reading thread (pg_stat_activity's
 * progress object, the epoch's device bytes) runs interpreted, once per epoch, and took ~2 ms of every epoch in a
 * trace: {@code String.format} ~100 microseconds a call for each rounded number, {@code Files.readAllLines} of
 * {@code /proc/self/io} ~110 microseconds, four times an epoch. The replacements must give the same values.
 */
class EpochLoggingWithoutTheFormatterTest {
    private static Double formatted(double v) {
        return Double.isFinite(v) ? Double.parseDouble(String.format(Locale.ROOT, "%.6g", v)) : null;
    }

    @Test
    void roundIsTheFormattersSixSignificantDigits() {
        double[] special = {0, -0.0, 1, 0.5, 1.5e-6, 1234565, 1.234565e-4, 0.1234565, 9.999995, 99999.95, 999999.5,
            1e-300, Double.MIN_VALUE, Double.MAX_VALUE, -0.0015, 2.5e-5};
        for (double v : special) {
            assertEquals(formatted(v), LiveActivity.round(v), "value " + v);
        }
        assertNull(LiveActivity.round(Double.NaN));
        assertNull(LiveActivity.round(Double.NEGATIVE_INFINITY));
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 60_000; i++) {
            double v = switch (i % 4) {
                case 0 -> r.nextDouble();
                case 1 -> Double.longBitsToDouble(r.nextLong() & 0x7fefffffffffffffL);
                case 2 -> Math.round(r.nextDouble() * 1e7) / 1e7 + 5e-8;
                default -> (r.nextInt(2_000_000) + 0.5) / Math.pow(10, r.nextInt(12));
            };
            v = r.nextBoolean() ? -v : v;
            assertEquals(formatted(v), LiveActivity.round(v), "value " + v);
        }
    }

    @Test
    void readBytesIsTheFieldOfProcIo() {
        String io = "rchar: 123456\nwchar: 789\nsyscr: 10\nsyscw: 3\nread_bytes: 8814592\nwrite_bytes: 4096\n"
                + "cancelled_write_bytes: 0\n";
        byte[] b = io.getBytes(StandardCharsets.US_ASCII);
        assertEquals(8814592L, DeviceReads.readBytes(b, b.length));
        byte[] none = "rchar: 1\nwchar: 2\n".getBytes(StandardCharsets.US_ASCII);
        assertEquals(-1L, DeviceReads.readBytes(none, none.length));
        byte[] cut = "rchar: 1\nread_bytes: ".getBytes(StandardCharsets.US_ASCII);
        assertEquals(-1L, DeviceReads.readBytes(cut, cut.length));
        byte[] first = "read_bytes: 0\n".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0L, DeviceReads.readBytes(first, first.length));
    }

    /** blkio.throttle.io_serviced of a cgroup-v1 group: the "Read" lines of every device add up; none is unknown. */
    @Test
    void readRequestsSumsTheReadLinesOfIoServiced() {
        String serviced = "254:0 Read 1200\n254:0 Write 7\n254:0 Sync 1207\n254:0 Async 0\n254:0 Discard 0\n"
                + "254:0 Total 1207\n8:0 Read 3\n8:0 Total 3\nTotal 1210\n";
        assertEquals(1203L, DeviceReads.readRequests(serviced));
        assertEquals(0L, DeviceReads.readRequests("254:0 Read 0\nTotal 0\n"));
        assertEquals(-1L, DeviceReads.readRequests("Total 0\n"));
        assertEquals(-1L, DeviceReads.readRequests(""));
    }

    /** Outside a blkio group of its own (the root group counts the whole machine) the requests are unknown. */
    @Test
    void requestsAreUnknownInTheRootBlkioGroup() throws Exception {
        Path cgroup = Path.of("/proc/self/cgroup");
        assumeTrue(Files.isReadable(cgroup), "no /proc/self/cgroup here");
        boolean root = Files.readAllLines(cgroup).stream().anyMatch(l -> l.matches("\\d+:([^:]*,)?blkio(,[^:]*)?:/"));
        assumeTrue(root, "this test process is in a blkio group of its own");
        assertNull(DeviceReads.requestsFile());
        assertEquals(-1L, DeviceReads.requestsSoFar(null));
    }

    @Test
    void soFarReadsThisProcesssReadBytes() throws Exception {
        Path io = Path.of("/proc/self/io");
        assumeTrue(Files.isReadable(io), "no /proc/self/io here");
        long before = -1;
        for (String line : Files.readAllLines(io)) {
            if (line.startsWith("read_bytes:")) {
                before = Long.parseLong(line.substring("read_bytes:".length()).trim());
            }
        }
        long now = DeviceReads.soFar();
        long after = -1;
        for (String line : Files.readAllLines(io)) {
            if (line.startsWith("read_bytes:")) {
                after = Long.parseLong(line.substring("read_bytes:".length()).trim());
            }
        }
        assertEquals(true, before >= 0 && before <= now && now <= after, before + " <= " + now + " <= " + after);
    }
}
