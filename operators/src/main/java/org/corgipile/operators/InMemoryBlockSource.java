package org.corgipile.operators;

import java.util.Arrays;

/**
 * A relation held in memory and served as heap pages — what the operators see of a real table, without a database.
 * Tuples fill pages of at most {@code tuplesPerPage} line pointers in the order they are appended; tuple identities
 * are ctids (page, line pointer), so tests can check emission order and error messages name tuples the way
 * PostgreSQL does. Used by the tests, the benchmarks and the client (for data already in memory).
 *
 * <p>Like a real heap, a page may hold no visible tuple: {@link #addEmptyPages} appends pages emptied by
 * {@code DELETE} + {@code VACUUM}, {@link #addDead} takes a line pointer whose tuple is not visible (deleted, or a
 * row the reader skips because its label or features are NULL). Operators must treat such pages as holes in the
 * table, never as its end.
 *
 * <p>Build it by appending tuples in storage order ({@link #addDense}, {@link #addSparse}) or with
 * {@link #dense(double[][], double[], int)}. Reads may happen while nothing is appended any more; the source is
 * not thread-safe (sources never need to be).
 */
public final class InMemoryBlockSource implements BlockSource {
    private final FeatureShape shape;
    private final int tuplesPerPage;
    private final TupleBuffer data;
    /** pageStart[p]: index in {@code data} of the first visible tuple of page p (or of the next page's first). */
    private int[] pageStart = new int[16];
    private int pages;
    /** Line pointers used on the last page (visible and dead). */
    private int linePointers;

    public InMemoryBlockSource(FeatureShape shape, int tuplesPerPage) {
        if (tuplesPerPage < 1 || tuplesPerPage > 0xFFFF) {
            throw new IllegalArgumentException("tuplesPerPage must be between 1 and 65535, got " + tuplesPerPage);
        }
        this.shape = shape;
        this.tuplesPerPage = tuplesPerPage;
        this.data = new TupleBuffer(shape, 1024);
    }

    /** A dense source of rows {@code x[i]} labelled {@code y[i]}, in that storage order. */
    public static InMemoryBlockSource dense(double[][] x, double[] y, int tuplesPerPage) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("x has " + x.length + " rows but y has " + y.length);
        }
        if (x.length == 0) {
            throw new IllegalArgumentException("no rows");
        }
        InMemoryBlockSource s = new InMemoryBlockSource(FeatureShape.dense(x[0].length), tuplesPerPage);
        for (int i = 0; i < x.length; i++) {
            s.addDense(y[i], x[i]);
        }
        return s;
    }

    /** Appends a dense tuple (the next line pointer of the last page, or a new page). */
    public InMemoryBlockSource addDense(double label, double... features) {
        if (shape.sparse() || features.length != shape.dimension()) {
            throw new IllegalArgumentException("expected " + shape + ", got a dense row of " + features.length);
        }
        data.addDense(label, nextTid(), features, 0);
        return this;
    }

    /** Appends a sparse tuple of (index, value) pairs. */
    public InMemoryBlockSource addSparse(double label, int[] indices, double[] values) {
        if (!shape.sparse() || indices.length != values.length) {
            throw new IllegalArgumentException("expected " + shape + " with as many indices as values");
        }
        data.addSparse(label, nextTid(), indices, values, 0, indices.length);
        return this;
    }

    /** Takes the next line pointer for a tuple that is not visible (deleted, or skipped by the reader). */
    public InMemoryBlockSource addDead() {
        nextTid();
        return this;
    }

    /** Appends {@code n} pages without any visible tuple; the next tuple starts a new page after them. */
    public InMemoryBlockSource addEmptyPages(int n) {
        for (int i = 0; i < n; i++) {
            newPage();
            linePointers = tuplesPerPage;
        }
        return this;
    }

    private void newPage() {
        if (pages == pageStart.length) {
            pageStart = Arrays.copyOf(pageStart, pages * 2);
        }
        pageStart[pages++] = data.size();
        linePointers = 0;
    }

    private long nextTid() {
        if (pages == 0 || linePointers >= tuplesPerPage) {
            newPage();
        }
        linePointers++;
        return TupleBuffer.tid(pages - 1, linePointers);
    }

    /** Number of visible tuples. */
    public int size() {
        return data.size();
    }

    public int tuplesPerPage() {
        return tuplesPerPage;
    }

    /** Storage position (among the visible tuples) of a tuple identity produced by this source, or -1. */
    public int indexOf(long tid) {
        int lo = 0;
        int hi = data.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long t = data.id(mid);
            if (t < tid) {
                lo = mid + 1;
            } else if (t > tid) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    @Override
    public long pageCount() {
        return pages;
    }

    @Override
    public FeatureShape shape() {
        return shape;
    }

    @Override
    public int readPages(long firstPage, int pages, TupleBuffer into) {
        if (firstPage < 0 || pages < 0) {
            throw new IllegalArgumentException("bad page range " + firstPage + " + " + pages);
        }
        int from = start(firstPage);
        int to = start(firstPage + pages);
        for (int i = from; i < to; i++) {
            into.addFrom(data, i);
        }
        return to - from;
    }

    private int start(long page) {
        return page >= pages ? data.size() : pageStart[(int) page];
    }
}
