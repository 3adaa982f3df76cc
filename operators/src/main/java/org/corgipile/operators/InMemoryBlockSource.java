package org.corgipile.operators;

/**
 * A relation held in memory and served as heap pages of a fixed number of tuples — what the operators see of a
 * real table, without a database. Tuple identities are ctids: tuple i lives on page {@code i / tuplesPerPage} at
 * line pointer {@code i % tuplesPerPage + 1}, so tests can check emission order and error messages name tuples the
 * way PostgreSQL does. Used by the tests, the benchmarks and the client (for data already in memory).
 *
 * <p>Build it by appending tuples in storage order ({@link #addDense}, {@link #addSparse}) or with
 * {@link #dense(double[][], double[], int)}. Reads may happen while nothing is appended any more; the source is
 * not thread-safe (sources never need to be).
 */
public final class InMemoryBlockSource implements BlockSource {
    private final FeatureShape shape;
    private final int tuplesPerPage;
    private final TupleBuffer data;

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

    private long nextTid() {
        int i = data.size();
        return TupleBuffer.tid(i / tuplesPerPage, i % tuplesPerPage + 1);
    }

    /** Number of tuples. */
    public int size() {
        return data.size();
    }

    public int tuplesPerPage() {
        return tuplesPerPage;
    }

    /** Storage position of a tuple identity produced by this source. */
    public int indexOf(long tid) {
        return (int) ((tid >>> 16) * tuplesPerPage + (tid & 0xFFFF) - 1);
    }

    @Override
    public long pageCount() {
        return (data.size() + tuplesPerPage - 1) / tuplesPerPage;
    }

    @Override
    public FeatureShape shape() {
        return shape;
    }

    @Override
    public int readPages(long firstPage, int pages, long nextFirstPage, TupleBuffer into) {
        if (firstPage < 0 || pages < 0) {
            throw new IllegalArgumentException("bad page range " + firstPage + " + " + pages);
        }
        long from = Math.min(firstPage * tuplesPerPage, data.size());
        long to = Math.min((firstPage + pages) * tuplesPerPage, data.size());
        for (long i = from; i < to; i++) {
            into.addFrom(data, (int) i);
        }
        return (int) (to - from);
    }
}
