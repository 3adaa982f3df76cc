package org.corgipile.operators;

import java.util.Arrays;

/**
 * A growable, reusable batch of tuples in flat primitive arrays: one label, one identity and one feature vector per
 * tuple. Dense vectors are stored row-major with stride {@link FeatureShape#dimension()}; sparse vectors in CSR form
 * ({@link #rowStart(int)} .. {@link #rowEnd(int)} index into {@link #indices()} / {@link #values()}).
 *
 * <p>Buffers are reused across blocks and epochs ({@link #clear()} keeps capacity), so the steady state allocates
 * nothing. The identity is whatever the source says identifies a tuple (the heap TID as
 * {@code page << 16 | offset} for PostgreSQL sources); operators only carry it along, tests use it to check order.
 *
 * <p>Not thread-safe: the double buffer hands a whole buffer from the filling thread to the compute thread.
 */
public final class TupleBuffer {
    /** Room made up front for dense features: memory grows with the tuples held, not with a guessed count. */
    public static final long INITIAL_DENSE_BYTES = 1L << 20;

    private final FeatureShape shape;
    private int size;
    private double[] labels;
    private long[] ids;
    private double[] dense;      // dense: size * dimension
    private int[] rowPtr;        // sparse: size + 1 offsets
    private int[] indices;       // sparse: nnz
    private double[] values;     // sparse: nnz
    private int[] order = new int[0]; // a permutation to apply at settle(), owned by this buffer
    private boolean permutationPending;
    private double[] rowScratch;
    /** Standardisation left to the consumer (see {@link #deferStandardization()}); null: none pending. */
    private boolean standardizationDeferrable;
    private double[] pendingMean;
    private double[] pendingInvStd;
    private static final int STANDARDIZE_ROWS = 16;
    private double[] repeatedMean; // pendingMean repeated STANDARDIZE_ROWS times (standardize)
    private double[] repeatedInvStd;
    private double[] repeatedFor;

    /** Identity of the tuple on heap page {@code page} at line pointer {@code offset} (1-based). */
    public static long tid(long page, int offset) {
        return page << 16 | (offset & 0xFFFF);
    }

    /** Formats an identity made by {@link #tid} like PostgreSQL's ctid: {@code (page,offset)}. */
    public static String formatTid(long id) {
        return "(" + (id >>> 16) + "," + (id & 0xFFFF) + ")";
    }

    /**
     * The one error of a sparse index outside [0, {@code dimension}) of tuple {@code id} (22000), in both modes: the
     * heap reader's and the client's sources and the input guard raise it. {@code dimension} is the given one or,
     * when none was given, {@link TrainOptions#MAX_DIMENSION}; the hint depends on what is wrong. Like the reader's
     * other row errors it names the column, the tuple and the relation: {@code sparse index 7 of indices "idx" of
     * tuple (0,2) of relation "t" is outside [0, 5)}. {@code column} (the index column) and {@code relation} (as
     * errors name it, {@code "t"}): null for a source that knows no names.
     */
    public static TrainingException sparseIndexOutside(double index, long id, String column, String relation,
                                                       int dimension) {
        String hint = index < 0 ? "Sparse indices are 0-based positions and cannot be negative: fix those rows or "
                + "leave them out, e.g. in a new table."
                : index >= TrainOptions.MAX_DIMENSION ? "Sparse indices must be below " + TrainOptions.MAX_DIMENSION
                + ", the largest dimension: number the features from 0, without gaps."
                : "Indices are 0-based; pass options => '{\"dimension\": N}' with N above the largest index.";
        return new TrainingException(TrainingException.DATA_EXCEPTION, String.format(java.util.Locale.ROOT,
                "sparse index %.0f%s of tuple %s%s is outside [0, %d)", index,
                column == null ? "" : " of indices \"" + column + "\"", formatTid(id),
                relation == null ? "" : " of relation " + relation, dimension), hint);
    }

    /**
     * @param initialCapacity tuples to make room for now (at least 16); for dense shapes at most
     *                        {@link #INITIAL_DENSE_BYTES} of features (but one tuple), the buffer grows when filled
     */
    public TupleBuffer(FeatureShape shape, int initialCapacity) {
        this.shape = shape;
        int cap = Math.max(16, initialCapacity);
        if (!shape.sparse()) {
            cap = (int) Math.max(1, Math.min(cap, INITIAL_DENSE_BYTES / (8L * Math.max(1, shape.dimension()))));
        }
        labels = new double[cap];
        ids = new long[cap];
        if (shape.sparse()) {
            rowPtr = new int[cap + 1];
            indices = new int[cap * 8];
            values = new double[cap * 8];
        } else {
            dense = new double[Math.multiplyExact(cap, shape.dimension())];
        }
    }

