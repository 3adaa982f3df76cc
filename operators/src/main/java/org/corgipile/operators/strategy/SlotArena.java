package org.corgipile.operators.strategy;

import java.util.Arrays;
import org.corgipile.operators.FeatureShape;
import org.corgipile.operators.TupleBuffer;

/**
 * A fixed number of tuple slots whose contents can be replaced, for dense and sparse tuples alike: tuples are
 * appended to an arena buffer and a slot table points at the live row; replaced rows become garbage and the arena
 * is compacted when it holds twice as many rows as slots (amortised O(1) per replacement). The slot table grows as
 * slots are filled (the arena too): a capacity of more tuples than the table (buffer_size up to 2^31 - 1) holds only
 * the tuples read, where reserving it up front exhausted the Java heap.
 */
final class SlotArena {
    private final FeatureShape shape;
    private TupleBuffer arena;
    private final int capacity;
    private int[] slot;
    private int used;

    SlotArena(FeatureShape shape, int capacity) {
        this.shape = shape;
        this.capacity = capacity;
        this.arena = new TupleBuffer(shape, Math.min(capacity, 1 << 16));
        this.slot = new int[Math.min(capacity, 1 << 16)];
    }

    int capacity() {
        return capacity;
    }

    int size() {
        return used;
    }

    /** Fills the next free slot with tuple {@code row} of {@code from}. */
    void append(TupleBuffer from, int row) {
        if (used == slot.length) {
            slot = Arrays.copyOf(slot, (int) Math.min(capacity, 2L * slot.length));
        }
        arena.addFrom(from, row);
        slot[used++] = arena.size() - 1;
    }

    /** Copies slot {@code s} to the end of {@code out}. */
    void emit(int s, TupleBuffer out) {
        out.addFrom(arena, slot[s]);
    }

    /** Replaces the tuple in slot {@code s} by tuple {@code row} of {@code from}. */
    void replace(int s, TupleBuffer from, int row) {
        if (arena.size() >= 2 * used + 16) {
            compact();
        }
        arena.addFrom(from, row);
        slot[s] = arena.size() - 1;
    }

    void clear() {
        used = 0;
        arena.clear();
    }

    private void compact() {
        TupleBuffer fresh = new TupleBuffer(shape, used);
        for (int s = 0; s < used; s++) {
            fresh.addFrom(arena, slot[s]);
            slot[s] = s;
        }
        arena = fresh;
    }
}
