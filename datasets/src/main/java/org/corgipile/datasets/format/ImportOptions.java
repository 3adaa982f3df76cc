package org.corgipile.datasets.format;

import java.nio.file.Path;

import org.corgipile.datasets.FeatureKind;
import org.corgipile.datasets.LabelType;

/**
 * How to read a file. Nulls mean "decide from the data" (documented per format in docs/datasets.md).
 *
 * @param format      file format
 * @param labelType   int (classification) or float8 (regression); null = int when all labels are integers and
 *                    there are at most 1000 distinct values
 * @param kind        dense or sparse table (LIBSVM, Arrow); null = decided from the data
 * @param dimension   number of features (LIBSVM dense); 0 = largest index seen
 * @param labelColumn CSV/Arrow/parquet label column (name, or 0-based number for CSV); null = {@code label}, else
 *                    the first column
 * @param header      CSV has a header line
 * @param delimiter   CSV field separator
 * @param labels      idx: the labels file; null = the images file name with {@code images-idx3} replaced by
 *                    {@code labels-idx1}
 */
public record ImportOptions(FileFormat format, LabelType labelType, FeatureKind kind, int dimension,
                            String labelColumn, boolean header, char delimiter, Path labels) {
    /** Largest dense row we accept: 1M doubles is 8 MB per row; wider data belongs in a sparse table. */
    public static final int MAX_DENSE_DIMENSION = 1 << 20;

    public ImportOptions {
        if (format == null) {
            throw new IllegalArgumentException("format must be one of libsvm, csv, arrow, idx, parquet; got null");
        }
        if (dimension < 0 || dimension > MAX_DENSE_DIMENSION && kind == FeatureKind.DENSE) {
            throw new IllegalArgumentException("dimension must be in [0, " + MAX_DENSE_DIMENSION
                    + "] for a dense table, got " + dimension);
        }
    }

    public static ImportOptions of(FileFormat format) {
        return new ImportOptions(format, null, null, 0, null, true, ',', null);
    }

    public ImportOptions labelType(LabelType t) {
        return new ImportOptions(format, t, kind, dimension, labelColumn, header, delimiter, labels);
    }

    public ImportOptions kind(FeatureKind k) {
        return new ImportOptions(format, labelType, k, dimension, labelColumn, header, delimiter, labels);
    }

    public ImportOptions dimension(int d) {
        return new ImportOptions(format, labelType, kind, d, labelColumn, header, delimiter, labels);
    }

    public ImportOptions labelColumn(String c) {
        return new ImportOptions(format, labelType, kind, dimension, c, header, delimiter, labels);
    }

    public ImportOptions header(boolean h) {
        return new ImportOptions(format, labelType, kind, dimension, labelColumn, h, delimiter, labels);
    }

    public ImportOptions delimiter(char d) {
        return new ImportOptions(format, labelType, kind, dimension, labelColumn, header, d, labels);
    }

    public ImportOptions labels(Path p) {
        return new ImportOptions(format, labelType, kind, dimension, labelColumn, header, delimiter, p);
    }
}
