package org.corgipile.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.corgipile.bench.io.BlkioThrottle.IoCounters;
import org.corgipile.cli.ExitCodes;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ScaleOutBenchTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void oneServersRunTakesEpochBytesFromTheLogAndTheProfilePassFromTheBlkioRest() throws Exception {
        JsonNode log = JSON.readTree("[{\"epoch\": 1, \"seconds\": 4.0, \"eval_seconds\": 0.5, \"profile_seconds\": 3.0,"
                + " \"device_read_bytes\": 100000000}, {\"epoch\": 2, \"seconds\": 6.0, \"eval_seconds\": 0.5,"
                + " \"device_read_bytes\": 120000000}, {\"epoch\": 3, \"seconds\": 5.0, \"eval_seconds\": 0.5,"
                + " \"device_read_bytes\": 110000000}]");
        ScaleOutBench.Run r = ScaleOutBench.run("one", 1, 20.0, List.of(0.9, 0.95, 0.96), log,
                JSON.readTree("{\"block_size\": 128}"), List.of(400_000_000L), List.of(50_000_000L),
                List.of(new IoCounters(430_000_000L, 1000)));
        assertEquals(5.0, r.medianEpoch(), 1e-12);
        assertEquals(3.0, r.profileSeconds(), 1e-12);
        ScaleOutBench.ServerRun s = r.perServer().get(0);
        assertEquals(List.of(100_000_000L, 120_000_000L, 110_000_000L), s.epochBytes());
        assertEquals(100_000_000L, s.profileBytes(), "the call's blkio bytes minus the epochs'");
        assertEquals(128, s.blockPages(), "one server's block from the stored spec");
        // the end of epoch 2: the call minus epoch 3 and its evaluation
        assertEquals(20.0 - 5.5, r.secondsThrough(2), 1e-12);
        assertEquals(20.0, r.secondsThrough(3), 1e-12);
    }

    @Test
    void shardedRunTakesEachServersSecondsAndBytesFromTheCoordinatorsLog() throws Exception {
        JsonNode log = JSON.readTree("[{\"epoch\": 1, \"seconds\": 2.5, \"profile_seconds\": 2.0,"
                + " \"servers\": {\"shard1\": 2.4, \"shard2\": 2.2},"
                + " \"server_device_read_bytes\": {\"shard1\": 7, \"shard2\": 8},"
                + " \"server_sizes\": {\"shard1\": {\"block_size\": 128}, \"shard2\": {\"block_size\": 64}},"
                + " \"server_profile_device_read_bytes\": {\"shard1\": 5, \"shard2\": 6}},"
                + " {\"epoch\": 2, \"seconds\": 2.0, \"servers\": {\"shard1\": 1.9, \"shard2\": 1.8},"
                + " \"server_device_read_bytes\": {\"shard1\": 9, \"shard2\": 10}}]");
        ScaleOutBench.Run r = ScaleOutBench.run("two", 2, 9.0, List.of(0.9, 0.95), log, List.of(1L, 2L),
                List.of(3L, 4L), List.of(new IoCounters(30, 1), new IoCounters(40, 1)));
        assertEquals(2.25, r.medianEpoch(), 1e-12);
        assertEquals(List.of(2.2, 1.8), r.perServer().get(1).epochSeconds());
        assertEquals(List.of(8L, 10L), r.perServer().get(1).epochBytes());
        assertEquals(6L, r.perServer().get(1).profileBytes());
        assertEquals(40L, r.perServer().get(1).callBytes());
        assertEquals(List.of(128, 64), r.perServer().stream().map(ScaleOutBench.ServerRun::blockPages).toList(),
                "each server's block from server_sizes");
    }

    @Test
    void reportComparesMedianEpochsAndCallsWithTheFirstRun() throws Exception {
        JsonNode one = JSON.readTree("[{\"seconds\": 10.0, \"device_read_bytes\": 1}, {\"seconds\": 12.0,"
                + " \"device_read_bytes\": 1}]");
        JsonNode two = JSON.readTree("[{\"seconds\": 5.0, \"servers\": {\"shard1\": 5.0, \"shard2\": 4.0}},"
                + " {\"seconds\": 6.0, \"servers\": {\"shard1\": 6.0, \"shard2\": 5.0}}]");
        String report = ScaleOutBench.report(List.of(
                ScaleOutBench.run("1 server", 1, 30.0, List.of(0.98, 0.99), one, List.of(1L), List.of(1L),
                        List.of(new IoCounters(3, 1))),
                ScaleOutBench.run("2 servers", 2, 15.0, List.of(0.99, 0.99), two, List.of(1L, 1L), List.of(1L, 1L),
                        List.of(new IoCounters(3, 1), new IoCounters(3, 1)))));
        assertTrue(report.contains("| 1 server | 11.00 | 1.00x |"), report);
        assertTrue(report.contains("| 2 servers | 5.50 | 2.00x | 0.00 | 15.00 | 2.00x | 9.00 s (epoch 1) | 99.00% |"),
                report);
        assertEquals(2 + 2 + 1 + 2 + 3, report.split("\n").length, report);
        // no set-up storage probe in these runs: "n/a" in its column, not NaN
        assertTrue(report.contains("| page cache limit MB | storage probe s (set-up) | profile pass: device MB |"),
                report);
        assertTrue(report.contains("| 2 servers | shard2 | 0 | ? | 0 | n/a | -0 | 4.50 |"), report);
        assertFalse(report.contains("NaN"), report);
    }

    /** Runs the command line; returns the exit code, what went to standard output and what went to standard error. */
    private static Object[] execute(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = ScaleOutBench.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Object[] {code, out.toString(), err.toString()};
    }

    /** Bug: `bench-scale-out --help` ignored the lone argument and ran the whole 1.8 GB benchmark. */
    @Test
    void helpPrintsTheUsageAndRunsNothing() {
        PrintStream stdout = System.out;
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        System.setOut(new PrintStream(progress, true, StandardCharsets.UTF_8));
        Object[] r;
        try {
            r = execute("--help");
        } finally {
            System.setOut(stdout);
        }
        String printed = (String) r[1];
        assertEquals(ExitCodes.OK, r[0]);
        assertTrue(printed.startsWith("Usage: corgipile bench-scale-out") && printed.contains("--servers=N[,N...]")
                && printed.contains("(default 1,2,3)") && printed.contains(ExitCodes.H0), printed);
        assertEquals("", progress.toString(StandardCharsets.UTF_8), "nothing ran");
    }

    @Test
    void theDefaultsAreTheDocumentedRun() {
        ScaleOutBench b = new ScaleOutBench();
        new CommandLine(b).parseArgs();
        assertEquals(List.of(900_000, 28, 1600, 3), List.of(b.rows, b.dims, b.payload, b.epochs));
        assertEquals(List.of(1, 2, 3), b.counts);
        assertEquals(List.of(150L, 150L, 1L), List.of(b.iops, b.mbps, b.seed));
        assertEquals(0.125, b.cacheFraction);
        new CommandLine(b).parseArgs("--servers", "3,1", "--rows", "150000");
        assertEquals(List.of(3, 1), b.counts);
        assertEquals(150_000, b.rows);
    }

    @Test
    void anOptionWithoutItsValueIsRefusedBeforeAnythingRuns() {
        Object[] r = execute("--epochs", "2", "--rows");
        assertEquals(ExitCodes.USAGE, r[0]);
        assertEquals("corgipile bench-scale-out: error: Missing required parameter for option '--rows' (ROWS)\n"
                + "corgipile: hint: see corgipile bench-scale-out --help\n", r[2]);
    }

    @Test
    void badValuesAreUsageErrorsBeforeAnythingRuns() {
        Object[] r = execute("--page-cache-fraction", "2");
        assertEquals(ExitCodes.USAGE, r[0]);
        assertTrue(((String) r[2]).startsWith("corgipile bench-scale-out: error: --page-cache-fraction must be in "
                + "(0, 1], got 2.0\n"), (String) r[2]);
        r = execute("--servers", "1,0");
        assertEquals(ExitCodes.USAGE, r[0]);
        r = execute("--rows", "many");
        assertEquals(ExitCodes.USAGE, r[0]);
        assertTrue(((String) r[2]).contains("'many' is not an int"), (String) r[2]);
    }
}
