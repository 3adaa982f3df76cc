package org.corgipile.datasets.cli;

import java.io.PrintWriter;
import java.sql.SQLException;

import org.corgipile.cli.ExitCodes;
import org.corgipile.cli.VersionProvider;
import org.corgipile.datasets.InputFormatException;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code corgipile dataset ...}: list, load, import and export datasets. The launcher runs it as
 * {@code java -Dcorgipile.local.url=JDBC -cp corgipile-datasets.jar org.corgipile.datasets.cli.DatasetCli ARGS};
 * {@code --url} overrides the local cluster's URL.
 *
 * <p>Exit codes: those of every corgipile command ({@link ExitCodes}): 0 success, 1 usage, 2 database error, 3 bad
 * input (file, argument, existing table), 4 file error; one line on stderr naming the cause.
 */
@Command(name = "corgipile dataset", mixinStandardHelpOptions = true, versionProvider = DatasetCli.Product.class,
        scope = CommandLine.ScopeType.INHERIT, exitCodeOnInvalidInput = ExitCodes.USAGE, footerHeading = "%n",
        footer = {ExitCodes.H0, ExitCodes.H1, ExitCodes.H2, ExitCodes.H3, ExitCodes.H4, ExitCodes.H5, ExitCodes.H6, ExitCodes.H7},
        description = "Datasets for corgipile: paper-shaped generators, real data, file import, Arrow export.",
        subcommands = {ListCommand.class, LoadCommand.class, ImportCommand.class, ExportCommand.class})
public final class DatasetCli implements Runnable {
    /** {@code --version}: corgipile datasets and the one version. */
    static final class Product extends VersionProvider {
        Product() {
            super("corgipile datasets");
        }
    }

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
            // the exit codes of every corgipile command (ExitCodes): 3 bad data or argument, 4 file, 2 database
            int code;
            if (e instanceof InputFormatException || e instanceof IllegalArgumentException
                    || e instanceof UnsupportedOperationException) {
                code = ExitCodes.INVALID_INPUT;
            } else if (e instanceof java.io.IOException || e instanceof java.io.UncheckedIOException) {
                code = ExitCodes.IO;
            } else if (e instanceof SQLException s) {
                code = ExitCodes.of(s);
            } else {
                throw e;
            }
            String msg = e.getMessage();
            if (e instanceof SQLException s && s.getSQLState() != null) {
                msg = msg + " (SQLSTATE " + s.getSQLState() + ")";
            }
            cmd.getErr().println("corgipile dataset: error: " + msg);
            cmd.getErr().flush();
            return code;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
