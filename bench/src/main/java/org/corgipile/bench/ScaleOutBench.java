package org.corgipile.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.corgipile.bench.io.BlkioThrottle.IoCounters;
import org.corgipile.bench.io.DeviceProfile;
import org.corgipile.bench.io.PageCacheLimit;
import org.corgipile.bench.run.BenchResults;
import org.corgipile.bench.run.BenchServer;
import org.corgipile.cli.ExitCodes;
import org.corgipile.cli.VersionProvider;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Scale-out benchmark: one table split across 1, 2 and 3 PostgreSQL servers on this machine, each its own cluster
 * with its own emulated disk and memory — a cgroup-v1 blkio group with the hdd profile (150 IOPS, 150 MiB/s) and a
 * cgroup-v1 memory group whose page cache is limited to an eighth of its shard ({@link BenchServer}'s
 * {@link PageCacheLimit}, as in the matrix) — trained by one {@code train_sgd} on a coordinator whose partitioned
 * table has one postgres_fdw foreign partition per server. Baseline in the same run: the whole table on one such
 * server, {@code train_sgd} on it directly.
 *
 * <p>The table is clustered by label (all 0s, then all 1s; server k holds the rows with {@code id % n = k}, stored
 * in label order too) and wide: besides the label and the features, each row carries a {@code payload} column that
 * training does not read, as in a real table whose training columns are a fraction of each row. Because every
 * server's page cache holds only an eighth of its shard, the profile pass before epoch 1 and every epoch read the
 * shard from that server's throttled disk again: the epochs are I/O-bound, which is what more servers (more disks)
 * can speed up on 2 shared CPU cores. The report shows the device bytes each server read per pass (the training
 * backends' {@code device_read_bytes} in {@code corgipile.models.epoch_log}, and the blkio group's counters for the
 * whole call).
 *
 * <p>What is timed is one {@code train_sgd} call with the product's defaults (only relation, label, features,
 * {@code epochs}, {@code seed}, {@code validation_relation} and {@code model_name} given). The fixed costs of a
 * first call — the servers' catalogs, the JVM's files and the extension's jar read from the cold throttled disks —
 * are paid before it: caches are made cold (servers restarted, page cache dropped, limits set), then a warm-up
 * {@code train_sgd} through the same coordinator (or on the same server) over a tiny table with the same layout,
 * then the timed call. Sharded training opens new server connections per call, so each server still starts a
 * backend and a JVM in the timed call (from the page cache); that is in the call's time, not in the epochs'.
 *
 * <p>Sizes. Every server derives its sizes as {@code train_sgd} on it would: it probes its own disk
 * ({@code StorageProbe}) and on the emulated hdd derives blocks of at least 1 MB with a 128 MB default budget, the
 * one-server baseline and each shard of a sharded call alike (docs/scale-out.md, "Block and buffer sizes").
 *
 * <pre>
 *   ./corgipile setup
 *   ./corgipile bench-scale-out --rows 900000 --payload 1600 --epochs 3 --servers 1,2,3
 * </pre>
 * Options ({@code --help} lists them with their defaults) are parsed with picocli; exit codes are every corgipile
 * command's ({@link ExitCodes}): 0 done, 1 bad arguments, 2 a statement failed, 3 no root or no cgroup-v1 blkio and
 * memory controllers here (the reason is printed), 4 the report file cannot be written, 5 a bug.
 */
@Command(name = "corgipile bench-scale-out", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = VersionProvider.class, exitCodeOnInvalidInput = ExitCodes.USAGE,
        description = "Per-epoch time of one train_sgd over a table split across 1, 2, 3 PostgreSQL servers, each with"
            + " its own emulated hdd (cgroup-v1 blkio) and a page cache of a fraction of its shard (cgroup-v1 memory),"
            + " against train_sgd on the whole table on one such server. Needs root.",
        footer = {"", "Examples:", "  ./corgipile bench-scale-out --rows 900000 --epochs 3 --servers 1,2,3",
            "  ./corgipile bench-scale-out --rows 20000 --epochs 2 --servers 1,2", "",
            ExitCodes.H0, ExitCodes.H1, ExitCodes.H2, ExitCodes.H3, ExitCodes.H4, ExitCodes.H5, ExitCodes.H6_TRACED,
            ExitCodes.H7})
