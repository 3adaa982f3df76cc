package org.corgipile.datasets;

import java.util.Arrays;

/**
 * One row on its way into a table. Mutable and reused by sources, so a load allocates nothing per row; a source
 * fills either {@link #dense} or the first {@link #nnz} entries of {@link #indices} and {@link #values}.
 */
public final class Record {
    /** {@link #id} of a row without one: the loader numbers such rows 1, 2, ... in source order. */
    public static final long NO_ID = Long.MIN_VALUE;
    /** Row id, or {@link #NO_ID} (0 is an id like any other: a file's ids may start at 0). */
    public long id = NO_ID;
    /** Label, already mapped to 0..K-1 for classification. */
    public double label;
    public double[] dense = new double[0];
    public int[] indices = new int[16];
    public double[] values = new double[16];
    public int nnz;

    /** Makes {@link #dense} exactly {@code n} long (reallocating only when the length changes). */
    public double[] dense(int n) {
        if (dense.length != n) {
            dense = new double[n];
        }
        return dense;
    }

    /** Appends one sparse entry, growing the arrays as needed. */
    public void addSparse(int index, double value) {
        if (nnz == indices.length) {
            indices = Arrays.copyOf(indices, nnz * 2);
            values = Arrays.copyOf(values, nnz * 2);
        }
        indices[nnz] = index;
        values[nnz] = value;
        nnz++;
    }

    public void clear() {
        id = NO_ID;
        label = 0;
        nnz = 0;
    }
}
