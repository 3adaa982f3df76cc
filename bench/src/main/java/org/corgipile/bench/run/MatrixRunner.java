package org.corgipile.bench.run;

import java.io.PrintStream;
import java.net.InetAddress;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.corgipile.bench.data.CatalogDataset;
import org.corgipile.bench.data.SyntheticDataset;
import org.corgipile.bench.data.TableLayouts;
import org.corgipile.bench.engine.EpochResult;
import org.corgipile.bench.engine.InDbTrainSgd;
import org.corgipile.bench.engine.ClientModeEngine;
import org.corgipile.bench.engine.Strategy;
import org.corgipile.bench.engine.TrainRequest;
import org.corgipile.bench.engine.TrainingEngine;
import org.corgipile.bench.io.BlkioThrottle.IoCounters;
import org.corgipile.bench.io.DeviceProfile;
import org.corgipile.bench.io.Processes;
import org.corgipile.bench.run.BenchResults.IoProbe;
import org.corgipile.bench.run.BenchResults.ProfileResult;
import org.corgipile.bench.run.BenchResults.Round;
import org.corgipile.bench.run.BenchResults.Skipped;
import org.corgipile.bench.run.BenchResults.StrategyResult;
import org.corgipile.bench.run.BenchResults.TableResult;

/**
 * Runs the matrix profiles x datasets x layouts x strategies.
 *
 * <p>Per profile: a fresh cluster ({@link BenchServer}); per dataset: the generated rows and a test table; per
 * layout: the training table, its scan floor ({@code SELECT count(features)}, cold on ssd/hdd, warm on memory) and,
 * for the first table of the profile, the I/O probes (random-order vs in-order reads of the same pages). Per
 * strategy: caches made cold (or warm), the shuffle-once rewrite timed as preparation, the training, and the
 * pg_statio and blkio deltas. A failed training is recorded with its error and the matrix goes on.
 */
public final class MatrixRunner {
    private static final String PAGE_PROBE_SQL = "SELECT count(*) FROM unnest(?::int[]) WITH ORDINALITY AS p(page, ord)"
            + " CROSS JOIN LATERAL (SELECT 1 FROM %s WHERE ctid = ('(' || p.page || ',1)')::tid) AS x";

    private static final long MIN_PAGE_CACHE = 32L << 20;

    /** The kind of the I/O probe that records the engine's own storage probe, run once per profile as set-up. */
    public static final String ENGINE_PROBE = "engine_storage_probe";

    private final BenchSettings settings;
    private final PrintStream log;

    public MatrixRunner(BenchSettings settings, PrintStream log) {
        this.settings = settings;
        this.log = log;
    }

    public BenchResults run() {
        String started = Instant.now().toString();
        List<ProfileResult> profiles = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        for (DeviceProfile profile : settings.profiles()) {
            Optional<String> reason = BenchServer.unavailableReason(profile);
            if (reason.isPresent()) {
                log.println("bench: skipping profile " + profile.name() + ": " + reason.get());
                skipped.add(new Skipped(profile.name(), reason.get()));
                continue;
            }
            log.println("bench: profile " + profile.describe());
            try (BenchServer server = BenchServer.start(profile, settings.extraConf())) {
                // Ctrl-C must not leave a running cluster or a cgroup behind
                Thread cleanup = new Thread(server::close, "bench-cleanup-" + profile.name());
                Runtime.getRuntime().addShutdownHook(cleanup);
                try {
                    profiles.add(runProfile(server));
                } finally {
                    Runtime.getRuntime().removeShutdownHook(cleanup);
                }
            } catch (SQLException | RuntimeException e) {
                String msg = e.getClass().getSimpleName() + ": " + e.getMessage();
                log.println("bench: profile " + profile.name() + " failed: " + msg);
                skipped.add(new Skipped(profile.name(), "failed: " + msg));
            }
        }
        return new BenchResults(started, Instant.now().toString(), host(), settings, profiles, skipped, null);
    }

