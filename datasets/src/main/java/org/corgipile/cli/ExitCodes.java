package org.corgipile.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.util.function.ToIntFunction;

import picocli.CommandLine;

/**
 * Exit codes of every {@code corgipile} command ({@code train}, {@code predict}, ..., {@code dataset}, {@code bench}),
 * documented in their {@code --help} footers and docs/client.md. It lives in the datasets module, the lowest one
 * with a command line, so that every CLI shares it. Scripts can tell a typo
 * on the command line (1) from a database that is down (2) from data the engine refuses (3).
 */
public final class ExitCodes {
    /** Success. */
    public static final int OK = 0;
    /**
     * Usage error: unknown command or option, missing or malformed argument (picocli's own code), no database given
     * (no {@code --url} outside the launcher, {@link DatabaseOptions#resolvedUrl}).
     */
    public static final int USAGE = 1;
    /** Database error: cannot connect, permission denied, the statement failed or was cancelled. */
    public static final int DATABASE = 2;
    /**
     * Invalid input: the engine or the server refused an argument or the data (SQLSTATE classes 22 and 42, 3F and
     * 0A: a bad hyper-parameter, an unknown schema, relation, column or model, NaN in the data, a diverging loss, a
     * feature not supported for this input or machine such as a partitioned table in client mode or
     * {@code --device gpu} without an OpenCL device).
     */
    public static final int INVALID_INPUT = 3;
    /** A file could not be read or written (export). */
    public static final int IO = 4;
    /** An internal error: a bug, please report it (run again with --verbose for the stack trace). */
    public static final int INTERNAL = 5;
    /** The client's Java heap is exhausted (client-mode training holds its buffer and model in this JVM). */
    public static final int OUT_OF_MEMORY = 6;

    /** The exit codes as {@code --help} prints them, one constant per line (annotations need constants). */
    public static final String H0 = "Exit codes:";
    public static final String H1 = "  0  success";
    public static final String H2 = "  1  usage error: unknown option, missing or malformed argument";
    public static final String H3 = "  2  database error: cannot connect, permission denied, statement failed";
    public static final String H4 = "  3  invalid input: bad argument, unknown relation/column/model, bad data, "
            + "unsupported (no GPU)";
    public static final String H5 = "  4  file error: cannot read or write a file";
    public static final String H6 = "  5  internal error: a bug (run with --verbose and report it)";
    public static final String H7 = "  6  out of memory: the client's Java heap is exhausted";
    /** {@link #H6} for the commands without {@code --verbose} ({@code dataset}, {@code bench}): they print the trace. */
    public static final String H6_TRACED = "  5  internal error: a bug (report it with the stack trace it prints)";

    private ExitCodes() {
    }

    /**
     * The exit code for any failure of a command: a failed statement by its SQLSTATE ({@link #of(SQLException)}), an
     * argument or input the code refused ({@link IllegalArgumentException}, {@link UnsupportedOperationException}) 3,
     * a file 4, an exhausted heap 6, anything else a bug (5).
     */
    public static int of(Throwable t) {
        if (t instanceof SQLException s) {
            return of(s);
        } else if (t instanceof IllegalArgumentException || t instanceof UnsupportedOperationException) {
            return INVALID_INPUT;
        } else if (t instanceof IOException || t instanceof UncheckedIOException) {
            return IO;
        } else if (t instanceof OutOfMemoryError) {
            return OUT_OF_MEMORY;
        }
        return INTERNAL;
    }

    /**
     * How the command lines without a reporter of their own ({@code corgipile dataset}, {@code corgipile bench},
     * {@code bench-scale-out}, the benchmarks' mains) fail, installed on {@code cl}: usage errors in one line and a
     * hint ({@link UsageErrors}), any other failure one line by {@link #report} and the code {@code code} gives it.
     * {@code root}: the command as users type it. Returns {@code cl}.
     */
    public static CommandLine reportFailures(CommandLine cl, String root, ToIntFunction<Throwable> code) {
        cl.setParameterExceptionHandler(new UsageErrors(root));
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> report(e, code.applyAsInt(e), root, cmd.getErr()));
        return cl;
    }

    /** {@link #reportFailures(CommandLine, String, ToIntFunction)} with the codes of {@link #of(Throwable)}. */
    public static CommandLine reportFailures(CommandLine cl, String root) {
        return reportFailures(cl, root, ExitCodes::of);
    }

    /**
     * Reports a failed command of the CLIs without a reporter of their own ({@code corgipile dataset},
     * {@code corgipile bench}) as every command does: one line {@code COMMAND: error: MESSAGE (SQLSTATE xxxxx)}; for a
     * bug ({@link #INTERNAL}) the stack trace follows, to be reported. Returns {@code code}.
     */
    public static int report(Throwable t, int code, String command, PrintWriter err) {
        if (code == INTERNAL) {
            err.println(command + ": error: internal error: " + t + " (please report a bug with this stack trace)");
            t.printStackTrace(err);
        } else if (code == OUT_OF_MEMORY) {
            err.println(command + ": error: Java heap exhausted (maximum heap " + (Runtime.getRuntime().maxMemory() >> 20)
                    + " MB): " + t.getMessage() + "; give it more heap with JAVA_TOOL_OPTIONS=-Xmx4g");
        } else {
            String state = t instanceof SQLException s && s.getSQLState() != null
                    ? " (SQLSTATE " + s.getSQLState() + ")" : "";
            err.println(command + ": error: " + t.getMessage() + state);
        }
        err.flush();
        return code;
    }

    /** The exit code for a failed statement, by SQLSTATE class. */
    public static int of(SQLException e) {
        String state = e.getSQLState();
        if (state == null || state.length() < 2) {
            return DATABASE;
        }
        return switch (state.substring(0, 2)) {
            // 3F: an unknown schema, as an unknown relation (42P01); 0A: a feature the engine does not support for
            // this input (a partitioned table in client mode, --mode server without the extension), as the Java
            // side's UnsupportedOperationException
            case "22", "42", "3F", "0A" -> INVALID_INPUT;
            case "58" -> IO;
            case "XX" -> INTERNAL;
            default -> DATABASE;
        };
    }
}
