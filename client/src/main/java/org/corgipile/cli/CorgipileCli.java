package org.corgipile.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.sql.SQLException;

import org.corgipile.client.CorgiPileException;
import org.corgipile.client.jdbc.JdbcBlockSource;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code corgipile} command line: train, list, evaluate, predict, install and export, against a database given
 * by {@code --url} or, through the {@code ./corgipile} launcher, the local cluster.
 *
 * <p>Errors are one line ({@code corgipile: error: ...}) with the SQLSTATE and the server's or engine's hint, and an
 * exit code by kind ({@link ExitCodes}); {@code --verbose} adds the stack trace. Tests run commands in-process with
 * {@code new CommandLine(new CorgipileCli()).execute(...)}, which is why error handling is installed by
 * {@link #commandLine()} and {@link #main} only calls {@code System.exit}.
 */
@Command(name = "corgipile", mixinStandardHelpOptions = true, version = "corgipile 0.1.0",
        description = "CorgiPile shuffled SGD in PostgreSQL: train models in the database (extension) or from this "
                + "client over JDBC, and use them.",
        subcommands = {TrainCommand.class, ModelsCommand.class, EvaluateCommand.class, PredictCommand.class,
                InstallCommand.class, ExportCommand.class, CommandLine.HelpCommand.class},
        footerHeading = "%n", footer = {
            "Exit Codes:",
            "  0   success",
            "  1   usage error (unknown option, missing or malformed argument)",
            "  2   database error (cannot connect, permission denied, statement failed or cancelled)",
            "  3   invalid input refused by the engine (bad argument, unknown relation/column/model, bad data)",
            "  4   file error (cannot read or write a file)",
            "  5   internal error (a bug; run with --verbose and report it)"})
public final class CorgipileCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "a command is required: train, models, evaluate, predict, install or export");
    }

    /** A command line with corgipile's error handling, for {@link #main} and for in-process tests. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new CorgipileCli());
        cl.setExecutionExceptionHandler(CorgipileCli::handle);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** Prints one error line (plus hint and, with --verbose, the stack trace) and picks the exit code. */
    static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        boolean verbose = parsed.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--verbose"))
                || parsed.hasMatchedOption("--verbose");
        Throwable t = e;
        if (t instanceof JdbcBlockSource.UncheckedSqlException u) {
            t = u.getCause();
        }
        int code;
        String hint = null;
        String message;
        if (t instanceof SQLException s) {
            code = ExitCodes.of(s);
            message = firstLine(s.getMessage()) + (s.getSQLState() != null ? " (SQLSTATE " + s.getSQLState() + ")" : "");
            if (s instanceof CorgiPileException c) {
                hint = c.hint();
            } else if (s instanceof PSQLException p && p.getServerErrorMessage() != null) {
                ServerErrorMessage m = p.getServerErrorMessage();
                message = m.getMessage() + " (SQLSTATE " + m.getSQLState() + ")";
                hint = m.getHint();
            }
            if (s.getSQLState() != null && s.getSQLState().startsWith("08")) {
                hint = hint != null ? hint : "is the server running? For the local cluster: ./corgipile db start";
            }
        } else if (t instanceof IOException || t instanceof UncheckedIOException) {
            code = ExitCodes.IO;
            message = t.getMessage();
        } else if (t instanceof IllegalArgumentException) {
            code = ExitCodes.INVALID_INPUT;
            message = t.getMessage();
        } else {
            code = ExitCodes.INTERNAL;
            message = "internal error: " + t + " (please report a bug; --verbose shows the stack trace)";
        }
        err.println("corgipile: error: " + message);
        if (hint != null) {
            err.println("corgipile: hint: " + hint);
        }
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        s = s.strip();
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
