package org.corgipile.datasets.format;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.corgipile.datasets.Record;
import org.corgipile.datasets.RecordSource;

/** Test helper: drains a source into immutable rows. */
public final class Sources {
    private Sources() {
    }

    /** One row as plain values; sparse rows keep {@code indices}/{@code values}, dense rows {@code dense}. */
    public record Row(long id, double label, double[] dense, int[] indices, double[] values) {
        @Override
        public String toString() {
            return "Row[" + id + ", " + label + ", " + Arrays.toString(dense) + ", " + Arrays.toString(indices) + ", "
                    + Arrays.toString(values) + "]";
        }
    }

    public static List<Row> drain(RecordSource s) throws IOException {
        List<Row> rows = new ArrayList<>();
        Record r = new Record();
        try (s) {
            while (true) {
                r.clear();
                if (!s.next(r)) {
                    return rows;
                }
                rows.add(new Row(r.id, r.label, r.dense.clone(), Arrays.copyOf(r.indices, r.nnz),
                        Arrays.copyOf(r.values, r.nnz)));
            }
        }
    }
}
