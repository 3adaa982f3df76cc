package org.corgipile.datasets;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.corgipile.datasets.format.Sources.Row;

/**
 * Reads an exported Arrow file with Arrow's generic {@code getObject} accessors -- deliberately not through the
 * module's own {@code ArrowSource}, so a round trip checks the export against independent code.
 */
final class ArrowFiles {
    private ArrowFiles() {
    }

    static List<Row> readSortedById(Path file) throws IOException {
        List<Row> rows = new ArrayList<>();
        try (RootAllocator alloc = new RootAllocator();
             ArrowFileReader r = new ArrowFileReader(FileChannel.open(file), alloc)) {
            while (r.loadNextBatch()) {
                VectorSchemaRoot root = r.getVectorSchemaRoot();
                for (int i = 0; i < root.getRowCount(); i++) {
                    long id = (Long) root.getVector("id").getObject(i);
                    double label = ((Number) root.getVector("label").getObject(i)).doubleValue();
                    if (root.getVector("features") != null) {
                        List<?> f = (List<?>) root.getVector("features").getObject(i);
                        rows.add(new Row(id, label, f.stream().mapToDouble(o -> (Double) o).toArray(), new int[0],
                                new double[0]));
                    } else {
                        List<?> idx = (List<?>) root.getVector("indices").getObject(i);
                        List<?> val = (List<?>) root.getVector("vals").getObject(i);
                        rows.add(new Row(id, label, new double[0], idx.stream().mapToInt(o -> (Integer) o).toArray(),
                                val.stream().mapToDouble(o -> (Double) o).toArray()));
                    }
                }
            }
        }
        rows.sort(Comparator.comparingLong(Row::id));
        return rows;
    }
}
