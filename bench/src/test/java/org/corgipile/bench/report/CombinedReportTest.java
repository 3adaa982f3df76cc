package org.corgipile.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.corgipile.bench.BenchCli;
import org.corgipile.bench.engine.EpochResult;
import org.corgipile.bench.engine.Strategy;
import org.corgipile.bench.io.DeviceProfile;
import org.corgipile.bench.run.BenchResults;
import org.corgipile.bench.run.BenchResults.ProfileResult;
import org.corgipile.bench.run.BenchResults.StrategyResult;
import org.corgipile.bench.run.BenchResults.TableResult;
import org.corgipile.bench.run.BenchSettings;
import org.corgipile.cli.ExitCodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --combine}: results.json read back as written, and one report over several runs with the targets. */
class CombinedReportTest {
    private static final DeviceProfile HDD = DeviceProfile.hdd(150, 150 * DeviceProfile.MB);

    @Test
    void resultsJsonRoundTripsWithTheCommandAndUnreportedMetricsStayNaN(@TempDir Path dir) throws Exception {
        BenchResults r = run(HDD, "./corgipile bench --profiles hdd");
        ResultFiles.writeJson(r, dir);
        BenchResults back = ResultFiles.readJson(dir);
        assertEquals(r, back); // records compare doubles with Double.compare: NaN equals NaN
        EpochResult e = back.profiles().get(0).tables().get(0).strategies().get(0).epochs().get(0);
        assertTrue(Double.isNaN(e.trainAccuracy()), "train accuracy was not reported: " + e);
        assertEquals(0.79, e.testAccuracy(), 1e-12);
    }

    @Test
    void combinedReportHasEveryRunsCommandHeadlineRowTargetsAndSummary() {
        String md = MarkdownReport.renderCombined(List.of(run(HDD, "./corgipile bench --profiles hdd"),
                run(DeviceProfile.memory(), "./corgipile bench --profiles memory")));
        assertTrue(md.contains("1. `./corgipile bench --profiles hdd`"), md);
        assertTrue(md.contains("2. `./corgipile bench --profiles memory`"), md);
        assertTrue(md.contains(MarkdownReport.HEADLINE), md);
        // corgipile reaches 79% - 1 point in epoch 1 (profile pass 1 s + epoch 2 s), shuffle-once after a 10 s
        // rewrite (+ 1 s + 1 s), none never (4 s in all)
        assertTrue(md.contains("| hdd | synthetic clustered | 1,000 (8.2) | 79.00% | 3.00 s (1) | never | 12.00 s (1)"
                + " | > 1.3x | 4.0x | 2.00 | 1.00 | 2.00 |"), md);
        // cold: 2 s / 1 s epochs = 2.00 > 1.2; one table read per epoch; 12 / 3 = 4.0x >= 3x; none never gets there
        assertTrue(md.contains("| hdd | synthetic clustered, 1,000 rows | 2.00 (<= 1.2: not met) | 2.00 | 1.00, 1.00 |"
                + " 4.0x (>= 3.0x: met) | never (final 60.00%): met |"), md);
        // warm: the ratio to the floor has a target, device bytes do not count
        assertTrue(md.contains("| memory | synthetic clustered, 1,000 rows | 2.00 (<= 1.15: not met) | 2.00 (<= 1.3: not met) |"
                + " warm | 4.0x | never (final 60.00%): met |"), md);
        assertTrue(md.contains("hdd / synthetic clustered: 1,000 rows, 8.2 MB, floor 1.000 s, page cache 1 MB"
                + " (table 8.2x)"), md);
        assertTrue(md.contains("| corgipile | 16 / 0.500 | 0.00 | 1.00 | 2.000 | 2.00 | 2.00 | 1.500 | 0.500 | 8/8/8 | 79.00% |"),
                md);
    }

    @Test
    void combineWritesOneReportAndAMissingRunIsAFileError(@TempDir Path dir) throws Exception {
        Path a = Files.createDirectories(dir.resolve("a"));
        Path b = Files.createDirectories(dir.resolve("b"));
        ResultFiles.writeJson(run(HDD, "cmd a"), a);
        ResultFiles.writeJson(run(DeviceProfile.memory(), "cmd b"), b);
        Path out = dir.resolve("all");
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        PrintStream log = new PrintStream(text, true, StandardCharsets.UTF_8);
        assertEquals(ExitCodes.OK, BenchCli.run(new String[] {"--combine", a + "," + b, "--out", out.toString()}, log));
        String md = Files.readString(out.resolve(MarkdownReport.FILE));
        assertTrue(md.contains("1. `cmd a`") && md.contains("2. `cmd b`"), md);
        PrintStream err = System.err;
        System.setErr(log);
        try {
            assertEquals(ExitCodes.IO, BenchCli.run(new String[] {"--combine", dir.resolve("nothing").toString(),
                "--out", out.toString()}, log));
        } finally {
            System.setErr(err);
        }
        assertTrue(text.toString(StandardCharsets.UTF_8).contains("no results.json in " + dir.resolve("nothing")),
                text.toString(StandardCharsets.UTF_8));
    }

    /** One clustered table of 1,000 rows (8.2 MB), floor 1 s: corgipile 2 s epochs, none 1 s, shuffle-once 1 s. */
    private static BenchResults run(DeviceProfile profile, String command) {
        long budget = profile.cold() ? 1_000_000 : 0;
        List<StrategyResult> s = List.of(
                strategy("corgipile", 0, 2, new double[] {0.79, 0.79, 0.79}, budget),
                strategy("none", 0, 1, new double[] {0.50, 0.55, 0.60}, budget),
                strategy("shuffle_once", 10, 1, new double[] {0.79, 0.79, 0.79}, budget));
        TableResult t = new TableResult("synthetic", "clustered", "synthetic_clustered", "synthetic_test", 1000, 100,
                1000, 8_192_000, 0, 1.0, 0, s);
        BenchSettings settings = new BenchSettings(List.of(profile), List.of("synthetic"), List.of("clustered"),
                List.of(Strategy.CORGIPILE, Strategy.NONE, Strategy.SHUFFLE_ONCE), 1000, 0.1, 28, 3, 0, 0, 42, 0, 0,
                300, "in-db", "{}", 0.01, List.of(), 0.125);
        return new BenchResults("2026-11-30T15:45:00Z", "2026-11-30T15:50:00Z", "test", settings,
                List.of(new ProfileResult(profile, profile.cold() ? "254:0" : null, List.of(), List.of(t))), List.of(),
                command);
    }

    private static StrategyResult strategy(String name, double prep, double epochSeconds, double[] acc, long budget) {
        List<EpochResult> epochs = new ArrayList<>();
        for (int i = 0; i < acc.length; i++) {
            epochs.add(new EpochResult(i + 1, epochSeconds, 0.5, Double.NaN, 0.5, acc[i], 0.01, 1000,
                    epochSeconds * 0.75, epochSeconds * 0.25, 0.1, i == 0 ? 1.0 : 0, 8_192_000));
        }
        return new StrategyResult(name, name, "in-db", "t", prep, 0, budget, budget, epochs, 0, 0, 0, 0, null, 16, 0.5);
    }
}
