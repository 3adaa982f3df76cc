package org.corgipile.datasets.real;

import java.io.IOException;

import org.corgipile.datasets.Record;
import org.corgipile.datasets.RecordSource;
import org.corgipile.datasets.TableShape;

/** The first {@code limit} rows of a source ({@code --rows} on a real dataset). */
final class LimitSource implements RecordSource {
    private final RecordSource inner;
    private final long limit;
    private long n;

    LimitSource(RecordSource inner, long limit) {
        this.inner = inner;
        this.limit = limit;
    }

    /** Wraps only when {@code limit > 0}. */
    static RecordSource of(RecordSource inner, long limit) {
        return limit > 0 ? new LimitSource(inner, limit) : inner;
    }

    @Override
    public TableShape shape() {
        return inner.shape();
    }

    @Override
    public long expectedRows() {
        return inner.expectedRows() < 0 ? limit : Math.min(limit, inner.expectedRows());
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public boolean next(Record r) throws IOException {
        return n < limit && inner.next(r) && ++n > 0;
    }

    @Override
    public double bestAccuracy() {
        return inner.bestAccuracy();
    }

    @Override
    public String labelMapping() {
        return inner.labelMapping();
    }

    @Override
    public java.util.List<String> featureColumns() {
        return inner.featureColumns();
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }
}
