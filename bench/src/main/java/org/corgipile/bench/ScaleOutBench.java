package org.corgipile.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.corgipile.bench.io.DeviceProfile;
import org.corgipile.bench.run.BenchServer;

/**
 * Scale-out benchmark: one table split across 1, 2 and 3 PostgreSQL servers on this machine, each its own cluster
 * in its own cgroup-v1 blkio group with the hdd profile (150 IOPS, 150 MiB/s: each server has its own "disk"),
 * trained by one {@code train_sgd} on a coordinator whose partitioned table has one postgres_fdw foreign partition
 * per server. Baseline in the same run: the whole table on one hdd server, {@code train_sgd} on it directly.
 *
 * <p>The table is clustered by label (all 0s, then all 1s; server k holds the rows with {@code id % n = k}, stored
 * in label order too) and wide: besides the label and the features, each row carries a {@code payload} column that
 * training does not read, as in a real table whose training columns are a fraction of each row, so an epoch's
 * heap reads are I/O-bound on the emulated disks. Caches are cold before every training call (servers restarted,
 * page cache dropped). The cold read happens in the first pass over the table: with the defaults that is the profile
 * pass before epoch 1 (feature statistics for standardisation, the same on one server and across servers), so the
 * I/O-bound number is the whole {@code train_sgd} call's wall time, reported with the preparation (call minus epochs)
 * beside it; the epochs then find the shards in the page cache (24 GiB here) and show the compute, which 2 shared
 * CPU cores cannot scale. Test accuracy comes from a
 * separate 20,000-row test table ({@code validation_relation}) after every epoch. Prints a Markdown table.
 *
 * <pre>
 *   ./corgipile setup
 *   ./corgipile bench-scale-out --rows 300000 --epochs 4 --servers 1,2,3
 * </pre>
 * Options: {@code --rows} (300000), {@code --dims} (28), {@code --payload} bytes per row (800), {@code --epochs}
 * (4), {@code --servers} (1,2,3), {@code --hdd-iops} (150), {@code --hdd-mbps} (150), {@code --seed} (1),
 * {@code --out} (a file for the Markdown table as well). Needs root and cgroup-v1 blkio (as the bench's hdd
 * profile); without them it stops with the reason.
 */
public final class ScaleOutBench {
    private static final int TEST_ROWS = 20_000;

    private ScaleOutBench() {
    }

    /**
     * One training run: the whole call's wall time, per-epoch seconds and test accuracy, and each server's seconds of
     * epoch 1.
     */
    record Run(String setup, int servers, double callSeconds, List<Double> seconds, List<Double> accuracy,
               String serverSeconds) {
        /** Wall time of the call outside the epochs: the profile pass (the cold read) and the set-up. */
        double preparation() {
            return Math.max(0, callSeconds - cumulative(seconds.size()));
        }

        double cumulative(int epochs) {
            return seconds.subList(0, epochs).stream().mapToDouble(Double::doubleValue).sum();
        }
    }

