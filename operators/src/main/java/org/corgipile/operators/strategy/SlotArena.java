package org.corgipile.operators.strategy;

import org.corgipile.operators.FeatureShape;
import org.corgipile.operators.TupleBuffer;

/**
 * A fixed number of tuple slots whose contents can be replaced, for dense and sparse tuples alike: tuples are
 * appended to an arena buffer and a slot table points at the live row; replaced rows become garbage and the arena
 * is compacted when it holds twice as many rows as slots (amortised O(1) per replacement).
 */
final class SlotArena {
    private final FeatureShape shape;
    private TupleBuffer arena;
    private int[] slot;
    private int used;

    SlotArena(FeatureShape shape, int capacity) {
        this.shape = shape;
        this.arena = new TupleBuffer(shape, Math.min(capacity, 1 << 16));
        this.slot = new int[capacity];
    }

    int capacity() {
        return slot.length;
    }

    int size() {
        return used;
    }

    /** Fills the next free slot with tuple {@code row} of {@code from}. */
    void append(TupleBuffer from, int row) {
        arena.addFrom(from, row);
        slot[used++] = arena.size() - 1;
    }

    /** Copies slot {@code s} to the end of {@code out}. */
    void emit(int s, TupleBuffer out) {
        out.addFrom(arena, slot[s]);
    }

    /** Replaces the tuple in slot {@code s} by tuple {@code row} of {@code from}. */
    void replace(int s, TupleBuffer from, int row) {
        if (arena.size() >= 2 * slot.length + 16) {
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
