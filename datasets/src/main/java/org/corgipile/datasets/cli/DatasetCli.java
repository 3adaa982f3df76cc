package org.corgipile.datasets.cli;

import java.io.PrintWriter;
import java.sql.SQLException;

import org.corgipile.datasets.InputFormatException;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code corgipile dataset ...}: list, load, import and export datasets. The launcher runs it as
 * {@code java -Dcorgipile.local.url=JDBC -cp corgipile-datasets.jar org.corgipile.datasets.cli.DatasetCli ARGS};
 * {@code --url} overrides the local cluster's URL.
 *
 * <p>Exit codes: 0 success, 1 a failure the user can fix (bad input file, table exists, database error: one line
 * on stderr naming the cause), 2 bad command-line usage.
 */
@Command(name = "corgipile dataset", mixinStandardHelpOptions = true, version = "corgipile datasets 0.1.0",
        description = "Datasets for corgipile: paper-shaped generators, real data, file import, Arrow export.",
        subcommands = {ListCommand.class, LoadCommand.class, ImportCommand.class, ExportCommand.class})
public final class DatasetCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs the CLI in-process (tests, the bench); returns the exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new DatasetCli());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof InputFormatException || e instanceof IllegalArgumentException
                    || e instanceof UnsupportedOperationException || e instanceof java.io.IOException
                    || e instanceof SQLException) {
                String msg = e.getMessage();
                if (e instanceof SQLException s && s.getSQLState() != null) {
                    msg = msg + " (SQLSTATE " + s.getSQLState() + ")";
                }
                cmd.getErr().println("corgipile dataset: error: " + msg);
                cmd.getErr().flush();
                return 1;
            }
            throw e;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