    private ProfileResult runProfile(BenchServer server) throws SQLException {
        TrainingEngine engine = engine(server);
        String p = server.profile().name();
        log.println("bench: [" + p + "] engine " + engine.name()
                + (server.device() == null ? "" : ", throttled device " + server.device()));
        List<IoProbe> probes = new ArrayList<>();
        boolean engineProbed = false;
        List<TableResult> tables = new ArrayList<>();
        long testRows = Math.max(1, Math.round(settings.rows() * settings.testFraction()));
        for (String dataset : settings.datasets()) {
            boolean synthetic = SyntheticDataset.NAME.equals(dataset);
            String base = dataset + "_all";
            String syntheticTest = dataset + "_test";
            if (synthetic) {
                try (Connection c = server.connect()) {
                    log.printf(Locale.ROOT, "bench: [%s] generating %s: %d + %d rows x %d features%n", p, dataset,
                            settings.rows(), testRows, settings.dims());
                    new SyntheticDataset(settings.dims(), settings.seed()).load(c, base, settings.rows() + testRows);
                    TableLayouts.createTest(c, base, syntheticTest, settings.rows());
                }
            }
            for (String layout : settings.layouts()) {
                String table;
                String test;
                long trainRows = settings.rows();
                long nTest = testRows;
                try (Connection c = server.connect()) {
                    if (synthetic) {
                        table = dataset + "_" + layout;
                        test = syntheticTest;
                        TableLayouts.createTrain(c, base, table, layout, settings.rows(), settings.seed());
                    } else {
                        log.printf(Locale.ROOT, "bench: [%s] loading %s (%s) with the datasets module%n", p, dataset,
                                layout);
                        var r = CatalogDataset.load(c, dataset, layout, settings.rows(), settings.testFraction(),
                                settings.seed());
                        table = r.table();
                        test = r.testTable();
                        trainRows = r.rows() - r.testRows();
                        nTest = r.testRows();
                    }
                }
                long[] shape = shape(server, table);
                if (probes.isEmpty()) {
                    probes.addAll(pageProbes(server, table, shape[0]));
                }
                IoProbe floor = scan(server, table, shape[0]);
                if (probes.stream().noneMatch(x -> x.kind().equals("seq_scan"))) {
                    probes.add(0, floor);
                }
                if (!engineProbed) {
                    engineStorageProbe(server, engine, table).ifPresent(probes::add);
                    engineProbed = true;
                }
                log.printf(Locale.ROOT, "bench: [%s] %s: %d pages (%.1f MB), scan floor %.3f s, blocks of %s%n",
                        p, table, shape[0], shape[1] / 1e6, floor.seconds(), settings.blockPagesFor(shape[0]) == 0
                                ? "the engine's default size" : settings.blockPagesFor(shape[0]) + " pages");
                List<StrategyResult> results = new ArrayList<>();
                for (Strategy s : settings.strategies()) {
                    results.add(runStrategy(server, engine, dataset, layout, table, test, s,
                            settings.blockPagesFor(shape[0]), shape[1]));
                }
                List<Round> repeats = repeats(server, engine, dataset, layout, table, test, shape);
                tables.add(new TableResult(dataset, layout, table, test, trainRows, nTest, shape[0],
                        shape[1], settings.blockPagesFor(shape[0]), floor.seconds(), floor.bytesRead(), results,
                        (int) shape[2], repeats));
            }
        }
        return new ProfileResult(server.profile(), server.device(), probes, tables);
    }

    /**
     * The repeated points ({@code --repeat N}, every profile): rounds 2..N of the scan floor, then {@code corgipile}
     * and {@code none} (those the run trains), on the same table and cluster, each round after the previous one, so
     * the floor and both strategies of a round see the machine in the same state and the report can give each epoch
     * ratio as a median over rounds with its range. On ssd/hdd every call of a round is as cold as in round 1: the
     * floor and each strategy go through {@link #prepareCaches} (server restarted, page cache dropped, blkio and
     * memory groups re-entered) and each strategy's page cache is limited again, exactly as in round 1.
     */
    private List<Round> repeats(BenchServer server, TrainingEngine engine, String dataset, String layout,
                                String table, String test, long[] shape) throws SQLException {
        List<Strategy> repeated = settings.strategies().stream()
                .filter(x -> x == Strategy.CORGIPILE || x == Strategy.NONE).toList();
        if (settings.repeat() < 2 || repeated.isEmpty()) {
            return List.of();
        }
        String p = server.profile().name();
        List<Round> rounds = new ArrayList<>();
        for (int round = 2; round <= settings.repeat(); round++) {
            IoProbe floor = scan(server, table, shape[0]);
            List<StrategyResult> results = new ArrayList<>();
            for (Strategy s : repeated) {
                results.add(runStrategy(server, engine, dataset, layout, table, test, s,
                        settings.blockPagesFor(shape[0]), shape[1]));
            }
            log.printf(Locale.ROOT, "bench: [%s] %s round %d of %d: scan floor %.3f s, median epoch %s%n", p, table,
                    round, settings.repeat(), floor.seconds(), results.stream().map(r -> String.format(Locale.ROOT,
                            "%s %.3f s", r.strategy(), r.medianEpochSeconds())).toList());
            rounds.add(new Round(round, floor.seconds(), results));
        }
        return rounds;
    }

