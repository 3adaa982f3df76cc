package org.corgipile.operators;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The paper's double buffering, with the threads the other way round from the original C code: the calling
 * thread (inside PostgreSQL the backend's main thread, the only one allowed to call natives) fills buffer k+1 from
 * the source while ONE compute thread works on buffer k. The compute thread only ever touches the buffer it was
 * handed and the state of its work item; it never calls the source.
 *
 * <p>Two buffers circulate between a free queue and a work queue. Every wait on the calling thread is a 50 ms poll
 * followed by {@link BlockSource#checkInterrupts()} and a check for a failure on the compute thread, so a cancel
 * lands within ~50 ms and an exception on the compute thread is rethrown on the calling thread. {@link #close()}
 * stops and joins the compute thread, always, also after a failure.
 *
 * <p>Hand-off through the queues gives the happens-before edges: what the compute thread wrote while working on a
 * buffer is visible to the calling thread after {@link #awaitIdle()}, and vice versa for the next submission.
 */
final class DoubleBuffer implements AutoCloseable {
    private static final long POLL_MS = 50;
    private static final long POLL_NANOS = POLL_MS * 1_000_000;
    /** How long to wait when the helper has work soon but not now (the compute thread must free a slot first). */
    private static final long RETRY_NANOS = 20_000;

    /**
     * Work the calling thread does for the compute thread instead of blocking on it (corgipile's shuffled gather,
     * {@link SharedGather}): {@link #HELPED} after a piece of work, {@link #RETRY_SOON} when there will be some in
     * microseconds, {@link #IDLE} when there is none (then it blocks as before).
     */
    interface Helper {
        int HELPED = 0;
        int RETRY_SOON = 1;
        int IDLE = 2;

        int help();
    }

    private record Job(TupleBuffer buffer, Consumer<TupleBuffer> work) {
    }

    private static final Job STOP = new Job(null, null);

    private final BlockSource interrupts;
    private final BlockingQueue<TupleBuffer> free = new ArrayBlockingQueue<>(2);
    private final BlockingQueue<Job> work = new ArrayBlockingQueue<>(3);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread thread;
    private final Object lock = new Object();
    /** Buffers submitted and not yet worked on (guarded by {@code lock}). */
    private int pending;
    /** Calling thread only: time it spent blocked on the compute thread ({@link #acquire}, {@link #awaitIdle}). */
    private long waitNanos;
    /** Calling thread only: the part of {@link #waitNanos} spent helping the compute thread. */
    private long helpNanos;
    private Helper helper = () -> Helper.IDLE;

    DoubleBuffer(FeatureShape shape, int initialTuples, BlockSource interrupts) {
        this.interrupts = interrupts;
        free.add(new TupleBuffer(shape, initialTuples));
        free.add(new TupleBuffer(shape, initialTuples));
        thread = new Thread(this::run, "corgipile-sgd");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (true) {
            Job job;
            try {
                job = work.take();
            } catch (InterruptedException e) {
                return;
            }
            if (job == STOP) {
                return;
            }
            try {
                job.work().accept(job.buffer());
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
                synchronized (lock) {
                    lock.notifyAll();
                }
                return;
            }
            synchronized (lock) {
                free.add(job.buffer());
                pending--;
                lock.notifyAll();
            }
        }
    }

    /** While the calling thread waits for the compute thread, it does {@code work} (calling thread only). */
    void helpWhileWaiting(Helper work) {
        helper = work;
    }

    /** A buffer the calling thread may fill; waits (or helps) while both are being worked on. */
    TupleBuffer acquire() {
        rethrowFailure();
        TupleBuffer ready = free.poll();
        if (ready != null) {
            return ready;
        }
        long w0 = System.nanoTime();
        long checked = w0;
        try {
            while (true) {
                rethrowFailure();
                int helped = help();
                TupleBuffer b;
                try {
                    b = helped == Helper.HELPED ? free.poll()
                            : helped == Helper.RETRY_SOON ? free.poll(RETRY_NANOS, TimeUnit.NANOSECONDS)
                            : free.poll(POLL_MS, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw canceled();
                }
                if (b != null) {
                    return b;
                }
                checked = checkInterrupts(checked, helped == Helper.IDLE);
            }
        } finally {
            waitNanos += System.nanoTime() - w0;
        }
    }

    private int help() {
        long h0 = System.nanoTime();
        int helped = helper.help();
        if (helped == Helper.HELPED) {
            helpNanos += System.nanoTime() - h0;
        }
        return helped;
    }

    /** Checks for interrupts after a 50 ms poll, or when 50 ms passed since {@code checked}; the new mark. */
    private long checkInterrupts(long checked, boolean polled) {
        long now = System.nanoTime();
        if (polled || now - checked >= POLL_NANOS) {
            interrupts.checkInterrupts();
            return now;
        }
        return checked;
    }

    /** The part of {@link #waitNanos()} the calling thread spent helping the compute thread. */
    long helpNanos() {
        return helpNanos;
    }

    /**
     * Nanoseconds the calling thread has spent blocked on the compute thread so far: in {@link #acquire} while SGD
     * held both buffers, in {@link #awaitIdle} while SGD finished its last one, including the time it helped
     * ({@link #helpNanos()}). Read it on the calling thread.
     */
    long waitNanos() {
        return waitNanos;
    }

    /** Gives back a buffer that was acquired but not submitted. */
    void release(TupleBuffer b) {
        free.add(b);
    }

    /** Hands a filled buffer to the compute thread. */
    void submit(TupleBuffer b, Consumer<TupleBuffer> job) {
        rethrowFailure();
        synchronized (lock) {
            pending++;
        }
        work.add(new Job(b, job));
    }

    /**
     * Waits until the compute thread has finished every submitted buffer. The calling thread may hold a buffer it
     * acquired meanwhile (the trainer reads the next epoch's first buffer while SGD finishes this epoch's last).
     */
    void awaitIdle() {
        awaitUntil(() -> pending == 0);
    }

    /**
     * Waits (helping, like {@link #awaitIdle}) until {@code done} holds; {@code done} is evaluated under the lock
     * that {@link #signal()} and every finished buffer notify. For a state the compute thread sets inside a job
     * (the trainer's epoch boundary), which the calling thread needs before the job's buffer is done.
     */
    void awaitUntil(BooleanSupplier done) {
        long w0 = System.nanoTime();
        try {
            awaitUntimed(done);
        } finally {
            waitNanos += System.nanoTime() - w0;
        }
    }

    /** Wakes a calling thread in {@link #awaitUntil} to evaluate its condition again (compute thread). */
    void signal() {
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    private void awaitUntimed(BooleanSupplier done) {
        long checked = System.nanoTime();
        while (true) {
            rethrowFailure();
            int helped;
            synchronized (lock) {
                if (done.getAsBoolean()) {
                    return;
                }
            }
            helped = help();
            if (helped == Helper.RETRY_SOON) {
                LockSupport.parkNanos(RETRY_NANOS);
            } else if (helped == Helper.IDLE) {
                synchronized (lock) {
                    if (done.getAsBoolean()) {
                        return;
                    }
                    try {
                        lock.wait(POLL_MS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw canceled();
                    }
                    if (done.getAsBoolean()) {
                        continue;
                    }
                }
            }
            checked = checkInterrupts(checked, helped == Helper.IDLE);
        }
    }

    private void rethrowFailure() {
        Throwable t = failure.get();
        if (t == null) {
            return;
        }
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new TrainingException(TrainingException.INTERNAL_ERROR, "compute thread failed: " + t, null, t);
    }

    private static TrainingException canceled() {
        return new TrainingException(TrainingException.QUERY_CANCELED, "training was interrupted", null);
    }

    /** Stops and joins the compute thread (after the work already queued, or at once if it failed). */
    @Override
    public void close() {
        work.clear();
        work.add(STOP);
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
