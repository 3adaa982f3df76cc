package org.corgipile.cli;

import java.util.ArrayList;
import java.util.List;


import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code corgipile} command line: train, list, evaluate, predict, install and export, against a database given
 * by {@code --url} or, through the {@code ./corgipile} launcher, the local cluster.
 *
 * <p>Errors are one line ({@code corgipile: error: ...}) with the SQLSTATE and the server's or engine's hint, and an
 * exit code by kind ({@link ExitCodes}); {@code --verbose} adds the stack trace. Each command handles its own
 * failures ({@link Failures}), usage errors are one line and a hint ({@link UsageErrors}), and only {@link #main}
 * calls {@code System.exit}, so tests run commands in-process with {@code CorgipileCli.commandLine().execute(...)}
 * and see the real exit codes and messages.
 */
@Command(name = "corgipile", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        scope = CommandLine.ScopeType.INHERIT,
        description = "CorgiPile shuffled SGD in PostgreSQL: train models in the database (extension) or from this "
                + "client over JDBC, and use them.",
        subcommands = {TrainCommand.class, ModelsCommand.class, EvaluateCommand.class, PredictCommand.class,
                InstallCommand.class, ExportCommand.class, CommandLine.HelpCommand.class},
        exitCodeOnInvalidInput = ExitCodes.USAGE, footerHeading = "%n",
        footer = {ExitCodes.H0, ExitCodes.H1, ExitCodes.H2, ExitCodes.H3, ExitCodes.H4, ExitCodes.H5, ExitCodes.H6,
                ExitCodes.H7})
public final class CorgipileCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "a command is required: train, models, evaluate, predict, install or export");
    }

    /**
     * The command line {@link #main} runs: {@code new CommandLine(new CorgipileCli())}, usage errors in one line
     * ({@link UsageErrors}) and the exit codes at the end of every subcommand's {@code --help} (the top-level help
     * has them from its annotation).
     */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new CorgipileCli());
        cl.setParameterExceptionHandler(new UsageErrors("corgipile"));
        cl.getSubcommands().values().stream().filter(sub -> !sub.getCommandName().equals("help")).distinct()
                .forEach(CorgipileCli::addExitCodes);
        return cl;
    }

    private static void addExitCodes(CommandLine cl) {
        List<String> footer = new ArrayList<>(List.of(cl.getCommandSpec().usageMessage().footer()));
        // A command without a footer of its own inherits the top-level one (scope INHERIT), exit codes included.
        if (!footer.contains(ExitCodes.H0)) {
            footer.addAll(List.of("", ExitCodes.H0, ExitCodes.H1, ExitCodes.H2, ExitCodes.H3, ExitCodes.H4,
                    ExitCodes.H5, ExitCodes.H6, ExitCodes.H7));
            cl.getCommandSpec().usageMessage().footer(footer.toArray(String[]::new));
        }
        cl.getSubcommands().values().forEach(CorgipileCli::addExitCodes);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
