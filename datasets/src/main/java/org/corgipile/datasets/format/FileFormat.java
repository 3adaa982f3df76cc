package org.corgipile.datasets.format;

import java.util.Locale;

/** File formats {@code corgipile dataset import} reads. */
public enum FileFormat {
    LIBSVM,
    CSV,
    ARROW,
    IDX,
    PARQUET;

    public static FileFormat parse(String s) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("format must be one of libsvm, csv, arrow, idx, parquet; got '" + s + "'");
        }
    }
}
