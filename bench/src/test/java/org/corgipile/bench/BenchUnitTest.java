package org.corgipile.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.corgipile.bench.engine.EpochResult;
import org.corgipile.bench.engine.Strategy;
import org.corgipile.bench.io.DeviceProfile;
import org.corgipile.bench.report.TimeToAccuracy;
import org.corgipile.bench.run.BenchResults.StrategyResult;
import org.corgipile.cli.ExitCodes;
import org.junit.jupiter.api.Test;

import picocli.CommandLine;

class BenchUnitTest {

    @Test
    void strategyNamesParseAndUnknownNamesListTheAllowedOnes() {
        assertEquals(Strategy.SHUFFLE_ONCE, Strategy.parse("shuffle-once"));
        assertEquals(Strategy.CORGIPILE, Strategy.parse(" CorgiPile "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Strategy.parse("random"));
        assertTrue(e.getMessage().contains("'random'") && e.getMessage().contains("sliding_window"), e.getMessage());
    }

    @Test
    void profilesRejectNegativeLimits() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DeviceProfile.hdd(-1, 0));
        assertTrue(e.getMessage().contains("IOPS") && e.getMessage().contains("-1"), e.getMessage());
        assertTrue(DeviceProfile.hdd(150, 0).throttled());
        assertTrue(!DeviceProfile.memory().throttled() && !DeviceProfile.memory().cold());
    }

    @Test
    void timeToAccuracyCountsPreparationAndStopsAtTheFirstEpochReachingTheTarget() {
        StrategyResult s = result(5.0, new double[] {0.60, 0.775, 0.79}, new double[] {1, 2, 3});
        Optional<TimeToAccuracy.Reached> r = TimeToAccuracy.reach(s, 0.78, 0.01);
        assertEquals(2, r.orElseThrow().epoch());
        assertEquals(5.0 + 1 + 2, r.orElseThrow().seconds(), 1e-9);
        assertTrue(TimeToAccuracy.reach(s, 0.85, 0.01).isEmpty());
    }

    @Test
    void timeToAccuracyCountsTheProfilePassBeforeEpochOne() {
        // the engine's standardisation profile reads the table before epoch 1; every strategy pays it
        StrategyResult s = result(5.0, 1.5, new double[] {0.60, 0.775, 0.79}, new double[] {1, 2, 3});
        assertEquals(5.0 + 1.5 + 1 + 2, TimeToAccuracy.reach(s, 0.78, 0.01).orElseThrow().seconds(), 1e-9);
        assertEquals(5.0 + 1.5 + 1 + 2 + 3, s.endToEndSeconds(), 1e-9);
    }

    @Test
    void badArgumentsAreUsageErrorsAndNameTheArgument() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertEquals(ExitCodes.USAGE, BenchCli.run(new String[] {"--profiles", "tape"}, System.out));
            assertEquals(ExitCodes.USAGE, BenchCli.run(new String[] {"--strategies", "bogus"}, System.out));
            assertEquals(ExitCodes.USAGE, BenchCli.run(new String[] {"--epochs", "0"}, System.out));
            assertEquals(ExitCodes.USAGE, BenchCli.run(new String[] {"--layouts", "sorted"}, System.out));
            assertEquals(ExitCodes.USAGE, BenchCli.run(new String[] {"--datasets", "imagenet"}, System.out));
        } finally {
            System.setErr(old);
        }
        String msg = err.toString(StandardCharsets.UTF_8);
        assertTrue(msg.contains("unknown profile 'tape'; allowed: memory, ssd, hdd"), msg);
        assertTrue(msg.contains("unknown strategy 'bogus'"), msg);
        assertTrue(msg.contains("epochs must be in [1, 1000], got 0"), msg);
        assertTrue(msg.contains("unknown layout 'sorted'; allowed: clustered, shuffled"), msg);
        assertTrue(msg.contains("unknown dataset 'imagenet'; allowed: synthetic, higgs-like"), msg);
    }

    /**
     * Bug: a usage error of corgipile bench printed picocli's message and the whole help; it is one line naming the
     * command (subcommands too), picocli's suggestion when it has one, a hint pointing to its --help, exit 1.
     */
    @Test
    void aBenchUsageErrorIsOneLineNotTheWholeHelp() {
        StringWriter err = new StringWriter();
        CommandLine cl = BenchCli.commandLine(new String[0], System.out);
        cl.setErr(new PrintWriter(err, true));
        assertEquals(ExitCodes.USAGE, cl.execute("--epoch", "3"));
        assertEquals("corgipile bench: error: Unknown options: '--epoch', '3'\nDid you mean: --epochs?\n"
                + "corgipile: hint: see corgipile bench --help\n", err.toString());
        err.getBuffer().setLength(0);
        assertEquals(ExitCodes.USAGE, cl.execute("--profiles", "tape"));
        assertEquals("corgipile bench: error: unknown profile 'tape'; allowed: memory, ssd, hdd\n"
                + "corgipile: hint: see corgipile bench --help\n", err.toString());
        for (String sub : List.of("memory", "convergence")) {
            err.getBuffer().setLength(0);
            assertEquals(ExitCodes.USAGE, cl.execute(sub, "--bogus"));
            assertEquals("corgipile bench " + sub + ": error: Unknown option: '--bogus'\n"
                    + "corgipile: hint: see corgipile bench " + sub + " --help\n", err.toString());
        }
    }

    @Test
    void profilesMemoryWasTakenForTheMemorySubcommand() {
        String[] args = {"--profiles", "memory", "--rows", "5000"};
        CommandLine.ParseResult parsed = BenchCli.commandLine(args, System.out).parseArgs(args);
        assertNull(parsed.subcommand(), "no subcommand in " + String.join(" ", args));
        assertEquals(List.of("memory"), parsed.matchedOption("--profiles").stringValues());
    }

    private static StrategyResult result(double prep, double[] acc, double[] secs) {
        return result(prep, 0, acc, secs);
    }

    private static StrategyResult result(double prep, double profile, double[] acc, double[] secs) {
        List<EpochResult> epochs = new ArrayList<>();
        for (int i = 0; i < acc.length; i++) {
            epochs.add(new EpochResult(i + 1, secs[i], 0.5, acc[i], 0.5, acc[i], 0.1, 100, secs[i] / 2, secs[i] / 2, 0,
                    0, 0.01, i == 0 ? profile : 0, 0, -1, -1));
        }
        return new StrategyResult("corgipile", "CorgiPile", "test", "t", prep, 0, 0, 0, epochs, 0, 0, 0, 0, null, 16, 0.5, 0, 0);
    }

    /**
     * Bug: InDbEpochBench and InDbMemoryBench ran with picocli's default handlers: a database that cannot be reached
     * printed a stack trace and exited 1 (a usage error), and a usage error printed the whole help and exited 2 (a
     * database error). They fail as every corgipile command does (ExitCodes.reportFailures): one line with the
     * SQLSTATE and exit 2; a usage error in one line with a hint, exit 1.
     */
    @Test
    void theInDatabaseBenchmarksFailAsEveryCommandDoes() {
        for (CommandLine cl : List.of(InDbEpochBench.commandLine(), InDbMemoryBench.commandLine())) {
            String name = cl.getCommandName();
            StringWriter err = new StringWriter();
            cl.setErr(new PrintWriter(err, true));
            assertEquals(ExitCodes.DATABASE, cl.execute("--url", "jdbc:postgresql://127.0.0.1:1/nowhere?user=postgres"),
                    err.toString());
            assertTrue(err.toString().matches(name + ": error: Connection to 127.0.0.1:1 refused.*"
                    + "\\(SQLSTATE 08001\\)\n"), err.toString());
            err.getBuffer().setLength(0);
            assertEquals(ExitCodes.USAGE, cl.execute("--rowz"), err.toString());
            assertTrue(err.toString().startsWith(name + ": error: Unknown option: '--rowz'"), err.toString());
            assertTrue(err.toString().endsWith("corgipile: hint: see " + name + " --help\n"), err.toString());
        }
    }
}
