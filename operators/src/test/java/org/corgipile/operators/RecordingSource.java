package org.corgipile.operators;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Wraps a source and records which threads call it and how often interrupts are checked. */
final class RecordingSource extends ForwardingBlockSource {
    final Set<Thread> callers = ConcurrentHashMap.newKeySet();
    final AtomicInteger reads = new AtomicInteger();
    final AtomicInteger interruptChecks = new AtomicInteger();
    volatile Runnable onInterruptCheck = () -> { };

    RecordingSource(BlockSource inner) {
        super(inner);
    }

    @Override
    public long pageCount() {
        callers.add(Thread.currentThread());
        return super.pageCount();
    }

    @Override
    public FeatureShape shape() {
        callers.add(Thread.currentThread());
        return super.shape();
    }

    @Override
    public int readPages(long firstPage, int pages, TupleBuffer into) {
        callers.add(Thread.currentThread());
        reads.incrementAndGet();
        return super.readPages(firstPage, pages, into);
    }

    @Override
    public void checkInterrupts() {
        callers.add(Thread.currentThread());
        interruptChecks.incrementAndGet();
        onInterruptCheck.run();
    }
}
