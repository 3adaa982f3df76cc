package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/**
 * Issue 13 (warm compute thread): while both buffers are with the compute thread ({@link DoubleBuffer#acquire}) or
 * it finishes its last one ({@link DoubleBuffer#awaitIdle}), the calling thread does the helper's work instead of
 * blocking (CorgiPile's shared gather). Here the compute thread's job can only finish after the helper ran a number
 * of times, so a wait that does not help never returns.
 */
class DoubleBufferHelpsWhileWaitingTest {
    private static final int HELPS = 5;

    @Test
    void acquireAndAwaitIdleHelpInsteadOfBlocking() {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            AtomicInteger helped = new AtomicInteger();
            CountDownLatch[] gate = {new CountDownLatch(HELPS)};
            try (DoubleBuffer db = new DoubleBuffer(FeatureShape.dense(2), 16, new InMemoryBlockSource(
                    FeatureShape.dense(2), 1))) {
                db.helpWhileWaiting(() -> {
                    helped.incrementAndGet();
                    gate[0].countDown();
                    return DoubleBuffer.Helper.HELPED;
                });
                CountDownLatch first = gate[0];
                db.submit(db.acquire(), b -> await(first));
                db.submit(db.acquire(), b -> {
                });
                // both buffers are busy: the first job waits for HELPS helps, which only this acquire can give
                assertNotNull(db.acquire());
                assertTrue(helped.get() >= HELPS, "helped " + helped.get());
                assertTrue(db.helpNanos() > 0 && db.helpNanos() <= db.waitNanos());
                int before = helped.get();
                gate[0] = new CountDownLatch(HELPS);
                CountDownLatch second = gate[0];
                db.submit(db.acquire(), b -> await(second));
                db.awaitIdle();
                assertTrue(helped.get() >= before + HELPS, "helped " + helped.get());
            }
        });
    }

    @Test
    void anIdleHelperIsNotSpunOn() {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            AtomicInteger asked = new AtomicInteger();
            try (DoubleBuffer db = new DoubleBuffer(FeatureShape.dense(2), 16, new InMemoryBlockSource(
                    FeatureShape.dense(2), 1))) {
                db.helpWhileWaiting(() -> {
                    asked.incrementAndGet();
                    return DoubleBuffer.Helper.IDLE;
                });
                CountDownLatch done = new CountDownLatch(1);
                db.submit(db.acquire(), b -> {
                    try {
                        done.await(300, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                long t0 = System.nanoTime();
                db.awaitIdle();
                long waitedMs = (System.nanoTime() - t0) / 1_000_000;
                // an idle helper is asked again only after a 50 ms poll: about once per 50 ms waited (~6 times in
                // 300 ms), not thousands of times
                assertTrue(asked.get() <= waitedMs / 50 + 3, "asked " + asked.get() + " in " + waitedMs + " ms");
                assertEquals(0, db.helpNanos());
            }
        });
    }

    private static void await(CountDownLatch gate) {
        try {
            gate.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
