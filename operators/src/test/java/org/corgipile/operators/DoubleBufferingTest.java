package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.corgipile.operators.model.Model;
import org.junit.jupiter.api.Test;

/**
 * The threading contract of {@link Trainer}: the source is only ever called from the calling thread, SGD runs on
 * one other thread, failures on either side surface on the calling thread, and no thread outlives {@code train}.
 */
class DoubleBufferingTest {
    private static final SyntheticData DATA = SyntheticData.logistic(20_000, 10, 4, 5, false);

    /** A CPU gradient that records its threads and can be told to fail or to be slow. */
    private static final class SpyProvider implements GradientProvider {
        final Set<Thread> threads = ConcurrentHashMap.newKeySet();
        final AtomicInteger calls = new AtomicInteger();
        volatile int failAt = -1;
        volatile long sleepMsPerCall;
        final AtomicBoolean sleeping = new AtomicBoolean();
        final AtomicInteger checksWhileSleeping = new AtomicInteger();

        @Override
        public String device() {
            return "spy";
        }

        @Override
        public String name() {
            return "spy";
        }

        @Override
        public BatchGradient create(Model model, FeatureShape shape, int maxBatchRows) {
            return (params, batch, from, to, grad) -> {
                threads.add(Thread.currentThread());
                if (calls.incrementAndGet() == failAt) {
                    throw new IllegalStateException("boom on the compute thread");
                }
                if (sleepMsPerCall > 0) {
                    sleeping.set(true);
                    try {
                        Thread.sleep(sleepMsPerCall);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    sleeping.set(false);
                }
                return model.lossAndGradient(params, batch, from, to, grad);
            };
        }
    }

    private static TrainSpec spec() {
        // no standardisation: its profile pass would take the interrupt checks the cancel test counts on
        return TrainSpec.builder().epochs(2).blockSize(4).bufferSize(0.1).seed(3).batchSize(16).standardize(false)
                .build();
    }

    @Test
    void sourceIsOnlyCalledFromTheCallingThreadAndSgdRunsOnAnother() {
        RecordingSource src = new RecordingSource(DATA.source(20));
        RecordingSource val = new RecordingSource(DATA.source(20));
        SpyProvider spy = new SpyProvider();
        Set<Thread> listenerThreads = ConcurrentHashMap.newKeySet();
        TrainResult r = Trainer.train(spec(), src, val, new EpochListener() {
            @Override
            public void epochStarted(int epoch, int epochs) {
                listenerThreads.add(Thread.currentThread());
            }

            @Override
            public void epochFinished(EpochStats stats) {
                listenerThreads.add(Thread.currentThread());
            }
        }, spy);
        Thread me = Thread.currentThread();
        assertEquals(Set.of(me), src.callers);
        assertEquals(Set.of(me), val.callers);
        assertEquals(Set.of(me), listenerThreads);
        assertEquals(1, spy.threads.size(), "one compute thread");
        Thread compute = spy.threads.iterator().next();
        assertNotEquals(me, compute);
        assertFalse(compute.isAlive(), "the compute thread is joined before train returns");
        assertEquals("spy:spy", r.model().params().get("device"));
        // 250 blocks read per epoch for training, and again for the metric pass; interrupts checked for each
        assertTrue(src.interruptChecks.get() >= src.reads.get(), src.interruptChecks + " checks, " + src.reads + " reads");
        assertTrue(src.reads.get() >= 2 * 250);
    }

    @Test
    void anExceptionOnTheComputeThreadIsRethrownOnTheCallingThread() {
        SpyProvider spy = new SpyProvider();
        spy.failAt = 100;
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Trainer.train(spec(), DATA.source(20), null, null, spy));
        assertEquals("boom on the compute thread", e.getMessage());
        for (Thread t : spy.threads) {
            assertFalse(t.isAlive());
        }
    }

    @Test
    void aCancelDuringReadingStopsTrainingAndJoinsTheComputeThread() {
        RecordingSource src = new RecordingSource(DATA.source(20));
        SpyProvider spy = new SpyProvider();
        src.onInterruptCheck = () -> {
            if (src.interruptChecks.get() == 120) {
                throw new TrainingException("57014", "canceling statement due to user request", null);
            }
        };
        TrainingException e = assertThrows(TrainingException.class,
                () -> Trainer.train(spec(), src, null, null, spy));
        assertEquals("57014", e.sqlState());
        assertFalse(spy.threads.isEmpty());
        for (Thread t : spy.threads) {
            assertFalse(t.isAlive());
        }
    }

    @Test
    void interruptsAreCheckedWhileWaitingForASlowComputeThread() {
        RecordingSource src = new RecordingSource(DATA.source(20));
        SpyProvider spy = new SpyProvider();
        spy.sleepMsPerCall = 400;
        src.onInterruptCheck = () -> {
            if (spy.sleeping.get()) {
                spy.checksWhileSleeping.incrementAndGet();
            }
        };
        // whole table in one buffer, one epoch, one batch per buffer: the reader waits ~400 ms per batch
        TrainSpec slow = TrainSpec.builder().epochs(1).bufferSize(1.0).batchSize(20_000).seed(3)
                .trainMetrics("running").build();
        Trainer.train(slow, src, null, null, spy);
        assertTrue(spy.checksWhileSleeping.get() >= 3,
                "checks while the compute thread was busy: " + spy.checksWhileSleeping);
    }

    @Test
    void aListenerFailureAlsoJoinsTheComputeThread() {
        SpyProvider spy = new SpyProvider();
        RuntimeException boom = new RuntimeException("listener");
        RuntimeException e = assertThrows(RuntimeException.class, () -> Trainer.train(spec(), DATA.source(20), null,
                new EpochListener() {
                    @Override
                    public void epochFinished(EpochStats stats) {
                        throw boom;
                    }
                }, spy));
        assertSame(boom, e);
        for (Thread t : spy.threads) {
            assertFalse(t.isAlive());
        }
    }
}
