package org.corgipile.datasets.format;

import java.io.IOException;

import org.corgipile.datasets.RecordSource;
import org.corgipile.datasets.TableShape;

/**
 * What the text formats (CSV, LIBSVM) share: a file read twice, a pre-scan that fixes the shape, the row count and
 * the label mapping before anything reaches the database, then a second pass over {@link #in} that streams rows.
 * Subclasses set the fields in their constructor, once the pre-scan is done.
 */
abstract class TextFileSource implements RecordSource {
    /** The file name, for messages. */
    String name;
    TableShape shape;
    LabelMap labels;
    long rows;
    /** The second pass. */
    NumberedLines in;

    @Override
    public final TableShape shape() {
        return shape;
    }

    @Override
    public final long expectedRows() {
        return rows;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String labelMapping() {
        return labels.description();
    }

    @Override
    public final void close() throws IOException {
        in.close();
    }
}
