package org.corgipile.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code corgipile export model|table|predictions}: models as JSON; tables and predictions as Arrow IPC files. */
@Command(name = "export", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = ExitCodes.USAGE,
        description = "Export a model as JSON, or a table or predictions as an Arrow IPC file (for pandas/polars).",
        subcommands = {ExportCommand.Model.class, ExportCommand.Table.class, ExportCommand.Predictions.class})
final class ExportCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "say what to export: model, table or predictions");
    }

    /** {@code corgipile export model NAME [-o FILE]}. */
    @Command(name = "model", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = ExitCodes.USAGE,
            description = "Write a stored model (its whole catalog row) as JSON to stdout or a file.")
    static final class Model implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        GlobalOptions global;

        @Parameters(index = "0", paramLabel = "NAME", description = "model name")
        String name;

        @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "write to FILE instead of stdout")
        Path output;

        @Override
        public Integer call() {
            return Failures.run(spec, global.verbose, this::execute);
        }

        private Integer execute() throws Exception {
            String json = global.corgipile().exportJson(name);
            if (output == null) {
                PrintWriter out = spec.commandLine().getOut();
                out.println(json);
                out.flush();
            } else {
                try {
                    Files.writeString(output, json + "\n", StandardCharsets.UTF_8);
                } catch (java.io.IOException e) {
                    throw org.corgipile.client.CorgiPileException.cannotWrite(output, e);
                }
                // on stdout, as export table/predictions, predict --into and train confirm what they wrote
                spec.commandLine().getOut().println("model " + name + " written to " + output);
                spec.commandLine().getOut().flush();
            }
            return ExitCodes.OK;
        }
    }

    /** {@code corgipile export table TABLE -o FILE.arrow}. */
    @Command(name = "table", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = ExitCodes.USAGE,
            description = {"Write a dataset table (id, label, features float8[] or id, label, indices int[], "
                    + "vals float8[]) to an Arrow IPC file, in storage order.",
                "Read it with pyarrow.ipc.open_file(FILE).read_all() or polars.read_ipc(FILE)."})
    static final class Table implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        GlobalOptions global;

        @Parameters(index = "0", paramLabel = "TABLE", description = "dataset table")
        String table;

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "Arrow IPC file")
        Path output;

        @Override
        public Integer call() {
            return Failures.run(spec, global.verbose, this::execute);
        }

        private Integer execute() throws Exception {
            long n = global.corgipile().exportTable(table, output);
            spec.commandLine().getOut().println(n + " rows of " + table + " written to " + output);
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        }
    }

    /** {@code corgipile export predictions MODEL -q SQL -o FILE.arrow}. */
    @Command(name = "predictions", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = ExitCodes.USAGE,
            description = {"Predict with a stored model for every row of a query and write the rows and their "
                    + "prediction to an Arrow IPC file (integers as int64, numbers as float64, arrays as "
                    + "list<float64>, other types as text)."})
    static final class Predictions implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        GlobalOptions global;

        @Parameters(index = "0", paramLabel = "MODEL", description = "model name")
        String model;

        @Option(names = {"-q", "--query"}, required = true, paramLabel = "SQL", description = "a SELECT to predict")
        String query;

        @Option(names = "--features", paramLabel = "COLUMNS",
                description = "the query's feature array column, or a column list \"x1, x2\" (default: the model's, "
                        + "as it was trained)")
        String features;

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "Arrow IPC file")
        Path output;

        @Override
        public Integer call() {
            return Failures.run(spec, global.verbose, this::execute);
        }

        private Integer execute() throws Exception {
            var cp = global.corgipile();
            long n = cp.exportPredictions(model, query, features != null ? features
                    : PredictCommand.trainedFeatures(cp, model), output);
            spec.commandLine().getOut().println(n + " predictions written to " + output);
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        }
    }
}
