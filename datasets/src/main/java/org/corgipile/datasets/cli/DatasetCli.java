package org.corgipile.datasets.cli;

import java.io.PrintWriter;

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
 * input (file, argument, existing table), 4 file error, 5 a bug (with its stack trace), 6 out of memory; one line on
 * stderr naming the cause.
 */
@Command(name = "corgipile dataset", mixinStandardHelpOptions = true, versionProvider = DatasetCli.Product.class,
        scope = CommandLine.ScopeType.INHERIT, exitCodeOnInvalidInput = ExitCodes.USAGE, footerHeading = "%n",
        footer = {ExitCodes.H0, ExitCodes.H1, ExitCodes.H2, ExitCodes.H3, ExitCodes.H4, ExitCodes.H5, ExitCodes.H6_TRACED, ExitCodes.H7},
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
        // the exit codes of every corgipile command (ExitCodes); a file the loader cannot parse is bad input (3)
        ExitCodes.reportFailures(cl, "corgipile dataset",
                e -> e instanceof InputFormatException ? ExitCodes.INVALID_INPUT : ExitCodes.of(e));
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            // unwinding has dropped the loader's batches: there is room again to report
            return ExitCodes.report(e, ExitCodes.OUT_OF_MEMORY, "corgipile dataset", err);
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