    private TrainingEngine engine(BenchServer server) throws SQLException {
        boolean inDb;
        try (Connection c = server.connect()) {
            inDb = InDbTrainSgd.available(c);
        }
        switch (settings.engine()) {
            case "in-db" -> {
                if (!inDb) {
                    throw new IllegalStateException("--engine in-db: train_sgd is not available in the benchmark's"
                            + " cluster (the corgipile extension is not installed; run ./corgipile setup)");
                }
                return new InDbTrainSgd();
            }
            case "client" -> {
                return new ClientModeEngine(server.cluster().dataSource(BenchServer.DATABASE));
            }
            default -> {
                if (inDb) {
                    return new InDbTrainSgd();
                }
                log.println("bench: train_sgd is not available (corgipile extension not installed): training in"
                        + " client mode (the same operators over JDBC) instead; results are labelled so");
                return new ClientModeEngine(server.cluster().dataSource(BenchServer.DATABASE));
            }
        }
    }

    private StrategyResult runStrategy(BenchServer server, TrainingEngine engine, String dataset, String layout,
                                       String table, String test, Strategy strategy, int blockPages,
                                       long tableBytes) {
        String p = server.profile().name();
        String trained = table;
        double prep = 0;
        long prepWritten = 0;
        Strategy engineStrategy = strategy;
        try {
            if (strategy == Strategy.SHUFFLE_ONCE) {
                trained = table + "_shuffled_once";
                server.cold();
                // the rewrite of a table larger than memory: its sort's spill does not fit in the page cache either
                // (cold() lifted the limit so that a training backend's JVM starts unlimited; this one starts none)
                server.limitPageCache(Math.max(MIN_PAGE_CACHE, Math.round(tableBytes * settings.pageCacheFraction())));
                try (Connection c = server.connect()) {
                    TableLayouts.Rewrite rewrite = TableLayouts.shuffleOnce(c, table, trained, settings.seed() + 17);
                    prep = rewrite.seconds();
                    prepWritten = rewrite.bytesWritten();
                }
                engineStrategy = Strategy.NONE;
            }
            prepareCaches(server, trained);
            TrainRequest request = new TrainRequest(trained, test, "label", "features", engineStrategy,
                    settings.epochs(), settings.learningRate(), settings.decay(), settings.seed(),
                    blockPages, settings.bufferFraction(),
                    "bench_" + p + "_" + dataset + "_" + layout + "_" + strategy.sqlName(), settings.engineOptions());
            try (Connection c = server.connect()) {
                engine.warmUp(c, request);
                server.dropPageCache();
                // at least 32 MB: the reader asks for the current and the next block (up to 10 MB each) and the
                // kernel reads ahead up to 8 MB; a smaller budget evicts pages read ahead before they are used, and
                // the device then reads the table several times per epoch
                long cacheBudget = server.limitPageCache(Math.max(MIN_PAGE_CACHE,
                        Math.round(tableBytes * settings.pageCacheFraction())));
                long[] before = statio(c, trained);
                IoCounters io0 = server.io();
                // in-DB: the training backend is this connection's (client mode trains over its own connections)
                long pid = engine instanceof InDbTrainSgd ? Processes.backendPid(c) : -1;
                long w0 = pid < 0 ? -1 : Processes.writeBytes(pid);
                long call0 = System.nanoTime();
                List<EpochResult> epochs = engine.train(c, request);
                double callSeconds = (System.nanoTime() - call0) / 1e9;
                long w1 = pid < 0 ? -1 : Processes.writeBytes(pid);
                IoCounters io = server.io().minus(io0);
                long peakCache = server.peakPageCache();
                long[] after = statio(c, trained);
                for (EpochResult e : epochs) {
                    log.printf(Locale.ROOT, "bench: [%s] %s %-14s epoch %2d: %7.3f s (read %6.3f, sgd %6.3f)"
                                    + "  device %7.1f MB in %6s requests  test acc %.4f%n", p, table,
                            strategy.sqlName(), e.epoch(), e.seconds(), e.readSeconds(), e.computeSeconds(),
                            e.deviceBytesRead() < 0 ? Double.NaN : e.deviceBytesRead() / 1e6,
                            e.deviceReadRequests() < 0 ? "?" : Long.toString(e.deviceReadRequests()),
                            e.testAccuracy());
                }
                double[] sizes = chosenSizes(c, request.modelName());
                return new StrategyResult(strategy.sqlName(), strategy.label(), engine.name(), trained, prep,
                        callSeconds, cacheBudget, peakCache, epochs, after[0] - before[0], after[1] - before[1],
                        io.bytes(), io.requests(), null, (int) sizes[0], sizes[1], prepWritten,
                        w0 < 0 || w1 < 0 ? -1 : w1 - w0);
            } finally {
                if (strategy == Strategy.SHUFFLE_ONCE) {
                    try (Connection c = server.connect(); Statement s = c.createStatement()) {
                        s.execute("DROP TABLE IF EXISTS " + trained);
                    }
                }
            }
        } catch (SQLException | RuntimeException e) {
            String msg = e.getMessage();
            log.println("bench: [" + p + "] " + table + " " + strategy.sqlName() + " failed: " + msg);
            return new StrategyResult(strategy.sqlName(), strategy.label(), engine.name(), trained, prep, 0, 0, 0,
                    List.of(), 0, 0, 0, 0, msg == null ? e.getClass().getName() : msg, 0, Double.NaN, prepWritten, -1);
        }
    }

