package org.corgipile.operators;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Wraps a source and records which threads call it and how often interrupts are checked. */
final class RecordingSource implements BlockSource {
    final BlockSource inner;
    final Set<Thread> callers = ConcurrentHashMap.newKeySet();
    final AtomicInteger reads = new AtomicInteger();
    final AtomicInteger interruptChecks = new AtomicInteger();
    volatile Runnable onInterruptCheck = () -> { };

    RecordingSource(BlockSource inner) {
        this.inner = inner;
    }

    @Override
    public long pageCount() {
        callers.add(Thread.currentThread());
        return inner.pageCount();
    }

    @Override
    public FeatureShape shape() {
        callers.add(Thread.currentThread());
        return inner.shape();
    }

    @Override
    public int readPages(long firstPage, int pages, TupleBuffer into) {
        callers.add(Thread.currentThread());
        reads.incrementAndGet();
        return inner.readPages(firstPage, pages, into);
    }

    @Override
    public void checkInterrupts() {
        callers.add(Thread.currentThread());
        interruptChecks.incrementAndGet();
        onInterruptCheck.run();
    }
}
