package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.function.LongUnaryOperator;

import org.junit.jupiter.api.Test;

/**
 * The storage probe's random-read phase ({@link StorageProbe#randomReads}) on simulated devices (a clock advanced by
 * each read's latency): it stops after {@value StorageProbe#MIN_RANDOM_READS} reads where the device is clearly not
 * seek-bound, and otherwise reads as long as before (200 ms or 256 reads), so a stall can only make it read more and
 * the decision ({@link StorageProbe#SEEK_BOUND_MS}) is the full window's. The device itself (O_DIRECT, the blkio
 * throttle) is bench's StorageProbeIT.
 */
class StorageProbeTest {
    private static final long MS = 1_000_000L;

    @Test
    void anSsdStopsAfterSixteenReads() throws IOException {
        double[] r = simulate(i -> 100_000L, true);
        assertEquals(StorageProbe.MIN_RANDOM_READS, (int) r[0]);
        assertEquals(0.0001, r[1], 1e-9);
    }

    @Test
    void aLoadedVirtualDiskBelowHalfTheBoundStopsAfterSixteenReads() throws IOException {
        double[] r = simulate(i -> 900_000L, true);
        assertEquals(StorageProbe.MIN_RANDOM_READS, (int) r[0]);
    }

    @Test
    void aStallKeepsReadingUntilTheMeanIsClearlyBelowTheBoundAndTheDecisionIsTheFullWindows() throws IOException {
        // the second read stalls 40 ms: 2.6 ms mean after 16 reads (seek-bound had it stopped there)
        LongUnaryOperator stall = i -> i == 1 ? 40 * MS : 100_000L;
        double[] early = simulate(stall, true);
        double[] full = simulate(stall, false);
        assertTrue(early[0] > StorageProbe.MIN_RANDOM_READS && early[0] < full[0], early[0] + " / " + full[0]);
        assertTrue(early[1] * 1e9 < StorageProbe.NOT_SEEK_BOUND_NANOS, "mean " + early[1]);
        assertFalse(early[1] * 1000 >= StorageProbe.SEEK_BOUND_MS);
        assertFalse(full[1] * 1000 >= StorageProbe.SEEK_BOUND_MS);
    }

    @Test
    void aDiskReadsForTheWholeWindowAsBefore() throws IOException {
        double[] r = simulate(i -> 8 * MS, true);
        assertEquals(25, (int) r[0]);
        assertEquals(0.008, r[1], 1e-9);
    }

    @Test
    void withoutEarlyStopAnSsdReadsTheMaximum() throws IOException {
        // a throttle of at most 500 IOPS without a byte limit: its first slice passes at once
        assertEquals(StorageProbe.MAX_RANDOM_READS, (int) simulate(i -> 100_000L, false)[0]);
        // 300 IOPS, 100 ms slices: 30 reads at once, then the rest of the slice for the 31st
        double[] burst = simulate(i -> i % 30 == 29 ? 100 * MS : 10_000L, false);
        assertTrue(burst[1] * 1000 >= StorageProbe.SEEK_BOUND_MS, "mean " + burst[1]);
    }

    /** {reads, mean seconds} of the random-read phase where read i takes latency.applyAsLong(i) ns. */
    private static double[] simulate(LongUnaryOperator latency, boolean stopEarly) throws IOException {
        return StorageProbe.randomReads(new StorageProbe.Device() {
            private long now;
            private int reads;

            @Override
            public void read() {
                now += latency.applyAsLong(reads++);
            }

            @Override
            public long nanoTime() {
                return now;
            }
        }, stopEarly);
    }
}