    /**
     * Cold profiles: restart and drop caches. Warm profile: read the table once so it sits in shared_buffers,
     * its out-of-line (TOAST) feature arrays too: {@code array_length} detoasts each, {@code count} would not.
     */
    private void prepareCaches(BenchServer server, String table) throws SQLException {
        if (server.profile().cold()) {
            server.cold();
        } else {
            try (Connection c = server.connect(); Statement s = c.createStatement()) {
                s.execute("SELECT sum(array_length(features, 1)) FROM " + table);
            }
        }
    }

    /**
     * The engine's storage probe (the device-aware block size's timing of the device), once per profile's cluster
     * before its first strategy, with the profile's caches and throttle in force: the extension keeps what it
     * measured in the data directory ({@code corgipile.storage_probe}), so without this set-up the first strategy's
     * call would pay the probe and the later ones would read the cache. {@code refresh => true} measures now even if
     * a cache exists. Recorded as an I/O probe of kind {@value #ENGINE_PROBE} (its {@code probe_seconds}, device
     * bytes and requests) and reported as set-up: every strategy's call then reads the cache (probe 0), so no
     * strategy's end-to-end time counts it. Empty in client mode and with an extension without the function (every
     * call then probes in its own session and counts it, as before).
     */
    private Optional<IoProbe> engineStorageProbe(BenchServer server, TrainingEngine engine, String table)
            throws SQLException {
        if (!(engine instanceof InDbTrainSgd)) {
            return Optional.empty();
        }
        try (Connection c = server.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                     + " WHERE n.nspname = 'corgipile' AND p.proname = 'storage_probe'")) {
            if (!rs.next()) {
                log.printf(Locale.ROOT, "bench: [%s] the extension has no corgipile.storage_probe: every call"
                        + " probes the device in its own session%n", server.profile().name());
                return Optional.empty();
            }
        }
        if (server.profile().cold()) {
            server.cold();
        }
        try (Connection c = server.connect();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT corgipile.storage_probe(?::regclass, refresh => true)::text")) {
            ps.setString(1, table);
            IoCounters io0 = server.io();
            long t0 = System.nanoTime();
            String json;
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                json = rs.getString(1);
            }
            double wall = (System.nanoTime() - t0) / 1e9;
            IoCounters io = server.io().minus(io0);
            JsonNode found;
            try {
                found = new ObjectMapper().readTree(json);
            } catch (JsonProcessingException e) {
                throw new SQLException("corgipile.storage_probe returned no JSON: " + json, e);
            }
            // the engine's own timing of the probe; the statement's time where it reports none
            double seconds = found.path("probe_seconds").asDouble(wall);
            log.printf(Locale.ROOT, "bench: [%s] the engine's storage probe (set-up, once per server): %.3f s (call"
                    + " %.3f s): %s%n", server.profile().name(), seconds, wall, json);
            return Optional.of(new IoProbe(table, ENGINE_PROBE, 0, seconds, io.bytes(), io.requests()));
        } catch (SQLException e) {
            // the strategies then probe in their own calls, as without the function: measured, not fatal
            log.printf(Locale.ROOT, "bench: [%s] the engine's storage probe failed (%s): every call probes the"
                    + " device in its own session%n", server.profile().name(), e.getMessage());
            return Optional.empty();
        }
    }

    /** Timed runs of the warm scan floor after the untimed first one: as many as the epochs 2..5 of a call. */
    public static final int WARM_FLOOR_RUNS = 4;

    /**
     * The scan floor, {@code SELECT count(features)} after {@link #prepareCaches}. Cold (ssd, hdd): one timed run,
     * which reads the table from the device as a cold epoch does. Warm: the median of {@value #WARM_FLOOR_RUNS}
     * timed runs in one session after an untimed first one, measured as the epochs it is compared with (epochs
     * 2..n of one call): the first scan of a table in a new backend also pays that process's first touch of every
     * shared buffer (its page-table entries), 50-120 ms for a 60 MB table on a VM where the next scans take 11-18
     * ms, which a training pays in its epoch 1 only. Bug: the floor was that first scan, so epochs 2..n were
     * compared with a floor inflated by it.
     */
    private IoProbe scan(BenchServer server, String table, long pages) throws SQLException {
        prepareCaches(server, table);
        boolean warm = !server.profile().cold();
        try (Connection c = server.connect(); Statement s = c.createStatement()) {
            String floorQuery = "SELECT count(features) FROM " + table;
            long first = System.nanoTime();
            s.execute(warm ? floorQuery : "EXPLAIN " + floorQuery); // catalog reads (and warm: first touch) untimed
            double firstSeconds = (System.nanoTime() - first) / 1e9;
            IoCounters io0 = server.io();
            double[] seconds = new double[warm ? WARM_FLOOR_RUNS : 1];
            for (int i = 0; i < seconds.length; i++) {
                long t0 = System.nanoTime();
                s.execute(floorQuery);
                seconds[i] = (System.nanoTime() - t0) / 1e9;
            }
            IoCounters io = server.io().minus(io0);
            double floor = BenchResults.median(seconds);
            if (warm) {
                log.printf(Locale.ROOT, "bench: [%s] %s: warm scan floor %.3f s, the median of %d scans in one"
                        + " session after its first (%.3f s, untimed: the session's first touch of the table)%n",
                        server.profile().name(), table, floor, seconds.length, firstSeconds);
            }
            return new IoProbe(table, "seq_scan", pages, floor, io.bytes() / seconds.length,
                    io.requests() / seconds.length);
        }
    }

    /**
     * Reads the same number of 8 KB pages twice, each time with cold caches: {@code random_pages} visits pages
     * drawn at random across the table (at most a tenth of it, so the kernel sees no neighbouring pages in its
     * cache and does no read-ahead) in random order; {@code sequential_pages} visits a contiguous run of pages in
     * order, which read-ahead turns into large requests. One tuple per page is fetched by ctid in a nested loop
     * driven by the array's order, so the server reads exactly those pages in that order.
     */
    private List<IoProbe> pageProbes(BenchServer server, String table, long pages) throws SQLException {
        int n = (int) Math.max(1, Math.min(settings.probePages(), pages / 10));
        SplittableRandom rnd = new SplittableRandom(settings.seed() + 99);
        // a partial Fisher-Yates over 1..pages-1 gives n distinct pages in random order
        int[] all = new int[(int) Math.max(1, pages - 1)];
        for (int i = 0; i < all.length; i++) {
            all[i] = i + 1;
        }
        Integer[] random = new Integer[n];
        for (int i = 0; i < n; i++) {
            int j = i + rnd.nextInt(all.length - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
            random[i] = all[i];
        }
        int start = pages > n ? (int) rnd.nextLong(pages - n + 1) : 0;
        Integer[] inOrder = new Integer[n];
        for (int i = 0; i < n; i++) {
            inOrder[i] = start + i;
        }
        List<IoProbe> out = new ArrayList<>();
        out.add(pageProbe(server, table, "random_pages", random));
        out.add(pageProbe(server, table, "sequential_pages", inOrder));
        log.printf(Locale.ROOT, "bench: [%s] %d pages of %s: random order %.3f s, in order %.3f s%n",
                server.profile().name(), n, table, out.get(0).seconds(), out.get(1).seconds());
        return out;
    }

    private IoProbe pageProbe(BenchServer server, String table, String kind, Integer[] pageOrder)
            throws SQLException {
        prepareCaches(server, table);
        try (Connection c = server.connect();
             PreparedStatement ps = c.prepareStatement(String.format(Locale.ROOT, PAGE_PROBE_SQL, table))) {
            ps.setArray(1, c.createArrayOf("int4", new Integer[0]));
            ps.executeQuery().close(); // plans and loads the catalogs outside the timing
            Array arr = c.createArrayOf("int4", pageOrder);
            ps.setArray(1, arr);
            IoCounters io0 = server.io();
            long t0 = System.nanoTime();
            long found;
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                found = rs.getLong(1);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            IoCounters io = server.io().minus(io0);
            if (found != pageOrder.length) {
                throw new IllegalStateException("page probe found " + found + " of " + pageOrder.length
                        + " first tuples in " + table + " (the table must be freshly written, without deletes)");
            }
            return new IoProbe(table, kind, pageOrder.length, seconds, io.bytes(), io.requests());
        }
    }

    /**
     * {pages, bytes, features} of a table: heap pages, the bytes of heap and TOAST (what training reads), and the
     * width of its first row's feature array.
     */
    private static long[] shape(BenchServer server, String table) throws SQLException {
        try (Connection c = server.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_relation_size('" + table + "') / current_setting('block_size')::int,"
                     + " pg_table_size('" + table + "'), (SELECT coalesce(array_length(features, 1), 0) FROM " + table
                     + " LIMIT 1)")) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)};
        }
    }

    /**
     * {block pages, buffer size} the engine trained with: the stored model's spec holds the sizes it derived (or
     * was given); {0, NaN} when the model or the values are missing.
     */
    private static double[] chosenSizes(Connection c, String model) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT (spec->>'block_size')::float8,"
                + " (spec->>'buffer_size')::float8 FROM corgipile.models WHERE id = corgipile.model_id(?)")) {
            ps.setString(1, model);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return new double[] {0, Double.NaN};
                }
                double block = rs.getDouble(1);
                double block0 = rs.wasNull() ? 0 : block;
                double buffer = rs.getDouble(2);
                return new double[] {block0, rs.wasNull() ? Double.NaN : buffer};
            }
        }
    }

    /**
     * {heap_blks_read, heap_blks_hit} of a table. Forces this backend's pending statistics to be flushed when
     * it goes idle after the first statement, so the second sees its own reads (PostgreSQL 15 statistics).
     */
    private static long[] statio(Connection c, String table) throws SQLException {
        boolean ac = c.getAutoCommit();
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_stat_force_next_flush()");
            s.execute("SELECT pg_stat_clear_snapshot()");
            try (ResultSet rs = s.executeQuery("SELECT coalesce(heap_blks_read, 0), coalesce(heap_blks_hit, 0)"
                    + " FROM pg_statio_user_tables WHERE relid = '" + table + "'::regclass")) {
                return rs.next() ? new long[] {rs.getLong(1), rs.getLong(2)} : new long[] {0, 0};
            }
        } finally {
            c.setAutoCommit(ac);
        }
    }

    private static String host() {
        String name;
        try {
            name = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            name = "unknown";
        }
        return name + ", " + Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("os.name")
                + " " + System.getProperty("os.version") + ", Java " + System.getProperty("java.version");
    }
}
