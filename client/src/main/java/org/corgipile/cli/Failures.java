package org.corgipile.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import java.io.PrintWriter;
import java.sql.SQLException;
import java.util.concurrent.Callable;

import org.corgipile.client.CorgiPileException;
import org.corgipile.operators.TrainingException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * How every command fails: one line {@code corgipile: error: MESSAGE (SQLSTATE xxxxx)}, then the server's or the
 * engine's hint when there is one, the stack trace only with {@code --verbose}, and an exit code by kind
 * ({@link ExitCodes}).
 */
final class Failures {
    private Failures() {
    }

    /**
     * Runs a command body and turns its failure into a message and an exit code; a usage error found while running
     * (no database given) goes on to picocli's handler of usage errors ({@link UsageErrors}).
     */
    static int run(CommandSpec spec, boolean verbose, Callable<Integer> body) {
        try {
            return body.call();
        } catch (ParameterException e) {
            throw e;
        } catch (Exception e) {
            return report(e, spec.commandLine().getErr(), verbose, spec);
        } catch (OutOfMemoryError e) {
            // Unwinding has dropped the training's buffers: there is room again to report.
            return outOfMemory(e, spec.commandLine().getErr(), verbose);
        }
    }

    /**
     * A Java OutOfMemoryError escaped picocli as a stack trace with exit code 1 ("usage error"): one line, a hint
     * and {@link ExitCodes#OUT_OF_MEMORY}.
     */
    static int outOfMemory(OutOfMemoryError e, PrintWriter err, boolean verbose) {
        err.println("corgipile: error: Java heap exhausted in the client (maximum heap "
                + (Runtime.getRuntime().maxMemory() >> 20) + " MB): " + e.getMessage());
        err.println("corgipile: hint: give the client more heap (JAVA_TOOL_OPTIONS=-Xmx4g), use a smaller "
                + "--buffer-size, a strategy that does not hold the whole table (corgipile, none), or train in the "
                + "database (--mode server)");
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        return ExitCodes.OUT_OF_MEMORY;
    }

    static int report(Exception e, PrintWriter err, boolean verbose) {
        return report(e, err, verbose, null);
    }

    /** Like {@link #report(Exception, PrintWriter, boolean)}, with hints phrased in {@code command}'s options. */
    static int report(Exception e, PrintWriter err, boolean verbose, CommandSpec command) {
        Throwable t = e;
        if (t instanceof TrainingException u) {
            t = new CorgiPileException(u);
        }
        int code = ExitCodes.of(t);
        String hint = null;
        String message;
        if (t instanceof SQLException s) {
            message = firstLine(s.getMessage()) + (s.getSQLState() != null ? " (SQLSTATE " + s.getSQLState() + ")" : "");
            if (s instanceof CorgiPileException c) {
                hint = c.hint();
            } else if (s instanceof PSQLException p && p.getServerErrorMessage() != null) {
                ServerErrorMessage m = p.getServerErrorMessage();
                message = m.getMessage() + " (SQLSTATE " + m.getSQLState() + ")";
                hint = m.getHint();
            }
            // the driver's connection failures, not a --url refused before connecting (DatabaseOptions)
            if (hint == null && fromDriver(s) && s.getSQLState() != null && s.getSQLState().startsWith("08")) {
                hint = "is the server running? For the local cluster: ./corgipile db start";
            }
        } else if (code == ExitCodes.INTERNAL) {
            message = "internal error: " + t + " (please report a bug; --verbose shows the stack trace)";
        } else {
            message = t.getMessage();
        }
        err.println("corgipile: error: " + message);
        if (hint != null && command != null) {
            hint = cliHint(hint, command);
        }
        if (hint != null) {
            err.println("corgipile: hint: " + hint);
        }
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    private static boolean fromDriver(Throwable t) {
        for (; t != null; t = t.getCause()) {
            if (t instanceof PSQLException) {
                return true;
            }
        }
        return false;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }

    private static final Pattern JSON_FLAG = Pattern.compile("options => '\\{\"(\\w+)\": true\\}'");
    private static final Pattern SQL_ARGUMENT = Pattern.compile("\\b(\\w+) => (true|'([^']*)'|[-+0-9.eE]+)");
    private static final Pattern ALLOWED = Pattern.compile("Allowed arguments: ([a-z0-9_]+(?:, [a-z0-9_]+)*)\\.");
    private static final Pattern SQL_NAME = Pattern.compile("\\b([a-z]+(?:_[a-z]+)+)\\b");

    /**
     * A hint written for SQL users ({@code pass overwrite => true}, {@code options => '{"overwrite": true}'},
     * {@code model_name}) in the options of the command that failed ({@code pass --overwrite}, {@code --model-name}):
     * only names that are options of {@code command} are rewritten.
     */
    static String cliHint(String hint, CommandSpec command) {
        Matcher allowed = ALLOWED.matcher(hint);
        if (allowed.matches()) {
            // the engine's list of training arguments: each by its option, the rest through --option
            List<String> own = new ArrayList<>();
            List<String> other = new ArrayList<>();
            for (String name : allowed.group(1).split(",\\s*")) {
                String o = option(command, name);
                (o != null ? own : other).add(o != null ? o : name);
            }
            if (!own.isEmpty() && command.findOption("--option") != null) {
                return "Allowed arguments: " + String.join(", ", own)
                        + (other.isEmpty() ? "" : "; with --option KEY=VALUE: " + String.join(", ", other)) + ".";
            }
        }
        String h = replace(JSON_FLAG, hint, m -> option(command, m.group(1)));
        h = replace(SQL_ARGUMENT, h, m -> {
            String o = option(command, m.group(1));
            if (o == null) {
                return null;
            }
            String v = m.group(2).equals("true") ? "" : " " + (m.group(3) != null ? m.group(3) : m.group(2));
            return o + v;
        });
        return replace(SQL_NAME, h, m -> option(command, m.group(1)));
    }

    /**
     * The option of {@code command} for an engine argument ({@code learning_rate} -> {@code --learning-rate}), or
     * null when it has none.
     */
    static String option(CommandSpec command, String sqlName) {
        String o = "--" + sqlName.replace('_', '-');
        return command.findOption(o) != null ? o : null;
    }

    private static String replace(Pattern p, String s, java.util.function.Function<Matcher, String> f) {
        Matcher m = p.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String r = f.apply(m);
            m.appendReplacement(out, Matcher.quoteReplacement(r != null ? r : m.group()));
        }
        m.appendTail(out);
        return out.toString();
    }
}
