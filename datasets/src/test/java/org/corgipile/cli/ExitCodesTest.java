package org.corgipile.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.sql.SQLException;

import org.junit.jupiter.api.Test;

/** docs/client.md's one table of exit codes, for any failure of any corgipile command. */
class ExitCodesTest {

    /** Bug: corgipile dataset --help said "run with --verbose", an option dataset does not have (it prints the trace). */
    @Test
    void datasetHelpDoesNotSendUsersToAnOptionItLacks() {
        picocli.CommandLine cl = new picocli.CommandLine(new org.corgipile.datasets.cli.DatasetCli());
        for (picocli.CommandLine c : java.util.stream.Stream.concat(java.util.stream.Stream.of(cl),
                cl.getSubcommands().values().stream()).toList()) {
            String help = c.getUsageMessage();
            assertTrue(help.contains("  5  internal error: a bug"), help);
            assertEquals(c.getCommandSpec().findOption("--verbose") != null, help.contains("--verbose"), help);
        }
    }

    /**
     * Bug: an unknown schema (3F000, "train nosuch.t") exited 2, a database error, where an unknown relation
     * ("train nosuch") exits 3: both are a name the user gave.
     */
    @Test
    void anUnknownSchemaIsInvalidInputLikeAnUnknownRelation() {
        assertEquals(ExitCodes.INVALID_INPUT, ExitCodes.of(new SQLException("schema \"nosuch\" does not exist",
                "3F000")));
        assertEquals(ExitCodes.INVALID_INPUT, ExitCodes.of(new SQLException("relation \"nosuch\" does not exist",
                "42P01")));
    }

    @Test
    void everyKindOfFailureHasTheCodeOfTheTable() {
        assertEquals(ExitCodes.INVALID_INPUT, ExitCodes.of((Throwable) new SQLException("no table", "42P01")));
        assertEquals(ExitCodes.DATABASE, ExitCodes.of((Throwable) new SQLException("refused", "08001")));
        assertEquals(ExitCodes.INVALID_INPUT, ExitCodes.of(new IllegalArgumentException("bad")));
        assertEquals(ExitCodes.IO, ExitCodes.of(new IOException("disk")));
        assertEquals(ExitCodes.IO, ExitCodes.of(new UncheckedIOException(new IOException("disk"))));
        assertEquals(ExitCodes.OUT_OF_MEMORY, ExitCodes.of(new OutOfMemoryError("Java heap space")));
        assertEquals(ExitCodes.INTERNAL, ExitCodes.of(new NullPointerException()));
    }

    @Test
    void aBugIsReportedWithItsStackTraceAndAnythingElseInOneLine() {
        StringWriter err = new StringWriter();
        assertEquals(ExitCodes.INTERNAL, ExitCodes.report(new NullPointerException("x"), ExitCodes.INTERNAL,
                "corgipile dataset", new PrintWriter(err)));
        assertTrue(err.toString().startsWith("corgipile dataset: error: internal error: java.lang.NullPointerException: x"
                + " (please report a bug"), err.toString());
        assertTrue(err.toString().contains("\tat org.corgipile.cli.ExitCodesTest"), err.toString());

        err = new StringWriter();
        assertEquals(ExitCodes.INVALID_INPUT, ExitCodes.report(new SQLException("relation \"t\" does not exist", "42P01"),
                ExitCodes.INVALID_INPUT, "corgipile bench", new PrintWriter(err)));
        assertEquals("corgipile bench: error: relation \"t\" does not exist (SQLSTATE 42P01)",
                err.toString().strip());
    }

    /**
     * Bug: SQLSTATE 0A000 (feature not supported: a partitioned table in client mode, --mode server without the
     * extension) exited 2, a database error, while the same refusal raised on the Java side
     * (UnsupportedOperationException) exits 3: both are the engine refusing this input.
     */
    @Test
    void featureNotSupportedIsInvalidInputOnBothSides() {
        assertEquals(ExitCodes.INVALID_INPUT, ExitCodes.of(new SQLException("partitioned tables are not supported in "
                + "client mode", "0A000")));
        assertEquals(ExitCodes.INVALID_INPUT, ExitCodes.of(new UnsupportedOperationException("partitioned table")));
    }

    /**
     * Bug: a usage error of corgipile dataset printed picocli's message and the whole help; it is one line naming
     * the command, picocli's suggestion when it has one, and a hint pointing to the command's --help, exit 1.
     */
    @Test
    void aDatasetUsageErrorIsOneLineNotTheWholeHelp() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(ExitCodes.USAGE, org.corgipile.datasets.cli.DatasetCli.run(new PrintWriter(out),
                new PrintWriter(err), "load", "higgs-like", "--row", "10"));
        assertEquals("corgipile dataset load: error: Unknown options: '--row', '10'\nDid you mean: --rows?\n"
                + "corgipile: hint: see corgipile dataset load --help\n", err.toString());
        assertEquals("", out.toString());
        for (String[] args : java.util.List.of(new String[] {"load"}, new String[] {"lod", "higgs-like"},
                new String[] {"import", "f.csv"}, new String[] {"export", "t"}, new String[] {"list", "x"},
                new String[] {"load", "higgs-like", "--rows", "many"})) {
            err = new StringWriter();
            assertEquals(ExitCodes.USAGE, org.corgipile.datasets.cli.DatasetCli.run(new PrintWriter(new StringWriter()),
                    new PrintWriter(err), args), err.toString());
            String name = args[0].equals("lod") ? "corgipile dataset" : "corgipile dataset " + args[0];
            String[] lines = err.toString().split("\n");
            assertTrue(lines.length <= 3 && lines[0].startsWith(name + ": error: ")
                    && lines[lines.length - 1].equals("corgipile: hint: see " + name + " --help"), err.toString());
        }
    }

    /** Bug: a --url that is not a PostgreSQL JDBC URL exited 2 (a database error); it is a malformed argument (1). */
    @Test
    void aMalformedUrlIsAUsageErrorForDatasetToo() {
        StringWriter err = new StringWriter();
        assertEquals(ExitCodes.USAGE, org.corgipile.datasets.cli.DatasetCli.run(new PrintWriter(new StringWriter()),
                new PrintWriter(err), "load", "higgs-like", "--rows", "10", "--url", "postgres://localhost/db"));
        assertTrue(err.toString().startsWith("corgipile dataset load: error: Invalid value for option '--url': not a "
                + "PostgreSQL JDBC URL"), err.toString());
    }
}
