package org.corgipile.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./corgipile bench convergence --quick} through the shipped engine (train_sgd in a cluster of its own):
 * two small clustered datasets, every strategy with the defaults, tuned corgipile and epoch_shuffle. The defaults
 * must meet the criterion on both (within 0.5 points of the tuned full shuffle, within 2 epochs).
 */
class ConvergenceQuickIT {
    @TempDir
    static Path out;
    static int exit;
    static String log;
    static String report;

    @BeforeAll
    static void runBench() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        exit = BenchCli.run(new String[] {"convergence", "--quick", "--no-sklearn", "--out", out.toString()},
                new PrintStream(buf, true, StandardCharsets.UTF_8));
        log = buf.toString(StandardCharsets.UTF_8);
        Path md = out.resolve("convergence.md");
        report = Files.exists(md) ? Files.readString(md) : "";
    }

    @Test
    void exitsWithZeroAndWritesTheReportAndPlots() throws Exception {
        assertEquals(0, exit, log);
        assertTrue(report.contains("| susy-like |"), report);
        assertTrue(report.contains("| gaussian-mixture |"), report);
        try (var files = Files.list(out)) {
            assertEquals(2, files.filter(p -> p.toString().endsWith(".png")).count());
        }
    }

    @Test
    void theDefaultsMatchTheTunedFullShuffleOnClusteredTables() {
        long rows = report.lines().filter(l -> l.startsWith("| susy-like |") || l.startsWith("| gaussian-mixture |"))
                .filter(l -> l.contains("derived") || l.endsWith("| yes |") || l.endsWith("| **no** |")).count();
        assertTrue(rows >= 2, report);
        assertTrue(report.lines().filter(l -> l.endsWith("| yes |")).count() == 2, report);
    }
}
