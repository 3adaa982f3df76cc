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
}
