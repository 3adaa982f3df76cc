package org.corgipile.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.corgipile.bench.data.CatalogDataset;
import org.corgipile.bench.data.SyntheticDataset;
import org.corgipile.bench.data.TableLayouts;
import org.corgipile.bench.engine.Strategy;
import org.corgipile.bench.io.DeviceProfile;
import org.corgipile.bench.report.MarkdownReport;
import org.corgipile.bench.report.Plots;
import org.corgipile.bench.report.ResultFiles;
import org.corgipile.bench.run.BenchResults;
import org.corgipile.bench.run.BenchSettings;
import org.corgipile.bench.run.MatrixRunner;

import org.corgipile.cli.ExitCodes;

import org.corgipile.cli.VersionProvider;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./corgipile bench}: runs the benchmark matrix and writes results.json, results.csv, PNG plots and
 * report.md into one directory. Every option has a default; {@code --quick} swaps in small defaults (memory and
 * hdd profiles, the clustered layout, 20,000 rows, 3 epochs) for a smoke run of a few minutes. Options given
 * explicitly win over both.
 *
 * <p>Exit codes ({@link ExitCodes}, shared by every corgipile command): 0 when at least one profile ran, 1 on bad
 * arguments, 2 when a statement failed, 3 when every profile was refused (e.g. no root for ssd/hdd and memory not
 * requested), 4 when a result file cannot be written, 5 on a bug (with its stack trace), 6 when the heap is exhausted.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false, versionProvider = VersionProvider.class,
        exitCodeOnInvalidInput = ExitCodes.USAGE,
        description = {"Benchmark shuffle strategies x datasets x layouts x device profiles in PostgreSQL.",
            "Starts its own PostgreSQL 15 cluster per profile; ssd/hdd need root and cgroup-v1 blkio."},
        footer = {"", "Examples:", "  ./corgipile bench --quick", "  ./corgipile bench convergence --quick",
            "  ./corgipile bench memory --rows 400000 --factor 10",
            "  ./corgipile bench --profiles hdd,ssd --rows 1000000 --epochs 10 --layouts clustered",
            "  ./corgipile bench --profiles memory,hdd --layouts clustered --strategies corgipile,none --repeat 3",
            "  ./corgipile bench --combine bench-results/run1,bench-results/run2 --out bench-results/all", "",
            ExitCodes.H0, ExitCodes.H1, ExitCodes.H2, ExitCodes.H3, ExitCodes.H4, ExitCodes.H5, ExitCodes.H6_TRACED, ExitCodes.H7})
