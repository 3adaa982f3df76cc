package org.corgipile.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.corgipile.bench.run.BenchResults;
import org.corgipile.cli.DatabaseOptions;
import org.corgipile.cli.ExitCodes;
import org.corgipile.cli.VersionProvider;
import org.corgipile.operators.TrainSpec;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Per-epoch time of every shuffle strategy of {@code train_sgd} inside PostgreSQL, next to the scan floor: the time
 * PostgreSQL needs to read the same column sequentially ({@code SELECT count(features)}), measured in the same run,
 * and the heap-block reader alone ({@code corgipile.scan_stats}). Warm cache (memory profile): every table is read
 * once before timing. A benchmark, not a test: it prints numbers and asserts nothing.
 *
 * <p>Run against a database with the extension (the local cluster of {@code ./corgipile db start}):
 * <pre>
 *   ./corgipile setup &amp;&amp; ./corgipile db start
 *   java -cp bench/target/corgipile-bench.jar org.corgipile.bench.InDbEpochBench \
 *        --url "$(./corgipile db url)" --rows 200000 --dims 28 --epochs 3
 * </pre>
 * Options: the database options of every CLI ({@code --url}, default the local cluster; {@code --user},
 * {@code --password}), {@code --rows} (200000), {@code --dims}
 * (28), {@code --epochs} (3), {@code --strategies} (comma-separated, default all), {@code --train-metrics}
 * ({@code running}, so epoch time is the SGD pass alone; {@code pass} adds an evaluation pass per epoch).
 */
@Command(name = "InDbEpochBench", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Per-epoch time of every strategy of train_sgd next to the scan floor.")
public final class InDbEpochBench implements Callable<Integer> {
    @Mixin
    DatabaseOptions database;

    @Option(names = "--rows", defaultValue = "200000", description = "rows of the table (default ${DEFAULT-VALUE})")
    int rows;

    @Option(names = "--dims", defaultValue = "28", description = "features per row (default ${DEFAULT-VALUE})")
    int dims;

    @Option(names = "--epochs", defaultValue = "3", description = "epochs per strategy (default ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--strategies", split = ",", paramLabel = "S", description = "default all")
    List<String> strategies = TrainSpec.SHUFFLES;

    @Option(names = "--train-metrics", defaultValue = "running",
            description = "running (epoch time is the SGD pass alone) or pass (default ${DEFAULT-VALUE})")
    String trainMetrics;

    public static void main(String[] argv) {
        System.exit(commandLine().execute(argv));
    }

    /** The command line {@link #main} executes: picocli, with every corgipile command's errors and exit codes. */
    static CommandLine commandLine() {
        return ExitCodes.reportFailures(new CommandLine(new InDbEpochBench()), "InDbEpochBench");
    }

    @Override
    public Integer call() throws SQLException {
        try (Connection c = database.connect(); Statement s = c.createStatement()) {
            s.execute("SET client_min_messages = warning");
            s.execute("CREATE EXTENSION IF NOT EXISTS corgipile");
            System.out.printf(Locale.ROOT, "creating bench_indb: %d rows x %d float8 features, clustered by label%n",
                    rows, dims);
            s.execute("DROP TABLE IF EXISTS bench_indb");
            s.execute("SELECT setseed(0.5)");
            s.execute("CREATE TABLE bench_indb AS SELECT i AS id, label, ARRAY(SELECT (random() * 2 - 1) + "
                    + "CASE WHEN label = 1 THEN 0.25 ELSE -0.25 END FROM generate_series(1, " + dims + ") k "
                    + "WHERE i > 0) AS features FROM (SELECT i, (random() < 0.5)::int AS label "
                    + "FROM generate_series(1, " + rows + ") i) s ORDER BY label, i");
            s.execute("VACUUM ANALYZE bench_indb");
            long pages = single(s, "SELECT pg_relation_size('bench_indb') / 8192");
            double floor = median(s, "SELECT count(features) FROM bench_indb", 5);
            double reader = median(s, "SELECT corgipile.scan_stats('bench_indb', 'label', 'features')", 3);
            System.out.printf(Locale.ROOT, "table: %d pages (%.1f MB); scan floor SELECT count(features): %.3f s; "
                    + "heap-block reader alone (scan_stats): %.3f s (%.2fx floor)%n", pages, pages * 8192 / 1e6,
                    floor, reader, reader / floor);
            System.out.printf(Locale.ROOT, "%n%-15s %10s %10s %10s %12s%n", "strategy", "epoch s", "x floor",
                    "first s", "accuracy");
            for (String strategy : strategies) {
                List<Double> seconds = new ArrayList<>();
                double accuracy = Double.NaN;
                try (ResultSet rs = s.executeQuery("SELECT seconds, accuracy FROM train_sgd('bench_indb', 'label', "
                        + "'features', shuffle => '" + strategy + "', epochs => " + epochs + ", learning_rate => 0.01, "
                        + "seed => 1, options => '{\"train_metrics\": \"" + trainMetrics + "\"}') ORDER BY epoch")) {
                    while (rs.next()) {
                        seconds.add(rs.getDouble(1));
                        accuracy = rs.getDouble(2);
                        if (rs.wasNull()) {
                            accuracy = Double.NaN;
                        }
                    }
                }
                // Later epochs are the steady state (JIT warm, shuffle_once's copy counted in epoch 1).
                double steady = seconds.subList(Math.min(1, seconds.size() - 1), seconds.size()).stream()
                        .mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
                System.out.printf(Locale.ROOT, "%-15s %10.3f %10.2f %10.3f %12s%n", strategy, steady, steady / floor,
                        seconds.get(0), Double.isNaN(accuracy) ? "n/a" : String.format(Locale.ROOT, "%.4f", accuracy));
            }
        }
        return 0;
    }

    private static long single(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Median wall time of {@code runs} executions after one warm-up. */
    private static double median(Statement s, String sql, int runs) throws SQLException {
        s.executeQuery(sql).close();
        double[] t = new double[runs];
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            s.executeQuery(sql).close();
            t[i] = (System.nanoTime() - start) / 1e9;
        }
        return BenchResults.median(t);
    }
}
