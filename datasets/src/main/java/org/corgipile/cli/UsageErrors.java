package org.corgipile.cli;

import java.io.PrintWriter;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * How every corgipile command line reports a usage error (an unknown command or option, a missing or malformed
 * argument): instead of picocli's message followed by the whole help, three short lines on stderr,
 * <pre>
 * corgipile train: error: Unknown option: '--epoch'
 * Did you mean: --epochs?
 * corgipile: hint: see corgipile train --help
 * </pre>
 * (the suggestion only when picocli has one) and exit code {@link ExitCodes#USAGE}. Every command line installs it
 * naming its root as users type it: {@code corgipile} with {@code setParameterExceptionHandler(new
 * UsageErrors("corgipile"))}, the others ({@code corgipile dataset}, {@code corgipile bench}, the benchmarks' mains)
 * with {@link ExitCodes#reportFailures}.
 */
public final class UsageErrors implements IParameterExceptionHandler {
    private final String root;

    /** {@code root}: the root command as users type it ({@code corgipile}, {@code corgipile dataset}, ...). */
    public UsageErrors(String root) {
        this.root = root;
    }

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        String command = command(cmd);
        PrintWriter err = cmd.getErr();
        err.println(command + ": error: " + ex.getMessage());
        if (ex instanceof UnmatchedArgumentException u) {
            List<String> suggestions = u.getSuggestions();
            if (!suggestions.isEmpty()) {
                err.println("Did you mean: " + String.join(" or ", suggestions) + "?");
            }
        }
        err.println("corgipile: hint: see " + command + " --help");
        err.flush();
        return ExitCodes.USAGE;
    }

    /** The command that failed as users type it: the root's name, then the subcommands down to {@code cmd}. */
    String command(CommandLine cmd) {
        Deque<String> names = new ArrayDeque<>();
        for (CommandLine c = cmd; c != null && c.getParent() != null; c = c.getParent()) {
            names.addFirst(c.getCommandName());
        }
        names.addFirst(root);
        return String.join(" ", names);
    }
}
