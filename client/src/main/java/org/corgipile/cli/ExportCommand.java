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
        subcommands = {ExportCommand.Model.class})
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
                Files.writeString(output, json + "\n", StandardCharsets.UTF_8);
                spec.commandLine().getErr().println("corgipile: model " + name + " written to " + output);
                spec.commandLine().getErr().flush();
            }
            return ExitCodes.OK;
        }
    }
}