    public static void main(String[] argv) throws Exception {
        int rows = 300_000;
        int dims = 28;
        int payload = 800;
        int epochs = 4;
        long iops = 150;
        long mbps = 150;
        long seed = 1;
        Path out = null;
        List<Integer> counts = List.of(1, 2, 3);
        for (int i = 0; i + 1 < argv.length; i += 2) {
            switch (argv[i]) {
                case "--rows" -> rows = Integer.parseInt(argv[i + 1]);
                case "--dims" -> dims = Integer.parseInt(argv[i + 1]);
                case "--payload" -> payload = Integer.parseInt(argv[i + 1]);
                case "--epochs" -> epochs = Integer.parseInt(argv[i + 1]);
                case "--hdd-iops" -> iops = Long.parseLong(argv[i + 1]);
                case "--hdd-mbps" -> mbps = Long.parseLong(argv[i + 1]);
                case "--seed" -> seed = Long.parseLong(argv[i + 1]);
                case "--out" -> out = Path.of(argv[i + 1]);
                case "--servers" -> counts = Arrays.stream(argv[i + 1].split(",")).map(Integer::parseInt).toList();
                default -> throw new IllegalArgumentException("unknown option " + argv[i] + " (--rows, --dims, "
                        + "--payload, --epochs, --servers, --hdd-iops, --hdd-mbps, --seed, --out)");
            }
        }
        DeviceProfile probe = disk(1, iops, mbps);
        Optional<String> why = BenchServer.unavailableReason(probe);
        if (why.isPresent()) {
            System.err.println("bench-scale-out: cannot emulate one disk per server: " + why.get());
            System.exit(3);
        }
        String train = "epochs => " + epochs + ", learning_rate => 0.01, seed => " + seed
                + ", validation_relation => 'test_rows', options => '{\"train_metrics\": \"running\"}'";
        List<Run> runs = new ArrayList<>();
        System.out.printf(Locale.ROOT, "bench-scale-out: %d rows x %d features + %d-byte payload, clustered by label; "
                + "%d epochs; hdd profile %d IOPS / %d MiB/s per server%n", rows, dims, payload, epochs, iops, mbps);
        for (int n : counts) {
            List<BenchServer> shards = new ArrayList<>();
            try (BenchServer coordinator = BenchServer.start(DeviceProfile.memory(), List.of())) {
                for (int k = 0; k < n; k++) {
                    shards.add(BenchServer.start(disk(k + 1, iops, mbps), List.of()));
                }
                for (int k = 0; k < n; k++) {
                    try (Connection c = shards.get(k).connect(); Statement s = c.createStatement()) {
                        load(s, "shard", rows, dims, payload, "i % " + n + " = " + k);
                        if (n == 1) {
                            load(s, "test_rows", TEST_ROWS, dims, 0, "true");
                        }
                    }
                }
                try (Connection c = coordinator.connect(); Statement s = c.createStatement()) {
                    s.execute("CREATE EXTENSION IF NOT EXISTS postgres_fdw");
                    s.execute("CREATE EXTENSION IF NOT EXISTS dblink");
                    load(s, "test_rows", TEST_ROWS, dims, 0, "true");
                    s.execute("CREATE TABLE dist (id int, label int, features float8[], payload text) "
                            + "PARTITION BY LIST ((id % " + n + "))");
                    for (int k = 0; k < n; k++) {
                        s.execute("CREATE SERVER shard" + (k + 1) + " FOREIGN DATA WRAPPER postgres_fdw OPTIONS "
                                + "(host '127.0.0.1', port '" + shards.get(k).cluster().port() + "', dbname '"
                                + BenchServer.DATABASE + "')");
                        s.execute("CREATE USER MAPPING FOR CURRENT_USER SERVER shard" + (k + 1)
                                + " OPTIONS (user 'postgres')");
                        s.execute("CREATE FOREIGN TABLE dist_" + (k + 1) + " PARTITION OF dist FOR VALUES IN (" + k
                                + ") SERVER shard" + (k + 1) + " OPTIONS (table_name 'shard')");
                    }
                }
                if (n == 1) {
                    shards.forEach(BenchServer::cold);
                    try (Connection c = shards.get(0).connect(); Statement s = c.createStatement()) {
                        runs.add(train(s, "1 server, train_sgd on the table", 1, "shard", train, null));
                    }
                }
                shards.forEach(BenchServer::cold);
                try (Connection c = coordinator.connect(); Statement s = c.createStatement()) {
                    runs.add(train(s, n + (n == 1 ? " server" : " servers") + " via the coordinator", n, "dist",
                            train, "scale_" + n));
                }
            } finally {
                shards.forEach(BenchServer::close);
            }
        }
        String report = report(runs, epochs);
        System.out.println();
        System.out.println(report);
        if (out != null) {
            Files.writeString(out, report);
        }
    }

    private static DeviceProfile disk(int server, long iops, long mbps) {
        return new DeviceProfile("shard" + server + "-hdd", true, iops, mbps * DeviceProfile.MB, "32MB");
    }

