package org.corgipile.bench.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

import org.corgipile.bench.engine.EpochResult;
import org.corgipile.bench.run.BenchResults;
import org.corgipile.bench.run.BenchResults.IoProbe;
import org.corgipile.bench.run.BenchResults.ProfileResult;
import org.corgipile.bench.run.BenchResults.Skipped;
import org.corgipile.bench.run.BenchResults.StrategyResult;
import org.corgipile.bench.run.BenchResults.TableResult;
import org.corgipile.bench.run.BenchSettings;
import org.corgipile.bench.run.MatrixRunner;

/**
 * report.md: the headline table first (end-to-end time to the shuffle-once accuracy for CorgiPile vs MADlib-style
 * vs Bismarck-style, and per-epoch time over the scan floor), the targets ({@link TargetsTable}), one summary table
 * per training table (a row per strategy), then the I/O emulation evidence, then per profile and training table the
 * full tables of every strategy and epoch, and the plots. {@link #writeCombined} writes the first three parts for
 * several runs at once ({@code ./corgipile bench --combine}): one table over every run, which the docs publish.
 */
public final class MarkdownReport {
    public static final String FILE = "report.md";
    public static final String HEADLINE = "## Headline: time to the shuffle-once accuracy";

    private MarkdownReport() {
    }

    public static void write(BenchResults r, Path dir, String command) throws IOException {
        Files.writeString(dir.resolve(FILE), render(r, command), StandardCharsets.UTF_8);
    }

    /** Writes the report of several runs (their headline, targets and summaries in one table each) into dir. */
    public static void writeCombined(List<BenchResults> runs, Path dir) throws IOException {
        Files.writeString(dir.resolve(FILE), renderCombined(runs), StandardCharsets.UTF_8);
    }

    static String renderCombined(List<BenchResults> runs) {
        StringBuilder md = new StringBuilder();
        md.append("# corgipile benchmark report (").append(runs.size()).append(" runs)\n\n");
        for (int i = 0; i < runs.size(); i++) {
            BenchResults r = runs.get(i);
            md.append(i + 1).append(". `").append(r.command() == null ? "(command not recorded)" : r.command())
                    .append("`: ").append(r.startedAt()).append(" to ").append(r.finishedAt()).append('\n');
        }
        md.append("\nHost: ").append(runs.isEmpty() ? "n/a" : runs.get(0).host()).append("\n\n");
        for (BenchResults r : runs) {
            for (Skipped k : r.skipped()) {
                md.append("**Skipped profile ").append(k.profile()).append("**: ").append(k.reason()).append("\n\n");
            }
        }
        headline(md, runs);
        TargetsTable.write(md, runs);
        repeated(md, runs);
        summaries(md, runs);
        return md.toString();
    }

    static String render(BenchResults r, String command) {
        BenchSettings s = r.settings();
        StringBuilder md = new StringBuilder();
        md.append("# corgipile benchmark report\n\n");
        md.append("Command: `").append(command).append("`  \n");
        md.append("Started ").append(r.startedAt()).append(", finished ").append(r.finishedAt()).append("  \n");
        md.append("Host: ").append(r.host()).append("\n\n");
        md.append(String.format(Locale.ROOT, "Settings: %d training rows (+%.0f%% test) x %d features, %d epochs,"
                + " learning rate %s, decay %s, block size %s, buffer %s, seed %d, target tolerance %.1f accuracy"
                + " points; on ssd/hdd the server's page cache is limited to %.1f%% of the table.%n%n", s.rows(),
                s.testFraction() * 100, s.dims(), s.epochs(), orDefault(s.learningRate()), orDefault(s.decay()),
                s.blockPages() == 0 ? "the product's default" : s.blockPages() + " pages",
                s.bufferFraction() == 0 ? "the product's default" : pct(s.bufferFraction()) + " of the table",
                s.seed(), s.targetTolerance() * 100, s.pageCacheFraction() * 100));
        for (Skipped k : r.skipped()) {
            md.append("**Skipped profile ").append(k.profile()).append("**: ").append(k.reason()).append("\n\n");
        }
        headline(md, List.of(r));
        TargetsTable.write(md, List.of(r));
        repeated(md, List.of(r));
        summaries(md, List.of(r));
        ioEmulation(md, r);
        for (ProfileResult p : r.profiles()) {
            for (TableResult t : p.tables()) {
                details(md, p, t);
            }
        }
        return md.toString();
    }

