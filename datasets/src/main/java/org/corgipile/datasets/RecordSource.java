package org.corgipile.datasets;

import java.io.Closeable;
import java.io.IOException;

/**
 * A stream of rows of one {@link TableShape}: a parsed file, a generator, a real dataset. The loader pulls rows with
 * {@link #next(Record)} and writes them to PostgreSQL as they come, so sources never hold a whole dataset.
 */
public interface RecordSource extends Closeable {
    /** Shape of every row; known before the first row. */
    TableShape shape();

    /** Number of rows if known in advance (for the progress bar), else -1. */
    long expectedRows();

    /** Fills {@code r} with the next row; false at the end. Malformed input throws {@link InputFormatException}. */
    boolean next(Record r) throws IOException;

    /** Short name used in messages and the progress bar (a file name, a dataset name). */
    String name();

    /**
     * Best achievable test accuracy (a generator's teacher model with known label noise), or NaN when unknown.
     */
    default double bestAccuracy() {
        return Double.NaN;
    }

    /** Human-readable note on how labels were mapped (e.g. {@code -1->0, +1->1}), or empty. */
    default String labelMapping() {
        return "";
    }

    /**
     * Names of the dense features in order, when the file names them (a CSV header, the scalar columns of a parquet
     * or Arrow file); empty otherwise. The loader keeps them in the comment of the {@code features} column.
     */
    default java.util.List<String> featureColumns() {
        return java.util.List.of();
    }

    @Override
    default void close() throws IOException {
    }
}
