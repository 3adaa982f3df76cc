package org.corgipile.datasets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.corgipile.datasets.format.ArrowSource;
import org.corgipile.datasets.format.CsvSource;
import org.corgipile.datasets.format.IdxSource;
import org.corgipile.datasets.format.ImportOptions;
import org.corgipile.datasets.format.LibsvmSource;
import org.corgipile.datasets.format.ParquetSource;
import org.corgipile.datasets.real.DatasetCatalog;

/**
 * The Java entry point the CLI, the benchmark and the client use: load a named dataset or import a file into a
 * PostgreSQL table (see {@link TableLoader} for how: binary COPY, one transaction, physical layout).
 *
 * <pre>{@code
 * LoadReport r = DatasetLoader.load(dataSource, "higgs-like",
 *         LoadOptions.defaults().rows(1_000_000).layout(Layout.CLUSTERED).testFraction(0.1));
 * ArrowExport.export(conn, r.table(), Path.of("higgs.arrow"));
 * }</pre>
 */
public final class DatasetLoader {
    private DatasetLoader() {
    }

    /** Loads a named dataset (see {@link DatasetCatalog#entries()}) into {@code options.table()} or its name. */
    public static LoadReport load(DataSource ds, String name, LoadOptions options) throws IOException, SQLException {
        try (Connection c = ds.getConnection()) {
            return load(c, name, options);
        }
    }

    public static LoadReport load(Connection conn, String name, LoadOptions options) throws IOException, SQLException {
        return load(conn, name, options, DatasetCatalog.defaultCacheDir());
    }

    /** As {@link #load(Connection, String, LoadOptions)}, with npm downloads cached in {@code cacheDir}. */
    public static LoadReport load(Connection conn, String name, LoadOptions options, Path cacheDir)
            throws IOException, SQLException {
        DatasetCatalog.Entry e = DatasetCatalog.entry(name);
        try (RecordSource src = DatasetCatalog.open(e.name(), options, cacheDir)) {
            return TableLoader.load(conn, src, options.tableOr(e.name()), options);
        }
    }

    /**
     * A file to read, or an IOException (exit code 4, a file error) saying why not: missing, a directory. What is
     * passed as {@code hint} follows the reason ("; pass --labels FILE").
     */
    public static void requireReadable(Path file, String hint) throws IOException {
        if (Files.isDirectory(file)) {
            throw new java.io.FileNotFoundException("cannot read " + file + ": it is a directory" + hint);
        }
        if (!Files.isRegularFile(file)) {
            throw new java.io.FileNotFoundException("cannot read " + file + ": no such file" + hint);
        }
    }

    /** Imports a file; the table defaults to the file name without extensions. */
    public static LoadReport importFile(Connection conn, Path file, ImportOptions format, LoadOptions options)
            throws IOException, SQLException {
        requireReadable(file, "");
        try (RecordSource src = open(file, format)) {
            String base = file.getFileName().toString();
            int dot = base.indexOf('.');
            return TableLoader.load(conn, src, options.tableOr(dot > 0 ? base.substring(0, dot) : base), options);
        }
    }

    /** Opens a file as a row source without loading it (for custom pipelines and tests). */
    public static RecordSource open(Path file, ImportOptions format) throws IOException {
        return switch (format.format()) {
            case LIBSVM -> new LibsvmSource(file, format);
            case CSV -> new CsvSource(file, format);
            case ARROW -> new ArrowSource(file, format);
            case IDX -> new IdxSource(file, format.labels() != null ? format.labels() : IdxSource.defaultLabels(file));
            case PARQUET -> new ParquetSource(file, format);
        };
    }
}
