package org.corgipile.datasets.cli;

import java.io.PrintWriter;

import org.corgipile.datasets.real.DatasetCatalog;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code dataset list}: the named datasets with their default sizes. */
@Command(name = "list", description = "List the datasets `load` knows.", mixinStandardHelpOptions = true)
final class ListCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        for (DatasetCatalog.Entry e : DatasetCatalog.entries()) {
            out.printf("%-22s %-9s default rows %-8d %s%n", e.name(), e.generated() ? "generated" : "real",
                    e.defaultRows(), e.description());
        }
        out.flush();
    }
}
