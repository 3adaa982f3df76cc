package org.corgipile.datasets.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class FileFormatTest {
    /** {@code dataset import FILE} without {@code --format}: the name says the format, or the error asks for it. */
    @Test
    void theFormatComesFromTheFilesName() {
        Map<String, FileFormat> names = Map.of("data.csv", FileFormat.CSV, "DATA.CSV.GZ", FileFormat.CSV,
                "a9a.libsvm", FileFormat.LIBSVM, "rcv1.svm.gz", FileFormat.LIBSVM, "t.arrow", FileFormat.ARROW,
                "t.feather", FileFormat.ARROW, "trips.parquet", FileFormat.PARQUET,
                "train-images-idx3-ubyte.gz", FileFormat.IDX, "t10k-labels-idx1-ubyte", FileFormat.IDX,
                "images.idx", FileFormat.IDX);
        names.forEach((name, format) -> assertEquals(format, FileFormat.fromName(name), name));
        for (String name : new String[] {"a9a.txt", "data", "archive.tar.gz", "csv"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FileFormat.fromName(name));
            assertEquals("cannot tell the format of " + name + " from its name: pass --format libsvm, csv, arrow, idx "
                    + "or parquet", e.getMessage());
        }
        assertTrue(FileFormat.fromName("x.ipc") == FileFormat.ARROW);
    }
}
