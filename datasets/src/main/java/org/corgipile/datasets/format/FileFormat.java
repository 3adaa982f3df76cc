package org.corgipile.datasets.format;

import java.util.Locale;

/** File formats {@code corgipile dataset import} reads. */
public enum FileFormat {
    LIBSVM,
    CSV,
    ARROW,
    IDX,
    PARQUET;

    /**
     * The format a file's name says, the default of {@code --format}: {@code .csv}, {@code .libsvm}, {@code .svm},
     * {@code .arrow}, {@code .feather}, {@code .ipc}, {@code .parquet}, or an idx name ({@code ...-idx3-ubyte},
     * {@code .idx}); each also gzipped ({@code .gz}), case-insensitive. Any other name is an error asking for
     * {@code --format} ({@code a9a.txt} is LIBSVM, {@code data.txt} might be anything).
     */
    public static FileFormat fromName(String fileName) {
        String n = fileName.toLowerCase(Locale.ROOT);
        if (n.endsWith(".gz")) {
            n = n.substring(0, n.length() - 3);
        }
        String ext = n.lastIndexOf('.') < 0 ? "" : n.substring(n.lastIndexOf('.') + 1);
        FileFormat f = switch (ext) {
            case "csv" -> CSV;
            case "libsvm", "svm" -> LIBSVM;
            case "arrow", "feather", "ipc" -> ARROW;
            case "parquet" -> PARQUET;
            case "idx" -> IDX;
            default -> n.matches(".*-idx\\d-ubyte") ? IDX : null;
        };
        if (f == null) {
            throw new IllegalArgumentException("cannot tell the format of " + fileName + " from its name: pass "
                    + "--format libsvm, csv, arrow, idx or parquet");
        }
        return f;
    }

    public static FileFormat parse(String s) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("format must be one of libsvm, csv, arrow, idx, parquet; got '" + s + "'");
        }
    }
}
