package org.corgipile.datasets.real;

import java.io.IOException;

import org.corgipile.datasets.LabelType;
import org.corgipile.datasets.Record;
import org.corgipile.datasets.RecordSource;
import org.corgipile.datasets.TableShape;

/** Binary labels from a multi-class source: 1 for {@code positiveClass}, 0 for every other class. */
final class OneVsRestSource implements RecordSource {
    private final RecordSource inner;
    private final String name;
    private final int positiveClass;
    private final String className;

    OneVsRestSource(RecordSource inner, String name, int positiveClass, String className) {
        this.inner = inner;
        this.name = name;
        this.positiveClass = positiveClass;
        this.className = className;
    }

    @Override
    public TableShape shape() {
        return new TableShape(inner.shape().kind(), LabelType.INT, inner.shape().dimension());
    }

    @Override
    public long expectedRows() {
        return inner.expectedRows();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String labelMapping() {
        return "class " + positiveClass + " (" + className + ")->1, other classes->0";
    }

    @Override
    public boolean next(Record r) throws IOException {
        if (!inner.next(r)) {
            return false;
        }
        r.label = r.label == positiveClass ? 1 : 0;
        return true;
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }
}