    private static void headline(StringBuilder md, List<BenchResults> runs) {
        md.append(HEADLINE).append("\n\n");
        String tolerances = runs.stream().map(r -> String.format(Locale.ROOT, "%.1f", r.settings().targetTolerance()
                * 100)).distinct().collect(Collectors.joining(" / "));
        md.append("End-to-end seconds (preparation + the engine's storage probe, where the call ran it, and profile"
                + " pass before epoch 1 + epochs) until the test accuracy first reaches the shuffle-once accuracy"
                + " minus the tolerance (" + tolerances + " points; shuffle-once acc = shuffle_once's final test"
                + " accuracy, epoch_shuffle's where shuffle_once did not run); in brackets the epoch. MADlib-style ="
                + " `none` (storage order every epoch), Bismarck-style = `shuffle_once` (a rewrite in the seed's order"
                + " by corgipile.shuffle_once_copy, counted, then storage order). Speed-up = baseline time / CorgiPile"
                + " time; \"never\" = not reached within the epochs run; \"n/a\" = no target (a table trained without"
                + " shuffle_once and epoch_shuffle).\n\n");
        md.append("Epoch ratios use the median epoch of epochs 2..n (the steady state)");
        md.append(anyRepeated(runs) ? "; on a table whose points ran several rounds (`--repeat`, warm or cold), the"
                + " median of the rounds' ratios (each round's floor, `corgipile` and `none` ran back to back; the"
                + " rounds and the ranges are in \"Repeated points\").\n\n" : ".\n\n");
        md.append("| profile | table | rows (MB) | shuffle-once acc | CorgiPile | MADlib-style | Bismarck-style |"
                + " speed-up vs MADlib | speed-up vs Bismarck | CorgiPile epoch / floor | MADlib epoch / floor |"
                + " CorgiPile epoch / MADlib epoch |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        eachTable(runs, (r, p, t) -> headlineRow(md, p, t, r.settings().targetTolerance()));
        md.append('\n');
    }

    /** What the report does with one training table of one run's profile. */
    @FunctionalInterface
    interface TableRow {
        void write(BenchResults run, ProfileResult profile, TableResult table);
    }

    /** Every training table of every run, in order (run, then profile, then table): one report row each. */
    static void eachTable(List<BenchResults> runs, TableRow row) {
        for (BenchResults r : runs) {
            for (ProfileResult p : r.profiles()) {
                for (TableResult t : p.tables()) {
                    row.write(r, p, t);
                }
            }
        }
    }

    private static void headlineRow(StringBuilder md, ProfileResult p, TableResult t, double tol) {
        Optional<Double> target = TimeToAccuracy.target(t);
        Optional<StrategyResult> corgi = TimeToAccuracy.strategy(t, "corgipile");
        Optional<StrategyResult> madlib = TimeToAccuracy.strategy(t, "none");
        Optional<StrategyResult> bismarck = TimeToAccuracy.strategy(t, "shuffle_once");
        Optional<TimeToAccuracy.Reached> rc = reach(corgi, target, tol);
        Optional<TimeToAccuracy.Reached> rm = reach(madlib, target, tol);
        Optional<TimeToAccuracy.Reached> rb = reach(bismarck, target, tol);
        md.append("| ").append(p.profile().name()).append(" | ").append(tableName(t))
                .append(String.format(Locale.ROOT, " | %,d (%.1f)", t.rows(), t.bytes() / 1e6))
                .append(" | ").append(target.map(MarkdownReport::pct).orElse("n/a"))
                .append(" | ").append(cell(corgi, rc, target)).append(" | ").append(cell(madlib, rm, target))
                .append(" | ").append(cell(bismarck, rb, target)).append(" | ").append(speedup(rc, rm, madlib))
                .append(" | ").append(speedup(rc, rb, bismarck)).append(" | ")
                .append(fixed(RepeatedRounds.corgipileVsFloor(t).median())).append(" | ")
                .append(fixed(RepeatedRounds.noneVsFloor(t).median())).append(" | ")
                .append(fixed(RepeatedRounds.corgipileVsNone(t).median())).append(" |\n");
    }

    /** "dataset layout", with the block size when the run gave one (a tuned row beside the defaults). */
    static String tableName(TableResult t) {
        return t.dataset() + " " + t.layout() + (t.blockPages() == 0 ? "" : ", " + t.blockPages() + "-page blocks");
    }

    static boolean anyRepeated(List<BenchResults> runs) {
        return runs.stream().flatMap(r -> r.profiles().stream()).flatMap(p -> p.tables().stream())
                .anyMatch(t -> !t.repeats().isEmpty());
    }

    /**
     * The repeated points ({@code --repeat}, any profile): per repeated table a row per round (its scan floor, the
     * median epochs of {@code corgipile} and {@code none}, their ratios, CorgiPile's threads, both strategies' device
     * requests per epoch) and a row of the medians over the rounds with their min-max, which the headline and the
     * targets publish. Omitted when no table was repeated.
     */
    private static void repeated(StringBuilder md, List<BenchResults> runs) {
        if (!anyRepeated(runs)) {
            return;
        }
        md.append("## Repeated points\n\n");
        md.append("Tables run with `--repeat N`: round 1 is the table's run in the summaries below (every strategy);"
                + " rounds 2..N measured the scan floor, then `corgipile` and `none`, again on the same table in the"
                + " same cluster, one round after another; on ssd/hdd every call of every round is as cold as in"
                + " round 1 (server restarted, page cache dropped, page cache limited). Per round: the floor, each"
                + " strategy's median epoch (epochs 2..n), the ratios within the round, CorgiPile's reading thread"
                + " (read, + waiting for sgd, of it helping sgd) and compute thread (sgd), and each strategy's"
                + " device read requests per epoch (median of epochs 2..n; the server's blkio group, cold profiles),"
                + " and each strategy's busy time over the floor: read + helping sgd + sgd for CorgiPile, read + sgd"
                + " for `none` (the two threads' time at work; warm, their CPU time, so on c cores no epoch is shorter"
                + " than busy / c, and an epoch at 1.3x the floor needs busy / floor <= 1.3 c)."
                + " The last row of each table: the median over the rounds and, in brackets, the smallest and"
                + " largest value; the headline and the targets use these medians.\n\n");
        md.append("| profile | table | round | floor s | CorgiPile epoch s | `none` epoch s | CorgiPile / `none` |"
                + " CorgiPile / floor | `none` / floor | read s | + waiting for sgd s | of it helping sgd s |"
                + " sgd s | CorgiPile requests / epoch | `none` requests / epoch | CorgiPile busy / floor |"
                + " `none` busy / floor |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        eachTable(runs, (r, p, t) -> {
            if (t.repeats().isEmpty()) {
                return;
            }
            String name = p.profile().name() + " | " + tableName(t) + String.format(Locale.ROOT, ", %,d rows",
                    t.rows());
            List<RepeatedRounds.Ratios> rounds = RepeatedRounds.of(t);
            for (RepeatedRounds.Ratios x : rounds) {
                md.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s"
                                + " | %s | %s | %s | %s |%n",
                        name, x.round(), secs(x.floor()), secs(x.corgipile()), secs(x.none()),
                        fixed(x.corgipileVsNone()), fixed(x.corgipileVsFloor()), fixed(x.noneVsFloor()),
                        secs(x.corgipile(EpochResult::readSeconds)), secs(x.corgipile(EpochResult::readWaitSeconds)),
                        secs(x.corgipile(EpochResult::readHelpSeconds)),
                        secs(x.corgipile(EpochResult::computeSeconds)), count(x.corgipile(RepeatedRounds::requests)),
                        count(x.none(RepeatedRounds::requests)), fixed(x.corgipileBusyVsFloor()),
                        fixed(x.noneBusyVsFloor())));
            }
            md.append(String.format(Locale.ROOT, "| %s | **median of %d** (min-max) | %s | %s | %s | **%s** | **%s** |"
                            + " %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", name, rounds.size(),
                    RepeatedRounds.over(t, RepeatedRounds.Ratios::floor).cell("%.3f"),
                    RepeatedRounds.over(t, RepeatedRounds.Ratios::corgipile).cell("%.3f"),
                    RepeatedRounds.over(t, RepeatedRounds.Ratios::none).cell("%.3f"),
                    RepeatedRounds.corgipileVsNone(t).cell("%.2f"), RepeatedRounds.corgipileVsFloor(t).cell("%.2f"),
                    RepeatedRounds.noneVsFloor(t).cell("%.2f"),
                    RepeatedRounds.over(t, x -> x.corgipile(EpochResult::readSeconds)).cell("%.3f"),
                    RepeatedRounds.over(t, x -> x.corgipile(EpochResult::readWaitSeconds)).cell("%.3f"),
                    RepeatedRounds.over(t, x -> x.corgipile(EpochResult::readHelpSeconds)).cell("%.3f"),
                    RepeatedRounds.over(t, x -> x.corgipile(EpochResult::computeSeconds)).cell("%.3f"),
                    RepeatedRounds.over(t, x -> x.corgipile(RepeatedRounds::requests)).cell("%.0f"),
                    RepeatedRounds.over(t, x -> x.none(RepeatedRounds::requests)).cell("%.0f"),
                    RepeatedRounds.over(t, RepeatedRounds.Ratios::corgipileBusyVsFloor).cell("%.2f"),
                    RepeatedRounds.over(t, RepeatedRounds.Ratios::noneBusyVsFloor).cell("%.2f")));
        });
        md.append('\n');
    }

    /**
     * One table per training table, a row per strategy: preparation, the profile pass, the median epoch (2..n)
     * against storage order's and the scan floor, the two threads' medians, the device MB of every epoch and the
     * final test accuracy.
     */
    private static void summaries(StringBuilder md, List<BenchResults> runs) {
        md.append("## Per table\n\n");
        md.append("Median epoch, read and sgd: epochs 2..n; probe = the engine's storage probe before epoch 1 (the"
                + " device-aware block size's timing of the device, where the call ran it; 0 where it did not run,"
                + " e.g. when it read the probe the engine keeps per server: then the profile's set-up probe, run"
                + " once before every strategy, is in the table's title and in no strategy's time);"
                + " profile pass = the engine's storage-order read before epoch"
                + " 1 (standardisation's statistics); both counted end to end for every strategy; written MB = what"
                + " the preparation's backend (shuffle_once's copy: new table, WAL, sort spill) and the training"
                + " backend wrote, counted when dirtied (the device's write-back is not throttled); read = the reading"
                + " thread's time producing buffers, + waiting for sgd = its time blocked until the compute thread"
                + " frees a buffer (not part of read: the reading thread's wall time is their sum), of it helping"
                + " sgd = the part of that wait the reading thread spent copying rows of the compute thread's"
                + " shuffled gather instead (CorgiPile's tuple buffers; 0 where a strategy has no such gather), sgd"
                + " = the compute thread (wall time each, overlapping: double buffering); device MB per"
                + " epoch = the training backend's reads from the device (table + test relation); device requests"
                + " per epoch = the read requests of the server's blkio group in the epoch, counted the same way"
                + " (ssd/hdd; n/a where unknown); page cache = the"
                + " memory-cgroup budget of the cold profiles; block / buffer = the sizes the engine trained with (the"
                + " stored model's spec: pages per block, and the tuple buffer as a fraction of the table).\n\n");
        eachTable(runs, (r, p, t) -> summary(md, p, t));
    }

    private static void summary(StringBuilder md, ProfileResult p, TableResult t) {
        long budget = t.strategies().stream().mapToLong(StrategyResult::pageCacheBudget).max().orElse(0);
        md.append(String.format(Locale.ROOT, "%s / %s: %,d rows, %.1f MB, floor %.3f s", p.profile().name(),
                tableName(t), t.rows(), t.bytes() / 1e6, t.scanFloorSeconds()));
        if (budget > 0) {
            md.append(String.format(Locale.ROOT, ", page cache %.0f MB (table %.1fx)", budget / 1e6,
                    (double) t.bytes() / budget));
        }
        double setUpProbe = seconds(p, MatrixRunner.ENGINE_PROBE);
        if (setUpProbe >= 0) {
            md.append(String.format(Locale.ROOT, ", storage probe %.2f s (set-up, once per server)", setUpProbe));
        }
        if (!t.repeats().isEmpty()) {
            md.append(String.format(Locale.ROOT, "; round 1 of %d (every round in \"Repeated points\")",
                    t.repeats().size() + 1));
        }
        md.append("\n\n| strategy | block / buffer | prep s | written MB (prep / training) | probe s | profile pass s |"
                + " median epoch s | / none | / floor | read s | + waiting for sgd s | of it helping sgd s | sgd s |"
                + " device MB per epoch | device requests per epoch | final test acc |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        double none = TimeToAccuracy.strategy(t, "none").map(StrategyResult::medianEpochSeconds).orElse(Double.NaN);
        for (StrategyResult s : t.strategies()) {
            if (s.error() != null) {
                md.append("| ").append(s.strategy()).append(" | | | | | | | | | | | | | | | failed: ")
                        .append(failure(s.error())).append(" |\n");
                continue;
            }
            double probe = s.epochs().stream().mapToDouble(EpochResult::probeSeconds).sum();
            double profile = s.epochs().stream().mapToDouble(EpochResult::profileSeconds).sum();
            StringBuilder device = new StringBuilder();
            StringBuilder requests = new StringBuilder();
            for (var e : s.epochs()) {
                device.append(device.length() == 0 ? "" : "/").append(e.deviceBytesRead() < 0 ? "n/a"
                        : String.format(Locale.ROOT, "%.0f", e.deviceBytesRead() / 1e6));
                requests.append(requests.length() == 0 ? "" : "/").append(count(RepeatedRounds.requests(e)));
            }
            md.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %s / %s | %.2f | %.2f | %.3f | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                    s.strategy(), sizes(s), s.preparationSeconds(), megabytes(s.preparationBytesWritten()),
                    megabytes(s.trainingBytesWritten()), probe, profile, s.medianEpochSeconds(),
                    ratio(s.medianEpochSeconds(), none), ratio(s.medianEpochSeconds(), t.scanFloorSeconds()),
                    secs(s.medianOfLaterEpochs(EpochResult::readSeconds)),
                    secs(s.medianOfLaterEpochs(EpochResult::readWaitSeconds)),
                    secs(s.medianOfLaterEpochs(EpochResult::readHelpSeconds)),
                    secs(s.medianOfLaterEpochs(EpochResult::computeSeconds)),
                    device, requests, pct(s.finalTestAccuracy())));
        }
        md.append('\n');
    }

    private static void ioEmulation(StringBuilder md, BenchResults r) {
        md.append("## I/O emulation\n\n");
        md.append("Each read with cold caches on ssd/hdd (server restarted, page cache dropped) and warm caches on"
                + " memory. `seq_scan` = `SELECT count(features)` of the whole table (the scan floor);"
                + " `random_pages` = pages drawn at random across the table (at most a tenth of it) visited in random"
                + " order, `sequential_pages` = as many consecutive pages in order, one ctid lookup per page;"
                + " `" + MatrixRunner.ENGINE_PROBE + "` = the engine's storage probe (corgipile.storage_probe), run"
                + " once per profile before its strategies."
                + " Device MB and requests come from the blkio group's counters.\n\n");
        md.append("| profile | limits | read | pages | seconds | pages/s | MB/s | device MB | device requests |\n");
        md.append("|---|---|---|---|---|---|---|---|---|\n");
        for (ProfileResult p : r.profiles()) {
            for (IoProbe probe : p.ioProbes()) {
                if (probe.pages() == 0) { // the engine's storage probe: its reads are its own (O_DIRECT)
                    md.append(String.format(Locale.ROOT, "| %s | %s | %s | n/a | %.3f | n/a | n/a | %.1f | %d |%n",
                            p.profile().name(), limits(p), probe.kind(), probe.seconds(), probe.bytesRead() / 1e6,
                            probe.readRequests()));
                    continue;
                }
                md.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %.3f | %.0f | %.1f | %.1f | %d |%n",
                        p.profile().name(), limits(p), probe.kind(), probe.pages(), probe.seconds(),
                        probe.pagesPerSecond(), probe.pages() * 8192.0 / 1e6 / probe.seconds(),
                        probe.bytesRead() / 1e6, probe.readRequests()));
            }
        }
        List<double[]> ratios = r.profiles().stream().map(p -> new double[] {
            seconds(p, "random_pages"), seconds(p, "sequential_pages"), seconds(p, "seq_scan")}).toList();
        for (int i = 0; i < r.profiles().size(); i++) {
            double[] x = ratios.get(i);
            if (x[0] > 0 && x[1] > 0) {
                md.append(String.format(Locale.ROOT, "- %s: random-order page reads take %.1fx the time of the same"
                        + " pages in order.%n", r.profiles().get(i).profile().name(), x[0] / x[1]));
            }
        }
        Optional<ProfileResult> mem = r.profiles().stream().filter(p -> !p.profile().cold()).findFirst();
        for (ProfileResult p : r.profiles()) {
            if (mem.isPresent() && p.profile().cold()) {
                double cold = seconds(p, "seq_scan");
                double warm = seconds(mem.get(), "seq_scan");
                if (cold > 0 && warm > 0) {
                    md.append(String.format(Locale.ROOT, "- %s: the sequential scan takes %.1fx its time under"
                            + " %s.%n", p.profile().name(), cold / warm, mem.get().profile().name()));
                }
            }
        }
        md.append('\n');
    }

    private static void details(StringBuilder md, ProfileResult p, TableResult t) {
        md.append("## ").append(p.profile().name()).append(" / ").append(t.dataset()).append(' ').append(t.layout())
                .append("\n\n");
        md.append(String.format(Locale.ROOT, "Profile %s. Table `%s`: %d rows, %d pages (%.1f MB), blocks of %s;"
                + " test table `%s` (%d rows). Scan floor %.3f s.%n%n", p.profile().describe(), t.table(),
                t.rows(), t.pages(), t.bytes() / 1e6, t.blockPages() == 0 ? "the product's default size"
                        : t.blockPages() + " pages", t.testTable(), t.testRows(), t.scanFloorSeconds()));
        md.append("| strategy | engine | preparation s | median epoch s | epoch / floor | total s | call s |"
                + " final test acc | heap blocks read | heap blocks hit | device MB | device passes |"
                + " page cache limit MB |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (StrategyResult s : t.strategies()) {
            if (s.error() != null) {
                md.append("| ").append(s.strategy()).append(" | ").append(s.engine())
                        .append(" | | | | | | | | | | | failed: ").append(failure(s.error())).append(" |\n");
                continue;
            }
            md.append(String.format(Locale.ROOT, "| %s | %s | %.3f | %.3f | %s | %.3f | %.3f | %s | %d | %d | %.1f | %.2f | %s |%n",
                    s.strategy(), s.engine(), s.preparationSeconds(), s.medianEpochSeconds(),
                    ratio(s.medianEpochSeconds(), t.scanFloorSeconds()), s.preparationSeconds() + s.trainingSeconds(),
                    s.callSeconds(), pct(s.finalTestAccuracy()), s.heapBlocksRead(), s.heapBlocksHit(),
                    s.deviceBytesRead() / 1e6, s.devicePasses(t.bytes()),
                    s.pageCacheBudget() == 0 ? "none" : String.format(Locale.ROOT, "%.1f (peak %.1f)",
                            s.pageCacheBudget() / 1e6, s.peakPageCache() / 1e6)));
        }
        md.append("\n\"total s\" = preparation + epoch times as the engine reports them; \"call s\" = wall time of"
                + " the training call (adds the engine's work outside epochs: the test-relation pass per epoch).\n");
        if (p.profile().cold()) {
            md.append("\nCaches are cold before each strategy (server restarted, page cache dropped), and the"
                    + " server's page cache is limited (memory cgroup) to the budget shown, well below the table, so"
                    + " every epoch reads the table from the device again. \"device passes\" = bytes read from the"
                    + " throttled device / table size.\n");
        }
        md.append("\nPer epoch: wall seconds = the epoch's `seconds`; read = the reading thread's time producing"
                + " buffers (read, decode, tuple shuffle), + waiting for sgd = its time blocked until the compute"
                + " thread frees a buffer (not part of read), of it helping sgd = the part of that wait spent copying"
                + " rows of the compute thread's shuffled gather; sgd = the compute thread's time (they overlap:"
                + " double buffering); device MB = bytes the training backend read from the device in that"
                + " epoch, device requests = the read requests of the server's blkio group in it.\n\n");
        md.append("| strategy | epoch | wall s | read s | + waiting for sgd s | of it helping sgd s | sgd s | device MB |"
                + " device requests | test acc |\n|---|---|---|---|---|---|---|---|---|---|\n");
        for (StrategyResult s : t.strategies()) {
            for (var e : s.epochs()) {
                md.append(String.format(Locale.ROOT, "| %s | %d | %.3f | %s | %s | %s | %s | %s | %s | %s |%n",
                        s.strategy(),
                        e.epoch(), e.seconds(), secs(e.readSeconds()), secs(e.readWaitSeconds()),
                        secs(e.readHelpSeconds()), secs(e.computeSeconds()),
                        e.deviceBytesRead() < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", e.deviceBytesRead() / 1e6),
                        count(RepeatedRounds.requests(e)), pct(e.testAccuracy())));
            }
        }
        String stem = Plots.stem(p, t);
        md.append("\n![accuracy per epoch](").append(stem).append("_accuracy_epoch.png)\n");
        md.append("![accuracy vs time](").append(stem).append("_accuracy_time.png)\n");
        md.append("![epoch time vs scan floor](").append(stem).append("_epoch_time.png)\n\n");
    }

    /**
     * A failed training's error in one table cell: the message and its hint, without PostgreSQL's "Where:" context
     * (the call stack of the SQL functions, the same for every failure and longer than the message).
     */
    static String failure(String error) {
        int where = error.indexOf("Where:");
        return (where < 0 ? error : error.substring(0, where)).replace('|', '/').replace('\n', ' ').strip();
    }

    /** A count (device requests), "n/a" where unknown (NaN). */
    private static String count(double n) {
        return Double.isNaN(n) ? "n/a" : String.format(Locale.ROOT, "%.0f", n);
    }

    /** Seconds to the millisecond, "n/a" for a time the engine did not report. */
    private static String secs(double s) {
        return Double.isNaN(s) ? "n/a" : String.format(Locale.ROOT, "%.3f", s);
    }

    /** Whole megabytes, "n/a" for an unknown (negative) count. */
    private static String megabytes(long bytes) {
        return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f", bytes / 1e6);
    }

    /** "128 / 0.262": pages per block and the buffer (a fraction of the table, or tuples above 1). */
    private static String sizes(StrategyResult s) {
        String block = s.blockPages() > 0 ? Integer.toString(s.blockPages()) : "n/a";
        double b = s.bufferSize();
        String buffer = Double.isNaN(b) ? "n/a" : b <= 1 ? String.format(Locale.ROOT, "%.3f", b)
                : String.format(Locale.ROOT, "%,.0f tuples", b);
        return block + " / " + buffer;
    }

    private static Optional<TimeToAccuracy.Reached> reach(Optional<StrategyResult> s, Optional<Double> target,
                                                          double tol) {
        if (s.isEmpty() || target.isEmpty()) {
            return Optional.empty();
        }
        return TimeToAccuracy.reach(s.get(), target.get(), tol);
    }

    /** Time to the target; "n/a" where the table has no target (neither shuffle_once nor epoch_shuffle ran). */
    private static String cell(Optional<StrategyResult> s, Optional<TimeToAccuracy.Reached> r,
                               Optional<Double> target) {
        if (target.isEmpty()) {
            return "n/a";
        }
        if (s.isEmpty()) {
            return "not run";
        }
        return r.map(x -> String.format(Locale.ROOT, "%.2f s (%d)", x.seconds(), x.epoch())).orElse("never");
    }

    private static String speedup(Optional<TimeToAccuracy.Reached> corgi, Optional<TimeToAccuracy.Reached> base,
                                  Optional<StrategyResult> baseRun) {
        if (corgi.isEmpty() || baseRun.isEmpty()) {
            return "n/a";
        }
        if (base.isEmpty()) {
            // the baseline never got there: at least its whole run time
            StrategyResult b = baseRun.get();
            return "> " + times(b.endToEndSeconds() / corgi.get().seconds());
        }
        return times(base.get().seconds() / corgi.get().seconds());
    }

    /** A speed-up factor; two decimals below 1 so that a slowdown (0.04x) does not print as 0.0x. */
    static String times(double f) {
        return String.format(Locale.ROOT, f < 1 ? "%.2fx" : "%.1fx", f);
    }

    private static double seconds(ProfileResult p, String kind) {
        return p.ioProbes().stream().filter(x -> x.kind().equals(kind)).mapToDouble(IoProbe::seconds).findFirst()
                .orElse(-1);
    }

    private static String limits(ProfileResult p) {
        if (!p.profile().throttled()) {
            return "none";
        }
        return String.format(Locale.ROOT, "%d IOPS, %d MB/s", p.profile().readIops(),
                p.profile().readBps() / (1024 * 1024));
    }

    private static String orDefault(double v) {
        return v == 0 ? "the product's default" : Double.toString(v);
    }

    static String pct(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.2f%%", v * 100);
    }

    static String ratio(double a, double b) {
        return Double.isNaN(a) || !(b > 0) ? "n/a" : String.format(Locale.ROOT, "%.2f", a / b);
    }

    /** A ratio already divided, two decimals; "n/a" for NaN or infinity (a strategy that did not run). */
    static String fixed(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "n/a" : String.format(Locale.ROOT, "%.2f", v);
    }
}