public final class ScaleOutBench implements Callable<Integer> {
    private static final int TEST_ROWS = 20_000;
    private static final int WARM_ROWS = 3_000;
    /** As the matrix: the reader's current and next block plus the kernel's read-ahead must fit. */
    private static final long MIN_PAGE_CACHE = 32L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--rows", paramLabel = "ROWS", defaultValue = "900000",
            description = "rows of the whole table (default ${DEFAULT-VALUE})")
    int rows;

    @Option(names = "--dims", paramLabel = "D", defaultValue = "28",
            description = "float8 features per row (default ${DEFAULT-VALUE})")
    int dims;

    @Option(names = "--payload", paramLabel = "BYTES", defaultValue = "1600",
            description = "bytes per row of a column training does not read (default ${DEFAULT-VALUE})")
    int payload;

    @Option(names = "--epochs", paramLabel = "E", defaultValue = "3",
            description = "epochs per train_sgd call (default ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--servers", split = ",", defaultValue = "1,2,3", paramLabel = "N",
            description = "server counts to run, in this order (default ${DEFAULT-VALUE})")
    List<Integer> counts;

    @Option(names = "--hdd-iops", paramLabel = "IOPS", defaultValue = "150",
            description = "each server's read IOPS limit (default ${DEFAULT-VALUE})")
    long iops;

    @Option(names = "--hdd-mbps", paramLabel = "MIBPS", defaultValue = "150",
            description = "each server's read MiB/s limit (default ${DEFAULT-VALUE})")
    long mbps;

    @Option(names = "--page-cache-fraction", paramLabel = "F", defaultValue = "0.125",
            description = "each server's page cache as a fraction of its shard, at least 32 MB"
                    + " (default ${DEFAULT-VALUE})")
    double cacheFraction;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "1",
            description = "seed of the training calls (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--out", paramLabel = "FILE", description = "also write the Markdown report to this file")
    Path out;

    @Spec
    CommandSpec spec;

    ScaleOutBench() {
    }

    /**
     * One server's share of a timed call: seconds and device bytes of the profile pass and of every epoch; and the
     * engine's storage probe run on the server as set-up before the call (NaN: not run).
     */
    record ServerRun(String server, long shardBytes, long cacheBudget, double profileSeconds, long profileBytes,
                     List<Double> epochSeconds, List<Long> epochBytes, long callBytes, int blockPages,
                     double setUpProbeSeconds) {
        ServerRun withSetUpProbe(double seconds) {
            return new ServerRun(server, shardBytes, cacheBudget, profileSeconds, profileBytes, epochSeconds,
                    epochBytes, callBytes, blockPages, seconds);
        }
    }

    /**
     * One timed call: its wall time, the coordinator's per-epoch seconds (training round) and evaluation seconds,
     * the profile pass's seconds, the test accuracy after every epoch, and each server's share.
     */
    record Run(String setup, int servers, double callSeconds, double profileSeconds, List<Double> seconds,
               List<Double> evalSeconds, List<Double> accuracy, List<ServerRun> perServer) {

        double medianEpoch() {
            return median(seconds);
        }

        /**
         * Seconds from the call's start to the end of epoch {@code e} (1-based): the call minus what came after
         * (the later epochs and their evaluations).
         */
        double secondsThrough(int e) {
            double after = 0;
            for (int j = e; j < seconds.size(); j++) {
                after += seconds.get(j) + evalSeconds.get(j);
            }
            return callSeconds - after;
        }
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line {@link #main} executes: picocli, with every corgipile command's exit codes. */
    static CommandLine commandLine() {
        return ExitCodes.reportFailures(new CommandLine(new ScaleOutBench()), "corgipile bench-scale-out");
    }

    @Override
    public Integer call() throws Exception {
        if (!(cacheFraction > 0 && cacheFraction <= 1)) {
            throw new ParameterException(spec.commandLine(), "--page-cache-fraction must be in (0, 1], got "
                    + cacheFraction);
        }
        if (rows < 1 || dims < 1 || payload < 0 || epochs < 1 || counts.stream().anyMatch(n -> n < 1)) {
            throw new ParameterException(spec.commandLine(), "--rows, --dims, --epochs and every --servers count "
                    + "must be at least 1 and --payload at least 0");
        }
        Optional<String> why = BenchServer.unavailableReason(disk(1, iops, mbps)).or(PageCacheLimit::unavailableReason);
        if (why.isPresent()) {
            spec.commandLine().getErr().println("corgipile bench-scale-out: error: cannot emulate one disk and one "
                    + "memory per server: " + why.get());
            return ExitCodes.INVALID_INPUT;
        }
        String train = "epochs => " + epochs + ", seed => " + seed + ", validation_relation => 'test_rows'";
        List<Run> runs = new ArrayList<>();
        System.out.printf(Locale.ROOT, "bench-scale-out: %d rows x %d features + %d-byte payload, clustered by label; "
                + "%d epochs; hdd profile %d IOPS / %d MiB/s per server, page cache %.1f%% of each shard%n", rows,
                dims, payload, epochs, iops, mbps, 100 * cacheFraction);
        for (int n : counts) {
            List<BenchServer> shards = new ArrayList<>();
            try (BenchServer coordinator = BenchServer.start(DeviceProfile.memory(), List.of())) {
                for (int k = 0; k < n; k++) {
                    shards.add(BenchServer.start(disk(k + 1, iops, mbps), List.of()));
                }
                // every server loads its share at once (each generates the same rows and keeps its own)
                List<Future<Long>> loads = new ArrayList<>();
                ExecutorService pool = Executors.newFixedThreadPool(n);
                try {
                    for (int k = 0; k < n; k++) {
                        BenchServer shard = shards.get(k);
                        String filter = "i % " + n + " = " + k;
                        boolean test = n == 1;
                        int r = rows;
                        int d = dims;
                        int p = payload;
                        loads.add(pool.submit(() -> {
                            try (Connection c = shard.connect(); Statement s = c.createStatement()) {
                                load(s, "shard", r, d, p, filter);
                                load(s, "warm", WARM_ROWS, d, p, filter);
                                if (test) {
                                    load(s, "test_rows", TEST_ROWS, d, 0, "true");
                                }
                                try (ResultSet rs = s.executeQuery("SELECT pg_table_size('shard')")) {
                                    rs.next();
                                    return rs.getLong(1);
                                }
                            }
                        }));
                    }
                } finally {
                    pool.shutdown();
                }
                List<Long> shardBytes = new ArrayList<>();
                for (Future<Long> f : loads) {
                    shardBytes.add(f.get());
                }
                try (Connection c = coordinator.connect(); Statement s = c.createStatement()) {
                    s.execute("CREATE EXTENSION IF NOT EXISTS postgres_fdw");
                    s.execute("CREATE EXTENSION IF NOT EXISTS dblink");
                    load(s, "test_rows", TEST_ROWS, dims, 0, "true");
                    for (int k = 0; k < n; k++) {
                        s.execute("CREATE SERVER shard" + (k + 1) + " FOREIGN DATA WRAPPER postgres_fdw OPTIONS "
                                + "(host '127.0.0.1', port '" + shards.get(k).cluster().port() + "', dbname '"
                                + BenchServer.DATABASE + "')");
                        s.execute("CREATE USER MAPPING FOR CURRENT_USER SERVER shard" + (k + 1)
                                + " OPTIONS (user 'postgres')");
                    }
                    for (String table : List.of("shard", "warm")) {
                        String parent = table.equals("shard") ? "dist" : "dist_warm";
                        s.execute("CREATE TABLE " + parent + " (id int, label int, features float8[], payload text) "
                                + "PARTITION BY LIST ((id % " + n + "))");
                        for (int k = 0; k < n; k++) {
                            s.execute("CREATE FOREIGN TABLE " + parent + "_" + (k + 1) + " PARTITION OF " + parent
                                    + " FOR VALUES IN (" + k + ") SERVER shard" + (k + 1) + " OPTIONS (table_name '"
                                    + table + "')");
                        }
                    }
                }
                if (n == 1) {
                    runs.add(timed(shards, shardBytes, cacheFraction, shards.get(0), "1 server, train_sgd on the table",
                            "shard", "warm", train, "direct"));
                }
                runs.add(timed(shards, shardBytes, cacheFraction, coordinator,
                        n + (n == 1 ? " server" : " servers") + " via the coordinator", "dist", "dist_warm", train,
                        "scale_" + n));
            } finally {
                shards.forEach(BenchServer::close);
            }
        }
        String report = report(runs);
        System.out.println();
        System.out.println(report);
        if (out != null) {
            Files.writeString(out, report);
        }
        return ExitCodes.OK;
    }

    private static DeviceProfile disk(int server, long iops, long mbps) {
        return new DeviceProfile("shard" + server + "-hdd", true, iops, mbps * DeviceProfile.MB, "32MB");
    }

    /**
     * Cold caches on every server (restart, page cache dropped), each server's page cache limited to its fraction of
     * its shard, a warm-up call over {@code warmTable} through {@code caller}'s session, then the timed call.
     */
    private static Run timed(List<BenchServer> shards, List<Long> shardBytes, double cacheFraction, BenchServer caller,
                             String setup, String table, String warmTable, String args, String model)
            throws SQLException, java.io.IOException {
        shards.forEach(BenchServer::cold);
        List<Long> budgets = new ArrayList<>();
        for (int k = 0; k < shards.size(); k++) {
            budgets.add(shards.get(k).limitPageCache(Math.max(MIN_PAGE_CACHE,
                    Math.round(shardBytes.get(k) * cacheFraction))));
        }
        List<Double> probes = new ArrayList<>();
        for (BenchServer shard : shards) {
            probes.add(setUpProbe(shard));
        }
        try (Connection c = caller.connect(); Statement s = c.createStatement()) {
            s.execute("SET client_min_messages = warning");
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM train_sgd('" + warmTable
                    + "', 'label', 'features', epochs => 1, seed => 1, model_name => '" + model + "_warmup')")) {
                rs.next();
            }
            List<IoCounters> io0 = shards.stream().map(BenchServer::io).toList();
            shards.forEach(BenchServer::peakPageCache);
            List<Double> accuracy = new ArrayList<>();
            long start = System.nanoTime();
            try (ResultSet rs = s.executeQuery("SELECT validation_accuracy FROM train_sgd('" + table
                    + "', 'label', 'features', " + args + ", model_name => '" + model + "') ORDER BY epoch")) {
                while (rs.next()) {
                    accuracy.add(rs.getDouble(1));
                }
            }
            double call = (System.nanoTime() - start) / 1e9;
            List<IoCounters> io = new ArrayList<>();
            List<Long> peaks = new ArrayList<>();
            for (int k = 0; k < shards.size(); k++) {
                io.add(shards.get(k).io().minus(io0.get(k)));
                peaks.add(shards.get(k).peakPageCache());
            }
            JsonNode log;
            JsonNode spec;
            try (ResultSet rs = s.executeQuery("SELECT epoch_log::text, spec::text FROM corgipile.models WHERE name = '"
                    + model + "'")) {
                rs.next();
                log = JSON.readTree(rs.getString(1));
                spec = JSON.readTree(rs.getString(2));
            }
            Run run = run(setup, shards.size(), call, accuracy, log, spec, shardBytes, budgets, io);
            List<ServerRun> withProbes = new ArrayList<>();
            for (int k = 0; k < shards.size(); k++) {
                withProbes.add(run.perServer().get(k).withSetUpProbe(probes.get(k)));
            }
            run = new Run(run.setup(), run.servers(), run.callSeconds(), run.profileSeconds(), run.seconds(),
                    run.evalSeconds(), run.accuracy(), withProbes);
            System.out.printf(Locale.ROOT, "bench-scale-out: %s: call %.2f s, profile %.2f s, epoch seconds %s, "
                    + "test accuracy %s%n", setup, call, run.profileSeconds(), run.seconds(), accuracy);
            for (int k = 0; k < shards.size(); k++) {
                ServerRun r = run.perServer().get(k);
                System.out.printf(Locale.ROOT, "bench-scale-out:   %s: shard %.0f MB, block %d pages, page cache "
                        + "budget %.0f MB (peak %.0f MB); profile %.2f s %.0f MB; epochs %s s, %s MB; call %.0f MB "
                        + "(blkio)%n", r.server(), mb(r.shardBytes()), r.blockPages(), mb(r.cacheBudget()),
                        mb(peaks.get(k)), r.profileSeconds(),
                        mb(r.profileBytes()), r.epochSeconds(), r.epochBytes().stream().map(b -> Math.round(mb(b)))
                                .toList(), mb(r.callBytes()));
            }
            return run;
        }
    }

    /**
     * The engine's storage probe on {@code shard}, as set-up before a timed call (its caches cold, its throttle in
     * force): the extension keeps what it measured per server (in the data directory), so without this the first
     * call on a server would pay the probe and later calls on it (the one-server baseline, then the coordinator's
     * call on the same server) would not. Every timed call then reads the cache and none pays it. NaN without the
     * function (an older extension: every call probes in its profile round, as before).
     */
    private static double setUpProbe(BenchServer shard) throws SQLException {
        try (Connection c = shard.connect(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                    + " WHERE n.nspname = 'corgipile' AND p.proname = 'storage_probe'")) {
                if (!rs.next()) {
                    return Double.NaN;
                }
            }
            long t0 = System.nanoTime();
            try (ResultSet rs = s.executeQuery("SELECT corgipile.storage_probe('shard'::regclass, refresh => true)"
                    + "::text")) {
                rs.next();
                double wall = (System.nanoTime() - t0) / 1e9;
                String json = rs.getString(1);
                double seconds = JSON.readTree(json).path("probe_seconds").asDouble(wall);
                System.out.printf(Locale.ROOT, "bench-scale-out:   storage probe (set-up) on %s: %.3f s: %s%n",
                        shard.profile().name(), seconds, json);
                return seconds;
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new SQLException("corgipile.storage_probe returned no JSON", e);
            }
        }
    }

    /**
     * A timed call from its epoch log: one server's rows ({@code device_read_bytes} per epoch; the profile pass's
     * bytes are the blkio group's bytes of the call minus the epochs') or the coordinator's (each server's seconds
     * and device bytes per epoch and of the profile round).
     */
    static Run run(String setup, int servers, double call, List<Double> accuracy, JsonNode log, List<Long> shardBytes,
                   List<Long> budgets, List<IoCounters> io) {
        return run(setup, servers, call, accuracy, log, JSON.createObjectNode(), shardBytes, budgets, io);
    }

    /**
     * As above, with the model's stored {@code spec}: the block size of one server's run (a sharded run's are each
     * server's, in the epoch log's {@code server_sizes}).
     */
    static Run run(String setup, int servers, double call, List<Double> accuracy, JsonNode log, JsonNode spec,
                   List<Long> shardBytes, List<Long> budgets, List<IoCounters> io) {
        List<Double> seconds = new ArrayList<>();
        List<Double> eval = new ArrayList<>();
        for (JsonNode e : log) {
            seconds.add(e.path("seconds").asDouble());
            eval.add(e.path("eval_seconds").asDouble(0));
        }
        JsonNode first = log.get(0);
        double profile = first.path("profile_seconds").asDouble(0);
        List<ServerRun> perServer = new ArrayList<>();
        boolean sharded = first.has("servers");
        for (int k = 0; k < servers; k++) {
            String name = "shard" + (k + 1);
            List<Double> s = new ArrayList<>();
            List<Long> b = new ArrayList<>();
            for (JsonNode e : log) {
                s.add(sharded ? e.path("servers").path(name).asDouble() : e.path("seconds").asDouble());
                b.add(sharded ? e.path("server_device_read_bytes").path(name).asLong(-1)
                        : e.path("device_read_bytes").asLong(-1));
            }
            long profileBytes = sharded ? first.path("server_profile_device_read_bytes").path(name).asLong(-1)
                    : io.get(k).bytes() - b.stream().mapToLong(Long::longValue).sum();
            int block = sharded ? first.path("server_sizes").path(name).path("block_size").asInt(0)
                    : spec.path("block_size").asInt(0);
            perServer.add(new ServerRun(name, shardBytes.get(k), budgets.get(k), profile, profileBytes, s, b,
                    io.get(k).bytes(), block, Double.NaN));
        }
        return new Run(setup, servers, call, profile, seconds, eval, accuracy, perServer);
    }

    /**
     * {@code name}: the rows of the seeded label-clustered table for which {@code filter} holds (on {@code i}),
     * stored by label (the label is a hash of {@code i}, so two inserts in {@code i} order write the 0s, then the 1s,
     * without sorting); every server generates the same table and keeps its share.
     */
    private static void load(Statement s, String name, int rows, int dims, int payload, String filter)
            throws SQLException {
        s.execute("SET client_min_messages = warning");
        s.execute("DROP TABLE IF EXISTS " + name);
        s.execute("CREATE TABLE " + name + " (id int, label int, features float8[], payload text)");
        s.execute("SELECT setseed(" + (name.equals("test_rows") ? 0.7 : 0.3) + ")");
        for (int label = 0; label <= 1; label++) {
            s.execute("INSERT INTO " + name + " SELECT i, label, ARRAY(SELECT (random() * 2 - 1) + "
                    + "CASE WHEN label = 1 THEN 0.25 ELSE -0.25 END FROM generate_series(1, " + dims + ") k "
                    + "WHERE i > 0), repeat(md5(i::text), " + (payload / 32) + ") "
                    + "FROM (SELECT i, hashint4(i) & 1 AS label FROM generate_series(1, " + rows + ") i) s "
                    + "WHERE label = " + label + " AND " + filter);
        }
        s.execute("VACUUM ANALYZE " + name);
    }

    static double median(List<Double> xs) {
        return BenchResults.median(xs.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static double mb(long bytes) {
        return bytes / 1e6;
    }

    /** The Markdown report: one row per setup, then each server's share; ratios against the first run. */
    static String report(List<Run> runs) {
        Run base = runs.get(0);
        int epochs = base.seconds().size();
        double target = base.accuracy().get(base.accuracy().size() - 1) - 0.005;
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "| setup | epoch s (median of %d, cold) | vs one server | profile pass s "
                + "(cold) | train_sgd call s | vs one server | time to %.2f%% | test accuracy after %d |%n", epochs,
                100 * target, epochs));
        b.append("|---|---|---|---|---|---|---|---|\n");
        for (Run r : runs) {
            String reached = "never";
            for (int e = 0; e < r.accuracy().size(); e++) {
                if (r.accuracy().get(e) >= target) {
                    reached = String.format(Locale.ROOT, "%.2f s (epoch %d)", r.secondsThrough(e + 1), e + 1);
                    break;
                }
            }
            b.append(String.format(Locale.ROOT, "| %s | %.2f | %.2fx | %.2f | %.2f | %.2fx | %s | %.2f%% |%n",
                    r.setup(), r.medianEpoch(), base.medianEpoch() / r.medianEpoch(), r.profileSeconds(),
                    r.callSeconds(), base.callSeconds() / r.callSeconds(), reached,
                    100 * r.accuracy().get(r.accuracy().size() - 1)));
        }
        b.append("\n| setup | server | shard MB | block pages | page cache limit MB | storage probe s (set-up) "
                + "| profile pass: device MB | epoch s (median) | epoch device MB (median) | call device MB (blkio) |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (Run r : runs) {
            for (ServerRun s : r.perServer()) {
                b.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %s | %.0f | %s | %.0f | %.2f | %.0f | %.0f |%n",
                        r.setup(), s.server(), mb(s.shardBytes()), s.blockPages() > 0 ? s.blockPages() : "?",
                        mb(s.cacheBudget()), Double.isNaN(s.setUpProbeSeconds()) ? "n/a"
                                : String.format(Locale.ROOT, "%.2f", s.setUpProbeSeconds()), mb(s.profileBytes()),
                        median(s.epochSeconds()), median(s.epochBytes().stream().map(x -> (double) x).toList()) / 1e6,
                        mb(s.callBytes())));
            }
        }
        return b.toString();
    }
}
