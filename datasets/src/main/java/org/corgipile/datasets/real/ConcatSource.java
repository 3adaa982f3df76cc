package org.corgipile.datasets.real;

import java.io.IOException;
import java.util.List;

import org.corgipile.datasets.Record;
import org.corgipile.datasets.RecordSource;
import org.corgipile.datasets.TableShape;

/** Rows of several sources of the same shape, one after the other (e.g. an idx train file, then its test file). */
final class ConcatSource implements RecordSource {
    private final String name;
    private final List<RecordSource> parts;
    private int current;

    ConcatSource(String name, List<RecordSource> parts) {
        this.name = name;
        this.parts = parts;
        TableShape first = parts.get(0).shape();
        for (RecordSource p : parts) {
            if (!p.shape().equals(first)) {
                throw new IllegalArgumentException("cannot concatenate " + p.name() + " " + p.shape() + " to "
                        + parts.get(0).name() + " " + first);
            }
        }
    }

    @Override
    public TableShape shape() {
        return parts.get(0).shape();
    }

    @Override
    public long expectedRows() {
        long n = 0;
        for (RecordSource p : parts) {
            if (p.expectedRows() < 0) {
                return -1;
            }
            n += p.expectedRows();
        }
        return n;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean next(Record r) throws IOException {
        while (current < parts.size()) {
            if (parts.get(current).next(r)) {
                return true;
            }
            current++;
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (RecordSource p : parts) {
            try {
                p.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
