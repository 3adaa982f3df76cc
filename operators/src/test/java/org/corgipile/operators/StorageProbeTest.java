package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.function.LongUnaryOperator;

import org.junit.jupiter.api.Test;

/**
 * Issue 13: the storage probe's random-read phase ({@link StorageProbe#randomReads}) read for 200 ms whatever the
 * device (38 reads, 0.3 s on the emulated hdd; 256 reads on an SSD). It now stops once the mean is clearly on one
 * side of the seek bound, and a stall can only make it read more. Simulated devices: a clock advanced by each
 * read's latency. The device itself (O_DIRECT, the blkio throttle) is bench's StorageProbeIT.
 */
class StorageProbeTest {
    private static final long MS = 1_000_000L;

    @Test
    void anSsdStopsAfterSixteenReads() throws IOException {
        double[] r = simulate(i -> 100_000L, false);
        assertEquals(StorageProbe.MIN_RANDOM_READS, (int) r[0]);
        assertEquals(0.0001, r[1], 1e-9);
    }

    @Test
    void aLoadedVirtualDiskBelowHalfTheBoundStopsAfterSixteenReads() throws IOException {
        assertEquals(StorageProbe.MIN_RANDOM_READS, (int) simulate(i -> 900_000L, false)[0]);
    }

    @Test
    void aDiskStopsAfterSixteenReads() throws IOException {
        double[] r = simulate(i -> 8 * MS, false);
        assertEquals(StorageProbe.MIN_SEEK_BOUND_READS, (int) r[0]);
        assertEquals(0.008, r[1], 1e-9);
    }

    @Test
    void aStallOfAnSsdMakesItReadMoreAndDecidesAsTheWholeWindow() throws IOException {
        // the second read stalls 40 ms: 5 ms mean after 8 reads, 2.6 ms after 16; without it 0.1 ms
        LongUnaryOperator stall = i -> i == 1 ? 40 * MS : 100_000L;
        double[] r = simulate(stall, false);
        assertTrue(r[0] > StorageProbe.MIN_RANDOM_READS && r[0] < StorageProbe.MAX_RANDOM_READS, "reads " + r[0]);
        assertTrue(r[1] * 1000 < StorageProbe.SEEK_BOUND_MS, "mean " + r[1]);
        // the whole window (no early stop) decides the same
        assertTrue(simulate(stall, true)[1] * 1000 < StorageProbe.SEEK_BOUND_MS);
    }

    @Test
    void theHddThrottleIsSeekBoundAfterItsSecondHold() throws IOException {
        double[] r = simulateThrottle(150, true);
        assertTrue(r[1] * 1000 >= StorageProbe.SEEK_BOUND_MS, "mean " + r[1]);
        // 15 reads pass per 100 ms slice: the 16th and 31st wait for the next slice; stopped at the 31st (~200 ms)
        assertEquals(31, (int) r[0]);
    }

    @Test
    void aThrottleThatPassesMoreThanSixteenReadsAtOnceIsNotStoppedAsNotSeekBound() throws IOException {
        // 300 IOPS: 30 reads per slice pass at once; the sustained cost is 3.3 ms per read
        double[] r = simulateThrottle(300, true);
        assertTrue(r[1] * 1000 >= StorageProbe.SEEK_BOUND_MS, "mean " + r[1]);
        // what the limits prevent: the first 16 reads alone look like an SSD
        assertEquals(StorageProbe.MIN_RANDOM_READS, (int) simulateThrottle(300, false)[0]);
    }

    /** {reads, mean seconds} of the random-read phase where read i takes latency.applyAsLong(i) ns. */
    private static double[] simulate(LongUnaryOperator latency, boolean bursts) throws IOException {
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

            @Override
            public boolean burstsPastSixteenReads() {
                return bursts;
            }
        });
    }

    /** A blk-throttle of {@code iops} over a 50 us device: iops/10 reads per 100 ms slice, then a hold. */
    private static double[] simulateThrottle(int iops, boolean bursts) throws IOException {
        return StorageProbe.randomReads(new StorageProbe.Device() {
            private long now;
            private long sliceStart;
            private int inSlice;

            @Override
            public void read() {
                if (inSlice == iops / 10) {
                    now = sliceStart + 100 * MS;
                    sliceStart = now;
                    inSlice = 0;
                }
                inSlice++;
                now += 50_000L;
            }

            @Override
            public long nanoTime() {
                return now;
            }

            @Override
            public boolean burstsPastSixteenReads() {
                return bursts;
            }
        });
    }
}
