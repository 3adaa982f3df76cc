package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

    /**
     * The calling thread reads the next epoch's first buffer while SGD finishes the epoch's last one: when epoch 1
     * is reported, part of epoch 2 has been read. A metrics pass between the epochs runs after that read, with the
     * one buffer left, and changes nothing in training: the model is bit for bit the one without the pass, and the
     * pass's own loss is what the model gives.
     */
    @Test
    void theNextEpochsFirstBufferIsReadWhileSgdFinishesTheLastOne() {
        TrainSpec running = TrainSpec.builder().epochs(3).blockSize(4).bufferSize(0.5).seed(3).batchSize(16)
                .standardize(false).trainMetrics("running").build();
        RecordingSource src = new RecordingSource(DATA.source(20));
        int[] readsAtEpochEnd = new int[4];
        TrainResult r = Trainer.train(running, src, null, new EpochListener() {
            @Override
            public void epochFinished(EpochStats stats) {
                readsAtEpochEnd[stats.epoch()] = src.reads.get();
            }
        });
        // 1,000 pages in blocks of 4: 250 blocks per epoch, buffers of 125 blocks
        assertEquals(250 + 125, readsAtEpochEnd[1], "epoch 2's first buffer was read before epoch 1 ended");
        assertEquals(2 * 250 + 125, readsAtEpochEnd[2]);
        assertEquals(3 * 250, readsAtEpochEnd[3], "the last epoch reads no further");

        RecordingSource plain = new RecordingSource(DATA.source(20));
        int[] plainReads = new int[4];
        TrainResult p = Trainer.train(running.with("train_metrics", "pass"), plain, null, new EpochListener() {
            @Override
            public void epochFinished(EpochStats stats) {
                plainReads[stats.epoch()] = plain.reads.get();
            }
        });
        assertEquals(250 + 125 + 250, plainReads[1], "training, epoch 2's first buffer, the metrics pass");
        assertEquals(3 * 250 + 3 * 250, plainReads[3]);
        assertArrayEquals(p.model().parameters(), r.model().parameters());
        for (int e = 0; e < 3; e++) {
            assertEquals(p.epochs().get(e).extra().get("running_loss"), r.epochs().get(e).loss());
        }
    }

    /**
     * The read-ahead across epochs changes nothing in training: three epochs of one run give bit for bit the weights
     * of three single-epoch rounds chained by hand (a round reads nothing ahead).
     */
    @Test
    void readingAheadAcrossEpochsGivesTheModelOfEpochsRunOneByOne() {
        TrainSpec spec = TrainSpec.builder().epochs(3).blockSize(4).bufferSize(0.5).seed(3).batchSize(16)
                .standardize(false).average(false).build();
        TrainResult whole = Trainer.train(spec, DATA.source(20), null, null);
        double[] params = null;
        for (int epoch = 1; epoch <= 3; epoch++) {
            params = Trainer.trainRound(spec, DATA.source(20),
                    new Trainer.Resume(params, spec.seed(), null, null, 0, epoch)).iterate();
        }
        assertArrayEquals(params, whole.model().parameters());
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