public final class BenchCli implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--quick", description = "small defaults for a smoke run of a few minutes")
    boolean quick;

    @Option(names = "--out", paramLabel = "DIR", description = "output directory (default bench-results/<UTC time>)")
    Path out;

    @Option(names = "--profiles", split = ",", paramLabel = "P",
            description = "device profiles: memory, ssd, hdd (default memory,ssd,hdd; quick: memory,hdd)")
    List<String> profiles;

    @Option(names = "--datasets", split = ",", paramLabel = "D",
            description = "synthetic (built in), a dense generator of the datasets module (higgs-like, susy-like,"
                    + " epsilon-like) or a real two-class set (flights-binary, fashion-mnist-binary); default synthetic")
    List<String> datasets;

    @Option(names = "--layouts", split = ",", paramLabel = "L",
            description = "clustered, shuffled (default both; quick: clustered)")
    List<String> layouts;

    @Option(names = "--strategies", split = ",", paramLabel = "S", description = "default all: ${COMPLETION-CANDIDATES}")
    List<Strategy> strategies;

    @Option(names = "--rows", description = "training rows per dataset (default 200000; quick: 20000)")
    Long rows;

    @Option(names = "--test-fraction", description = "test rows / training rows (default ${DEFAULT-VALUE})",
            defaultValue = "0.1")
    double testFraction;

    @Option(names = "--dims", description = "features of the synthetic dataset (default ${DEFAULT-VALUE})",
            defaultValue = "28")
    int dims;

    @Option(names = "--epochs", description = "epochs per training (default 10; quick: 3)")
    Integer epochs;

    @Option(names = "--learning-rate", defaultValue = "0",
            description = "initial learning rate (default 0: the product's default)")
    double learningRate;

    @Option(names = "--decay", defaultValue = "0",
            description = "learning-rate factor per epoch (default 0: the product's default)")
    double decay;

    @Option(names = "--seed", defaultValue = "42", description = "seed of data, layouts and training (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--block-pages", defaultValue = "0",
            description = "8 KB pages per block (default 0: the product's default for the table)")
    int blockPages;

    @Option(names = "--buffer-fraction", defaultValue = "0",
            description = "tuple buffer as a fraction of the table (default 0: the product's default)")
    double bufferFraction;

    @Option(names = "--page-cache-fraction", defaultValue = "0.125",
            description = "ssd/hdd: the server's page cache is limited to this fraction of the table being trained,"
                    + " (at least 32 MB), so every epoch is cold (default ${DEFAULT-VALUE}: the table is 8x the cache)")
    double pageCacheFraction;

    @Option(names = "--probe-pages", description = "pages of the random/sequential read probe (default 1000; quick: 300)")
    Integer probePages;

    @Option(names = "--repeat", paramLabel = "N", defaultValue = "1",
            description = "run the scan floor, corgipile and none N times on each table, one round after another"
                    + " (the other strategies once; on ssd/hdd every call as cold as the first), and report each"
                    + " epoch ratio as the median over the rounds with its min-max (default ${DEFAULT-VALUE}: once)")
    int repeat;

    @Option(names = "--engine", defaultValue = "auto",
            description = "auto (train_sgd when the extension is installed, else client), in-db (train_sgd), client"
                    + " (client mode: the same operators over JDBC)")
    String engine;

    @Option(names = "--engine-options", defaultValue = "{}", paramLabel = "JSON",
            description = "train_sgd options => JSON (default ${DEFAULT-VALUE})")
    String engineOptions;

    @Option(names = "--target-tolerance", defaultValue = "0.01",
            description = "accuracy below the shuffle-once accuracy still counted as reached (default ${DEFAULT-VALUE})")
    double targetTolerance;

    @Option(names = "--hdd-iops", defaultValue = "150", description = "hdd read IOPS limit (default ${DEFAULT-VALUE})")
    long hddIops;

    @Option(names = "--hdd-mbps", defaultValue = "150", description = "hdd read MiB/s limit (default ${DEFAULT-VALUE})")
    long hddMbps;

    @Option(names = "--ssd-iops", defaultValue = "20000", description = "ssd read IOPS limit (default ${DEFAULT-VALUE})")
    long ssdIops;

    @Option(names = "--ssd-mbps", defaultValue = "500", description = "ssd read MiB/s limit (default ${DEFAULT-VALUE})")
    long ssdMbps;

    @Option(names = "--combine", split = ",", paramLabel = "DIR",
            description = "measure nothing: write one report.md (headline, targets, per-table summaries) from the"
                    + " results.json of these earlier runs, in this order, into --out")
    List<Path> combine;

    @Option(names = "--pg-conf", paramLabel = "LINE",
            description = "extra postgresql.conf line for every cluster, repeatable (e.g. \"corgipile.jvm_options='-Xmx1g'\")")
    List<String> pgConf = new ArrayList<>();

    private final String[] args;
    private final PrintStream log;

    BenchCli(String[] args, PrintStream log) {
        this.args = args.clone();
        this.log = log;
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(run(args, System.out));
    }

    /** Parses and runs; returns the exit code (used by tests instead of {@link #main}). */
    public static int run(String[] args, PrintStream log) {
        CommandLine cl = commandLine(args, log);
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            return ExitCodes.report(e, ExitCodes.OUT_OF_MEMORY, "corgipile bench", cl.getErr());
        }
    }

    /** The command line {@link #run} executes (tests parse documented command lines with it). */
    public static CommandLine commandLine(String[] args, PrintStream log) {
        CommandLine cl = new CommandLine(new BenchCli(args, log));
        cl.addSubcommand("convergence", new org.corgipile.bench.convergence.ConvergenceBench(
                "./corgipile bench " + String.join(" ", args), log));
        cl.addSubcommand("memory", new org.corgipile.bench.memory.BufferMemoryBench(
                "./corgipile bench " + String.join(" ", args), log));
        // the exit codes of every corgipile command (ExitCodes)
        ExitCodes.reportFailures(cl, "corgipile bench");
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        // "--profiles memory" names the memory profile, not the memory subcommand
        cl.setAllowSubcommandsAsOptionParameters(true);
        cl.registerConverter(Strategy.class, Strategy::parse);
        return cl;
    }

    /** The settings the options resolve to. */
    BenchSettings settings() {
        List<DeviceProfile> ps = new ArrayList<>();
        for (String p : or(profiles, quick ? List.of("memory", "hdd") : List.of("memory", "ssd", "hdd"))) {
            ps.add(switch (p.trim()) {
                case "memory" -> DeviceProfile.memory();
                case "ssd" -> DeviceProfile.ssd(ssdIops, ssdMbps * DeviceProfile.MB);
                case "hdd" -> DeviceProfile.hdd(hddIops, hddMbps * DeviceProfile.MB);
                default -> throw new IllegalArgumentException("unknown profile '" + p + "'; allowed: memory, ssd, hdd");
            });
        }
        List<String> ds = or(datasets, List.of(SyntheticDataset.NAME));
        for (String d : ds) {
            if (!SyntheticDataset.NAME.equals(d) && !CatalogDataset.names().contains(d)) {
                throw new IllegalArgumentException("unknown dataset '" + d + "'; allowed: " + SyntheticDataset.NAME
                        + ", " + String.join(", ", CatalogDataset.names()));
            }
        }
        List<String> ls = or(layouts, quick ? List.of(TableLayouts.CLUSTERED)
                : List.of(TableLayouts.CLUSTERED, TableLayouts.SHUFFLED));
        ls.forEach(TableLayouts::validate);
        if (repeat < 1 || repeat > BenchSettings.MAX_REPEAT) {
            throw new IllegalArgumentException("--repeat must be in [1, " + BenchSettings.MAX_REPEAT + "], got " + repeat);
        }
        return new BenchSettings(ps, ds, ls, or(strategies, List.of(Strategy.values())),
                rows != null ? rows : quick ? 20_000 : 200_000, testFraction, dims,
                epochs != null ? epochs : quick ? 3 : 10, learningRate, decay, seed, blockPages, bufferFraction,
                probePages != null ? probePages : quick ? 300 : 1000, engine, engineOptions, targetTolerance, pgConf,
                pageCacheFraction, repeat);
    }

    @Override
    public Integer call() throws IOException {
        if (combine != null) {
            return combine();
        }
        BenchSettings settings;
        try {
            settings = settings();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Path dir = out != null ? out : defaultOut();
        Files.createDirectories(dir);
        log.println("bench: writing results to " + dir.toAbsolutePath());
        String command = "./corgipile bench " + String.join(" ", args);
        BenchResults results = new MatrixRunner(settings, log).run().withCommand(command);
        ResultFiles.writeJson(results, dir);
        ResultFiles.writeCsv(results, dir);
        Plots.write(results, dir);
        MarkdownReport.write(results, dir, command);
        log.println("bench: wrote " + dir.resolve(MarkdownReport.FILE).toAbsolutePath());
        if (results.profiles().isEmpty()) {
            log.println("bench: every profile was skipped; nothing was measured");
            return ExitCodes.INVALID_INPUT;
        }
        return ExitCodes.OK;
    }

    /** {@code --combine}: one report of earlier runs (their results.json), nothing measured. */
    private int combine() throws IOException {
        List<BenchResults> runs = new ArrayList<>();
        for (Path d : combine) {
            runs.add(ResultFiles.readJson(d));
        }
        Path dir = out != null ? out : defaultOut();
        Files.createDirectories(dir);
        MarkdownReport.writeCombined(runs, dir);
        log.println("bench: wrote " + dir.resolve(MarkdownReport.FILE).toAbsolutePath() + " from " + runs.size()
                + " runs");
        return ExitCodes.OK;
    }

    private static Path defaultOut() {
        String root = System.getProperty("corgipile.root", ".");
        String stamp = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        return Path.of(root, "bench-results", stamp);
    }

    private static <T> List<T> or(List<T> given, List<T> fallback) {
        return given == null || given.isEmpty() ? fallback : given;
    }
}
