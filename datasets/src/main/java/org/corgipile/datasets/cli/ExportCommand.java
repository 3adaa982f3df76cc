package org.corgipile.datasets.cli;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.concurrent.Callable;

import org.corgipile.cli.DatabaseOptions;
import org.corgipile.datasets.ArrowExport;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code dataset export TABLE --arrow FILE}. */
@Command(name = "export", description = "Export a dataset table to an Arrow IPC file.", mixinStandardHelpOptions = true)
final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TABLE", description = "table with id, label and features columns")
    String table;

    @Option(names = "--arrow", required = true, paramLabel = "FILE", description = "Arrow IPC file to write")
    Path file;

    @Mixin
    DatabaseOptions db;

    @Override
    public Integer call() throws Exception {
        try (Connection c = db.connect()) {
            long t0 = System.nanoTime();
            long rows = ArrowExport.export(c, table, file);
            spec.commandLine().getOut().printf("exported %d rows of %s to %s in %.2f s%n", rows, table, file,
                    (System.nanoTime() - t0) / 1e9);
            spec.commandLine().getOut().flush();
        }
        return 0;
    }
}
