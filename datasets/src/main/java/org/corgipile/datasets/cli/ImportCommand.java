package org.corgipile.datasets.cli;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.concurrent.Callable;

import org.corgipile.cli.DatabaseOptions;
import org.corgipile.datasets.DatasetLoader;
import org.corgipile.datasets.FeatureKind;
import org.corgipile.datasets.LabelType;
import org.corgipile.datasets.LoadReport;
import org.corgipile.datasets.format.FileFormat;
import org.corgipile.datasets.format.ImportOptions;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code dataset import FILE [--format F]}: load a LIBSVM, CSV, Arrow, idx or Parquet file. */
@Command(name = "import", description = "Import a file (libsvm, csv, arrow, idx) into a table.",
        mixinStandardHelpOptions = true)
final class ImportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "input file (LIBSVM, CSV and idx may be gzipped)")
    Path file;

    @Option(names = "--format", paramLabel = "F", description = "libsvm, csv, arrow, idx or parquet (default: from "
            + "FILE's name: .csv, .libsvm/.svm, .arrow/.feather/.ipc, .parquet, *-idx3-ubyte/.idx; also .gz)")
    String format;

    @Option(names = "--label-type", paramLabel = "T",
            description = "int (classification) or float8 (regression); default: int if all labels are integers")
    String labelType;

    @Option(names = "--label-column", paramLabel = "C",
            description = "CSV/Arrow label column, a name or (CSV) 0-based number; default 'label', else the first")
    String labelColumn;

    @Option(names = "--sparse", description = "LIBSVM: sparse table (indices int[], vals float8[])")
    boolean sparse;

    @Option(names = "--dense", description = "LIBSVM: dense table (features float8[])")
    boolean dense;

    @Option(names = "--dimension", paramLabel = "D", defaultValue = "0",
            description = "LIBSVM: number of features (default: largest index)")
    int dimension;

    @Option(names = "--no-header", description = "CSV: the first line is data")
    boolean noHeader;

    @Option(names = "--delimiter", paramLabel = "C", defaultValue = ",", description = "CSV field separator")
    char delimiter;

    @Option(names = "--labels", paramLabel = "FILE", description = "idx: labels file (default: derived from FILE)")
    Path labels;

    @Mixin
    LayoutOptions layout;

    @Mixin
    DatabaseOptions db;

    @Override
    public Integer call() throws Exception {
        if (sparse && dense) {
            throw new IllegalArgumentException("--sparse and --dense exclude each other");
        }
        ImportOptions o = ImportOptions.of(format == null
                ? FileFormat.fromName(String.valueOf(file.getFileName())) : FileFormat.parse(format))
                .labelType(labelType == null ? null : LabelType.parse(labelType))
                .kind(sparse ? FeatureKind.SPARSE : dense ? FeatureKind.DENSE : null)
                .dimension(dimension).labelColumn(labelColumn).header(!noHeader).delimiter(delimiter).labels(labels);
        LayoutOptions l = layout;
        try (Connection c = db.connect()) {
            LoadReport r = DatasetLoader.importFile(c, file, o, l.toLoadOptions(0));
            spec.commandLine().getOut().println(r.summary());
            spec.commandLine().getOut().flush();
        }
        return 0;
    }
}