    public FeatureShape shape() {
        return shape;
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** Drops the rows from {@code n} on: a source's partial read of a range it reads again. */
    public void truncate(int n) {
        if (n < 0 || n > size) {
            throw new IllegalArgumentException("truncate: n must be between 0 and " + size + ", got " + n);
        }
        size = n;
    }

    public void clear() {
        size = 0;
        permutationPending = false;
        standardizationDeferrable = false;
        pendingMean = null;
        pendingInvStd = null;
    }

    /**
     * Until the next {@link #clear()}: this buffer's consumer reads its rows through {@link #gatherDense} or
     * {@link #settle()}, so a standardisation of the features ({@link InputGuard}) need not be written into the
     * rows as they are read: {@link #standardizeOnRead} leaves it to the gather, which copies every row anyway and
     * applies {@code (x - mean) * invStd} on the way (same arithmetic, the same doubles). Moves a pass over every
     * row from the reading thread, which bounds a warm epoch, to the compute thread, where it hides in the
     * gather's memory stalls. Dense only (TupleShuffle's buffers; the storage-order and block-order chunks of
     * {@code none} and {@code block_only}, which {@code Sgd.consume} settles in place on the compute thread).
     */
    public void deferStandardization() {
        standardizationDeferrable = !shape.sparse();
    }

    /** True when {@link #deferStandardization()} was called since the last {@link #clear()}. */
    public boolean standardizationDeferrable() {
        return standardizationDeferrable;
    }

    /**
     * Records the standardisation every row of this buffer still needs ({@code x[k] = (x[k] - mean[k]) *
     * invStd[k]}); applied by {@link #gatherDense} and {@link #settle()}. Only after {@link #deferStandardization()}.
     */
    public void standardizeOnRead(double[] mean, double[] invStd) {
        if (!standardizationDeferrable) {
            throw new IllegalStateException("standardisation was not deferred for this buffer");
        }
        pendingMean = mean;
        pendingInvStd = invStd;
    }

    /**
     * An index array of at least {@code n} entries that belongs to this buffer, to be filled with a permutation of
     * {@code 0 .. size-1} and handed over with {@link #deferPermutation()}. Each buffer has its own, so the producer
     * can fill the next buffer while the consumer settles this one.
     */
    public int[] permutationArray(int n) {
        if (order.length < n) {
            order = new int[Math.max(n, order.length + (order.length >> 1))];
        }
        return order;
    }

    /**
     * Row k becomes the current row {@code permutationArray()[k]} at the next {@link #settle()}: the tuple shuffle
     * (on the reading thread) only draws the permutation, and the rows move on the thread that consumes the buffer,
     * in parallel with the reading of the next one. Dense only.
     */
    public void deferPermutation() {
        permutationPending = true;
    }

    /** True when a permutation was deferred and not yet applied: rows are in read order, {@link #settle()} or
     * {@link #gatherDense} give them in shuffled order. */
    public boolean permutationPending() {
        return permutationPending;
    }

    /**
     * Copies the rows at positions {@code [from, to)} of the deferred permutation (row k = current row
     * {@code permutationArray()[k]}) into {@code into}, which is cleared first; this buffer is only read, so
     * several threads may gather disjoint ranges of it into their own {@code into} at once. A
     * consumer that walks the buffer in order gathers it chunk by chunk into a small buffer that stays in the CPU
     * cache, instead of {@link #settle()} moving every row in place: the gather's reads are independent of each
     * other (the CPU overlaps their cache misses) where the in-place cycles are a chain of dependent random
     * accesses, and nothing is written back to the large buffer. Same rows in the same order as after settle().
     * Dense only.
     */
    public void gatherDense(int from, int to, TupleBuffer into) {
        gatherDense(from, to, into, true);
    }

    /**
     * {@link #gatherDense(int, int, TupleBuffer)}, leaving the identities of {@code into} undefined when
     * {@code withIds} is false: SGD never reads them, and each is one more random access into the large buffer.
     */
    public void gatherDense(int from, int to, TupleBuffer into, boolean withIds) {
        int d = shape.dimension();
        into.clear();
        into.ensureRows(to - from);
        double[] dst = into.dense;
        double[] dstLabels = into.labels;
        for (int k = from, j = 0; k < to; ) {
            // a run of consecutive rows (a slice of TupleShuffle's permutation) in one copy
            int o = order[k];
            int n = 1;
            while (k + n < to && order[k + n] == o + n) {
                n++;
            }
            System.arraycopy(dense, o * d, dst, j * d, n * d);
            System.arraycopy(labels, o, dstLabels, j, n);
            k += n;
            j += n;
        }
        if (pendingMean != null) {
            // after the copy, not in it: a copy per row keeps many rows' cache misses in flight at once, an
            // arithmetic loop per row would not; the chunk is in the cache by now
            // with into's cache of the repeated mean: the source is only read, so two threads may gather from
            // it at once (SharedGather)
            into.standardize(dst, to - from, pendingMean, pendingInvStd);
        }
        if (withIds) {
            long[] dstIds = into.ids;
            for (int k = from, j = 0; k < to; k++, j++) {
                dstIds[j] = ids[order[k]];
            }
        }
        into.size = to - from;
    }

    /**
     * {@code x = (x - mean) * invStd}, feature by feature, on the first {@code rows} rows of {@code x}: over
     * {@link #STANDARDIZE_ROWS} rows at a time with the mean and inverse deviation repeated as long, so the loop
     * runs over hundreds of contiguous doubles the JIT vectorises instead of one short row at a time.
     */
    private void standardize(double[] x, int rows, double[] mean, double[] invStd) {
        int d = shape.dimension();
        if (repeatedMean == null || repeatedMean.length != STANDARDIZE_ROWS * d || repeatedFor != mean) {
            repeatedMean = new double[STANDARDIZE_ROWS * d];
            repeatedInvStd = new double[STANDARDIZE_ROWS * d];
            for (int r = 0; r < STANDARDIZE_ROWS; r++) {
                System.arraycopy(mean, 0, repeatedMean, r * d, d);
                System.arraycopy(invStd, 0, repeatedInvStd, r * d, d);
            }
            repeatedFor = mean;
        }
        double[] m = repeatedMean;
        double[] s = repeatedInvStd;
        int span = m.length;
        int end = rows * d;
        int at = 0;
        for (; at + span <= end; at += span) {
            for (int t = 0; t < span; t++) {
                x[at + t] = (x[at + t] - m[t]) * s[t];
            }
        }
        for (int t = 0; at + t < end; t++) {
            x[at + t] = (x[at + t] - m[t]) * s[t];
        }
    }

    /** Applies a deferred permutation and standardisation, if any; every consumer calls this before reading rows. */
    public void settle() {
        if (pendingMean != null) {
            standardize(dense, size, pendingMean, pendingInvStd);
            pendingMean = null;
            pendingInvStd = null;
        }
        if (permutationPending) {
            permutationPending = false;
            if (rowScratch == null) {
                rowScratch = new double[shape.dimension()];
            }
            permuteDense(order, rowScratch);
        }
    }

    public double label(int i) {
        return labels[i];
    }

    public long id(int i) {
        return ids[i];
    }

    /** Dense features, row-major; row i starts at {@code i * shape().dimension()}. Valid for dense shapes only. */
    public double[] dense() {
        return dense;
    }

    public int rowStart(int i) {
        return rowPtr[i];
    }

    public int rowEnd(int i) {
        return rowPtr[i + 1];
    }

    public int[] indices() {
        return indices;
    }

    public double[] values() {
        return values;
    }

    /** Appends a dense tuple whose features are {@code features[offset .. offset + dimension)}. */
    public void addDense(double label, long id, double[] features, int offset) {
        int d = shape.dimension();
        ensureRows(size + 1);
        System.arraycopy(features, offset, dense, size * d, d);
        labels[size] = label;
        ids[size] = id;
        size++;
    }

    /**
     * Reserves room for one more dense tuple and returns the offset in {@link #dense()} where its features must be
     * written; lets decoders fill the buffer without an intermediate array.
     */
    public int appendDenseSlot(double label, long id) {
        ensureRows(size + 1);
        labels[size] = label;
        ids[size] = id;
        return size++ * shape.dimension();
    }

    /**
     * Appends {@code n} dense tuples whose features, labels and identities the caller then writes: the features of
     * row {@code first + k} at {@code (first + k) * dimension} in {@link #dense()}, its label and identity with
     * {@link #setLabelAndId}. Returns {@code first}. Lets a decoder copy many rows' features at once.
     */
    public int appendDenseRows(int n) {
        ensureRows(size + n);
        int first = size;
        size += n;
        return first;
    }

    /** Sets the label and identity of row {@code i} (below {@link #size()}). */
    public void setLabelAndId(int i, double label, long id) {
        labels[i] = label;
        ids[i] = id;
    }

    /** Appends a sparse tuple of {@code nnz} (index, value) pairs starting at {@code offset}. */
    public void addSparse(double label, long id, int[] idx, double[] val, int offset, int nnz) {
        ensureRows(size + 1);
        int start = rowPtr[size];
        ensureNnz(start + nnz);
        System.arraycopy(idx, offset, indices, start, nnz);
        System.arraycopy(val, offset, values, start, nnz);
        labels[size] = label;
        ids[size] = id;
        rowPtr[size + 1] = start + nnz;
        size++;
    }

    /** Appends tuple {@code i} of {@code from} (same shape) to this buffer. */
    public void addFrom(TupleBuffer from, int i) {
        if (shape.sparse()) {
            int s = from.rowPtr[i];
            addSparse(from.labels[i], from.ids[i], from.indices, from.values, s, from.rowPtr[i + 1] - s);
        } else {
            addDense(from.labels[i], from.ids[i], from.dense, i * shape.dimension());
        }
    }

    /** Overwrites tuple {@code i} of this dense buffer with tuple {@code j} of {@code from}. Dense only. */
    public void setDenseFrom(int i, TupleBuffer from, int j) {
        int d = shape.dimension();
        System.arraycopy(from.dense, j * d, dense, i * d, d);
        labels[i] = from.labels[j];
        ids[i] = from.ids[j];
    }

    /** Swaps tuples {@code i} and {@code j} in place. Dense only (the in-place Fisher–Yates of TupleShuffle). */
    public void swapDense(int i, int j, double[] scratch) {
        int d = shape.dimension();
        System.arraycopy(dense, i * d, scratch, 0, d);
        System.arraycopy(dense, j * d, dense, i * d, d);
        System.arraycopy(scratch, 0, dense, j * d, d);
        double l = labels[i];
        labels[i] = labels[j];
        labels[j] = l;
        long id = ids[i];
        ids[i] = ids[j];
        ids[j] = id;
    }

    /**
     * Reorders the rows in place so that row k becomes the old row {@code order[k]}, where {@code order[0 .. size)}
     * is a permutation of 0 .. size-1; {@code order} is overwritten. Each row moves once, cycle by cycle, so this
     * copies a row per tuple where a Fisher–Yates of {@link #swapDense} swaps copies three, at two random places
     * each. Applying the index permutation that a Fisher–Yates over the indices produced gives exactly the row
     * order the same swaps on the rows would. Dense only; {@code scratch} holds one row.
     */
    public void permuteDense(int[] order, double[] scratch) {
        int d = shape.dimension();
        for (int start = 0; start < size; start++) {
            int first = order[start];
            if (first < 0 || first == start) {
                continue;
            }
            System.arraycopy(dense, start * d, scratch, 0, d);
            double label = labels[start];
            long id = ids[start];
            int k = start;
            while (true) {
                int from = order[k];
                order[k] = -1;
                if (from == start) {
                    System.arraycopy(scratch, 0, dense, k * d, d);
                    labels[k] = label;
                    ids[k] = id;
                    break;
                }
                System.arraycopy(dense, from * d, dense, k * d, d);
                labels[k] = labels[from];
                ids[k] = ids[from];
                k = from;
            }
        }
    }

    /**
     * Makes room for {@code rows} tuples, exactly that many (never shrinks): a producer that knows how many rows are
     * coming (a tuple shuffle's buffer, a table loaded whole) fills the buffer without the copies of growing in 1.5x
     * steps, and without their up to 50% of unused capacity. Sparse buffers reserve rows, not non-zeros.
     */
    public void reserve(int rows) {
        if (rows > labels.length) {
            resize(rows);
        }
    }

    /**
     * Makes room for {@code rows} more tuples beyond {@link #size()}, growing like appends do (by half at least), and
     * returns the dense features array: a decoder that writes rows in place (the heap reader) fills it from
     * {@code size() * dimension} and then commits what it wrote with {@link #appendDenseRows}. Dense only.
     */
    public double[] denseRoom(int rows) {
        ensureRows(size + rows);
        return dense;
    }

    private void ensureRows(int rows) {
        if (rows > labels.length) {
            resize(Math.max(rows, labels.length + (labels.length >> 1)));
        }
    }

    private void resize(int cap) {
        labels = Arrays.copyOf(labels, cap);
        ids = Arrays.copyOf(ids, cap);
        if (shape.sparse()) {
            rowPtr = Arrays.copyOf(rowPtr, cap + 1);
        } else {
            dense = Arrays.copyOf(dense, Math.multiplyExact(cap, shape.dimension()));
        }
    }

    private void ensureNnz(int nnz) {
        if (nnz <= indices.length) {
            return;
        }
        int cap = Math.max(nnz, indices.length + (indices.length >> 1));
        indices = Arrays.copyOf(indices, cap);
        values = Arrays.copyOf(values, cap);
    }
}