    /**
     * {@code name}: the rows of the seeded label-clustered table for which {@code filter} holds (on {@code i}),
     * stored by label; every server generates the same table and keeps its share.
     */
    private static void load(Statement s, String name, int rows, int dims, int payload, String filter)
            throws SQLException {
        s.execute("SET client_min_messages = warning");
        s.execute("DROP TABLE IF EXISTS " + name);
        s.execute("SELECT setseed(" + (name.equals("test_rows") ? 0.7 : 0.3) + ")");
        s.execute("CREATE TABLE " + name + " AS SELECT i AS id, label, ARRAY(SELECT (random() * 2 - 1) + "
                + "CASE WHEN label = 1 THEN 0.25 ELSE -0.25 END FROM generate_series(1, " + dims + ") k "
                + "WHERE i > 0) AS features, repeat(md5(i::text), " + (payload / 32) + ") AS payload "
                + "FROM (SELECT i, (random() < 0.5)::int AS label FROM generate_series(1, " + rows + ") i) s "
                + "WHERE " + filter + " ORDER BY label, i");
        s.execute("VACUUM ANALYZE " + name);
    }

    private static Run train(Statement s, String setup, int servers, String table, String args, String model)
            throws SQLException {
        s.execute("SET client_min_messages = warning");
        List<Double> seconds = new ArrayList<>();
        List<Double> accuracy = new ArrayList<>();
        String name = model == null ? "" : ", model_name => '" + model + "'";
        long start = System.nanoTime();
        try (ResultSet rs = s.executeQuery("SELECT seconds, validation_accuracy FROM train_sgd('" + table
                + "', 'label', 'features', " + args + name + ") ORDER BY epoch")) {
            while (rs.next()) {
                seconds.add(rs.getDouble(1));
                accuracy.add(rs.getDouble(2));
            }
        }
        double call = (System.nanoTime() - start) / 1e9;
        String perServer = "";
        if (model != null) {
            try (ResultSet rs = s.executeQuery("SELECT string_agg(format('%s %s s', key, round(value::numeric, 2)), "
                    + "', ' ORDER BY key) FROM corgipile.models, jsonb_each_text(epoch_log->0->'servers') "
                    + "WHERE name = '" + model + "'")) {
                rs.next();
                perServer = rs.getString(1);
            }
        }
        System.out.printf(Locale.ROOT, "bench-scale-out: %s: call %.2f s, epoch seconds %s, test accuracy %s%n", setup,
                call, seconds, accuracy);
        return new Run(setup, servers, call, seconds, accuracy, perServer);
    }

    static String report(List<Run> runs, int epochs) {
        Run base = runs.get(0);
        double target = base.accuracy().get(base.accuracy().size() - 1) - 0.005;
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "| setup | train_sgd call s (cold, hdd) | vs one server | of which before "
                + "epoch 1 s (profile pass) | epoch 1 s | epochs 2-%d s (warm) | test accuracy after %d | time to %.2f%% "
                + "| servers' seconds in epoch 1 |%n", epochs, epochs, 100 * target));
        b.append("|---|---|---|---|---|---|---|---|---|\n");
        for (Run r : runs) {
            double warm = r.seconds().size() > 1 ? r.seconds().subList(1, r.seconds().size()).stream()
                    .mapToDouble(Double::doubleValue).average().orElse(Double.NaN) : Double.NaN;
            String reached = "never";
            for (int e = 0; e < r.accuracy().size(); e++) {
                if (r.accuracy().get(e) >= target) {
                    reached = String.format(Locale.ROOT, "%.2f s (epoch %d)", r.preparation() + r.cumulative(e + 1),
                            e + 1);
                    break;
                }
            }
            b.append(String.format(Locale.ROOT, "| %s | %.2f | %.2fx | %.2f | %.2f | %.2f | %.2f%% | %s | %s |%n",
                    r.setup(), r.callSeconds(), base.callSeconds() / r.callSeconds(), r.preparation(),
                    r.seconds().get(0), warm,
                    100 * r.accuracy().get(r.accuracy().size() - 1), reached,
                    r.serverSeconds().isEmpty() ? "-" : r.serverSeconds()));
        }
        return b.toString();
    }
}
