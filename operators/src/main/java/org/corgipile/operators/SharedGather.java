package org.corgipile.operators;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The gather of a buffer whose tuple permutation is pending ({@link TupleBuffer#gatherDense}), shared between the
 * compute thread that trains on it and the reading thread while that one would otherwise wait for SGD.
 *
 * <p>Why: a warm CorgiPile epoch is bounded by the compute thread, and about half of that thread's time is the
 * gather (rows copied in shuffled order out of a buffer of up to 32 MB: a cache and TLB miss per row), while the
 * reading thread, done with the next buffer, blocks in {@link DoubleBuffer#acquire}. So the buffer is gathered in
 * chunks of whole mini-batches, and each chunk is claimed by whichever thread gets to it first: the compute thread
 * claims the chunk it needs next when nobody has; the reading thread ({@link #help()}, called by the double buffer
 * instead of blocking) claims the next unclaimed chunk ahead of it. Chunks land in a ring of S small buffers
 * (8 of ~128 kB; {@link #SLOT_BYTES} in all, one for larger chunks); the compute thread trains on chunk c from slot
 * {@code c % S}, so the reading thread runs at most S - 1 chunks ahead. Every chunk holds the same rows in the same order whoever copied it, so the
 * mini-batches and the model are bit for bit those of a gather on one thread.
 *
 * <p>Publication: a chunk's rows are written before its slot's ready flag (a volatile write) and read after it; a
 * slot is reused only after the compute thread's volatile count of consumed chunks passed it. A buffer's state is
 * a new {@link Job}; {@link Job#close()} makes a stale helper's claims fail and waits for a claimed chunk still
 * being copied, so no slot is written once the compute thread moved on. A closed job stays current (the helper
 * then polls every ~20 microseconds) until the next buffer's: the compute thread starts the next queued buffer
 * right after, and a helper that saw no job in between would block until that buffer was done.
 */
final class SharedGather {
    /** The slots' memory: 8 chunks of about 128 kB (the size of a core's L2 here); one slot for larger chunks. */
    static final long SLOT_BYTES = 1L << 20;

    /** Spin-wait iterations (~10-50 ns each) before a thread stops waiting for the other. */
    private static final int SPINS = 2000;

    private final TupleBuffer[] slots;
    /** The compute thread's copy of a chunk the helper is still copying (made when first needed). */
    private TupleBuffer spare;
    /** The buffer being trained on, or null: what {@link #help()} works on. */
    private volatile Job current;

    /**
     * A ring for chunks of {@code chunkRows} rows: at most 8 slots and {@link #SLOT_BYTES}; with one slot (chunks
     * of 1 MB or more: large mini-batches of wide rows) nobody helps, and the memory is that of a plain gather.
     */
    SharedGather(FeatureShape shape, int chunkRows) {
        long chunkBytes = 8L * (shape.dimension() + 2) * chunkRows;
        slots = new TupleBuffer[(int) Math.max(1, Math.min(8, SLOT_BYTES / chunkBytes))];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new TupleBuffer(shape, chunkRows);
        }
    }

    private TupleBuffer spare() {
        if (spare == null) {
            spare = new TupleBuffer(slots[0].shape(), 16);
        }
        return spare;
    }

    /** Starts sharing the gather of {@code buffer} (pending permutation) in chunks of {@code chunkRows} rows. */
    Job begin(TupleBuffer buffer, int chunkRows) {
        Job job = new Job(buffer, chunkRows);
        current = job;
        return job;
    }

    /**
     * Called by the reading thread instead of blocking: gathers one chunk ahead of the compute thread.
     *
     * @return {@link DoubleBuffer.Helper#HELPED}; {@link DoubleBuffer.Helper#RETRY_SOON} when every chunk is claimed
     *         or the ring is full (the compute thread frees a slot, or starts the next buffer, within microseconds);
     *         {@link DoubleBuffer.Helper#IDLE} before the first permuted buffer, or with a ring of one slot
     */
    int help() {
        Job job = current;
        return job == null || slots.length == 1 ? DoubleBuffer.Helper.IDLE : job.claimAhead();
    }

    /** One buffer's chunks. The compute thread calls {@link #take} for c = 0, 1, ... and then {@link #close}. */
    final class Job {
        private final TupleBuffer buffer;
        private final int chunkRows;
        private final int chunks;
        /** The next chunk to claim; {@link Integer#MAX_VALUE} once closed. */
        private final AtomicInteger next = new AtomicInteger();
        /** Slot c % S holds chunk c when this is c + 1. */
        private final AtomicIntegerArray ready = new AtomicIntegerArray(slots.length);
        /** The chunk the compute thread trains on: slots of earlier chunks may be written again. */
        private volatile int consumed;
        /** The chunk the helper is copying into its slot, or -1. */
        private volatile int inFlight = -1;

        private Job(TupleBuffer buffer, int chunkRows) {
            this.buffer = buffer;
            this.chunkRows = chunkRows;
            this.chunks = (int) ((buffer.size() + (long) chunkRows - 1) / chunkRows);
        }

        int chunks() {
            return chunks;
        }

        /**
         * Chunk {@code c} (the one after the last taken): from its slot when the helper copied it, else copied
         * now. A chunk the helper is still copying is copied again into a spare buffer rather than waited for
         * (the helper is the thread that lost its core when the machine is busy, and the compute thread bounds the
         * epoch); so is a chunk whose slot the helper is still writing with an earlier chunk.
         */
        TupleBuffer take(int c) {
            consumed = c; // the chunk before was trained on: its slot is free again
            int slot = c % slots.length;
            if (next.get() == c && next.compareAndSet(c, c + 1)) {
                int f = inFlight; // read after the claim: a chunk the helper claimed before is visible here
                TupleBuffer into = f >= 0 && f % slots.length == slot ? spare() : slots[slot];
                gather(c, into);
                return into;
            }
            for (int spins = 0; spins < SPINS; spins++) {
                if (ready.get(slot) == c + 1) {
                    return slots[slot];
                }
                Thread.onSpinWait();
            }
            TupleBuffer into = spare();
            gather(c, into);
            return into;
        }

        private int claimAhead() {
            int c = next.get();
            if (c >= chunks) {
                return DoubleBuffer.Helper.RETRY_SOON;
            }
            // the ring is full: the compute thread frees a slot about every chunk's SGD time (tens of
            // microseconds); wait for it here, briefly, rather than sleep through it
            for (int spins = 0; c >= consumed + slots.length; spins++) {
                if (spins >= SPINS || next.get() != c) {
                    return DoubleBuffer.Helper.RETRY_SOON;
                }
                Thread.onSpinWait();
            }
            inFlight = c; // before the claim, so that the compute thread sees it once the claim is visible
            try {
                if (next.compareAndSet(c, c + 1)) {
                    gather(c, slots[c % slots.length]);
                    ready.set(c % slots.length, c + 1);
                }
            } finally {
                inFlight = -1; // also if the copy failed (out of memory): the compute thread copies the chunk itself
            }
            return DoubleBuffer.Helper.HELPED;
        }

        private void gather(int c, TupleBuffer into) {
            int from = c * chunkRows;
            buffer.gatherDense(from, Math.min(buffer.size(), from + chunkRows), into, false);
        }

        /**
         * Ends the sharing (also after an early stop or a failure): no claim succeeds after this, and a chunk the
         * helper is still copying is waited for, so no slot is written after this returns.
         */
        void close() {
            next.set(Integer.MAX_VALUE);
            while (inFlight >= 0) {
                Thread.onSpinWait();
            }
        }
    }
}
