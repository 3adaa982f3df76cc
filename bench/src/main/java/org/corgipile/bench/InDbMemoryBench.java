package org.corgipile.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.corgipile.cli.DatabaseOptions;
import org.corgipile.cli.ExitCodes;
import org.corgipile.cli.VersionProvider;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Memory of {@code train_sgd} against the feature dimension: for each shape, a fresh session (so a fresh JVM in a
 * fresh backend) trains two epochs with the defaults (corgipile shuffle, default heap), then reports the JVM's peak
 * heap use and the backend's peak resident memory from {@code corgipile.jvm_info()}, next to the size of the
 * parameter vector and of the table. A benchmark, not a test: it prints numbers and asserts nothing.
 *
 * <pre>
 *   ./corgipile setup &amp;&amp; ./corgipile db start
 *   java -cp bench/target/corgipile-bench.jar org.corgipile.bench.InDbMemoryBench --url "$(./corgipile db url)"
 * </pre>
 * Options: the database options of every CLI ({@code --url}, default the local cluster; {@code --user},
 * {@code --password}), {@code --quick} (1k and 10k dense only).
 */
@Command(name = "InDbMemoryBench", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Memory of train_sgd against the feature dimension.")
public final class InDbMemoryBench implements Callable<Integer> {
    /** name, rows, dimension, sparse nnz per row (0: dense). */
    private record Shape(String name, int rows, int dimension, int nnz) {
        String table() {
            return "membench_" + name;
        }

        String features() {
            return nnz > 0 ? "idx, val" : "features";
        }
    }

    private static final List<Shape> SHAPES = List.of(new Shape("dense_1k", 4000, 1_000, 0),
            new Shape("dense_10k", 400, 10_000, 0), new Shape("dense_100k", 40, 100_000, 0),
            new Shape("sparse_1m", 20_000, 1_000_000, 100));

    private InDbMemoryBench() {
    }

    @Mixin
    DatabaseOptions database;

    @Option(names = "--quick", description = "1k and 10k dense features only")
    boolean quick;

    public static void main(String[] argv) {
        System.exit(commandLine().execute(argv));
    }

    /** The command line {@link #main} executes: picocli, with every corgipile command's errors and exit codes. */
    static CommandLine commandLine() {
        return ExitCodes.reportFailures(new CommandLine(new InDbMemoryBench()), "InDbMemoryBench");
    }

    @Override
    public Integer call() throws SQLException {
        List<Shape> shapes = quick ? SHAPES.subList(0, 2) : SHAPES;
        System.out.println("| features | rows | table MB | parameters MB | train s (2 epochs) | peak heap MB | "
                + "backend peak RSS MB |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|");
        for (Shape shape : shapes) {
            double tableMb;
            try (Connection c = database.connect(); Statement s = c.createStatement()) {
                s.execute("SET client_min_messages = warning");
                s.execute("CREATE EXTENSION IF NOT EXISTS corgipile");
                create(s, shape);
                try (ResultSet rs = s.executeQuery("SELECT pg_total_relation_size('" + shape.table() + "')")) {
                    rs.next();
                    tableMb = rs.getLong(1) / 1048576.0;
                }
            }
            try (Connection c = database.connect(); Statement s = c.createStatement()) {
                s.execute("SET client_min_messages = warning");
                String options = shape.nnz() > 0 ? "{\"dimension\": " + shape.dimension() + "}" : "{}";
                long t0 = System.nanoTime();
                s.executeQuery("SELECT count(*) FROM train_sgd('" + shape.table() + "', 'label', '" + shape.features()
                        + "', epochs => 2, seed => 1, options => '" + options + "')").close();
                double seconds = (System.nanoTime() - t0) / 1e9;
                try (ResultSet rs = s.executeQuery("SELECT (i->>'peak_heap_mb')::int, (i->>'peak_rss_mb')::int, "
                        + "(i->>'max_heap_mb')::int FROM corgipile.jvm_info() i")) {
                    rs.next();
                    System.out.printf(Locale.ROOT, "| %s %s | %,d | %.0f | %.1f | %.1f | %d (of %d) | %d |%n",
                            String.format(Locale.ROOT, "%,d", shape.dimension()), shape.nnz() > 0
                                    ? "sparse (" + shape.nnz() + " per row)" : "dense", shape.rows(), tableMb,
                            (shape.dimension() + 1) * 8.0 / 1048576, seconds, rs.getInt(1), rs.getInt(3),
                            rs.getInt(2));
                }
            }
        }
        return 0;
    }

    private static void create(Statement s, Shape shape) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT to_regclass('" + shape.table() + "') IS NOT NULL")) {
            rs.next();
            if (rs.getBoolean(1)) {
                return;
            }
        }
        s.execute("SELECT setseed(0.5)");
        if (shape.nnz() > 0) {
            s.execute("CREATE TABLE " + shape.table() + " AS SELECT i % 2 AS label, ARRAY(SELECT (k * 9973 + i * 7919) % "
                    + shape.dimension() + " FROM generate_series(1, " + shape.nnz() + ") k) AS idx, ARRAY(SELECT "
                    + "random() - 0.5 + (i % 2 - 0.5) * 0.2 FROM generate_series(1, " + shape.nnz() + ") k WHERE i > 0)"
                    + " AS val FROM generate_series(1, " + shape.rows() + ") i");
        } else {
            s.execute("CREATE TABLE " + shape.table() + " AS SELECT i % 2 AS label, ARRAY(SELECT random() - 0.5 + "
                    + "(i % 2 - 0.5) * 0.2 FROM generate_series(1, " + shape.dimension() + ") k WHERE i > 0) AS "
                    + "features FROM generate_series(1, " + shape.rows() + ") i");
        }
        s.execute("VACUUM ANALYZE " + shape.table());
    }
}
