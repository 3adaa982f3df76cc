package org.corgipile.datasets.cli;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.concurrent.Callable;

import org.corgipile.cli.DatabaseOptions;
import org.corgipile.datasets.DatasetLoader;
import org.corgipile.datasets.LoadReport;
import org.corgipile.datasets.real.DatasetCatalog;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code dataset load NAME}: generate or fetch a named dataset and load it. */
@Command(name = "load", description = "Load a named dataset (see `list`) into a table.", mixinStandardHelpOptions = true)
final class LoadCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "dataset name, e.g. higgs-like, fashion-mnist")
    String name;

    @Option(names = "--rows", paramLabel = "N", defaultValue = "0",
            description = "rows to generate / at most rows to read (default: the dataset's size)")
    long rows;

    @Option(names = "--cache", paramLabel = "DIR", description = "download cache (default .corgipile/cache)")
    Path cache;

    @Mixin
    LayoutOptions layout;

    @Mixin
    DatabaseOptions db;

    @Override
    public Integer call() throws Exception {
        LayoutOptions l = layout;
        var options = l.toLoadOptions(rows);
        try (Connection c = db.connect()) {
            LoadReport r = DatasetLoader.load(c, name, options, cache != null ? cache : DatasetCatalog.defaultCacheDir());
            spec.commandLine().getOut().println(r.summary());
            spec.commandLine().getOut().flush();
        }
        return 0;
    }
}
