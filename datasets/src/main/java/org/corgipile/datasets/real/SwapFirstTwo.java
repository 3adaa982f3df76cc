package org.corgipile.datasets.real;

import java.io.IOException;

import org.corgipile.datasets.Record;
import org.corgipile.datasets.RecordSource;
import org.corgipile.datasets.TableShape;

/** Swaps dense features 0 and 1, so a consumer sees columns in the order it expects whatever the file's order. */
final class SwapFirstTwo implements RecordSource {
    private final RecordSource inner;

    SwapFirstTwo(RecordSource inner) {
        this.inner = inner;
    }

    @Override
    public TableShape shape() {
        return inner.shape();
    }

    @Override
    public long expectedRows() {
        return inner.expectedRows();
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public boolean next(Record r) throws IOException {
        if (!inner.next(r)) {
            return false;
        }
        double t = r.dense[0];
        r.dense[0] = r.dense[1];
        r.dense[1] = t;
        return true;
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }
}
