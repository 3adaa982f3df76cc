package org.corgipile.bench.convergence;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import org.corgipile.bench.data.TableLayouts;
import org.corgipile.bench.io.DeviceProfile;
import org.corgipile.bench.run.BenchServer;
import org.corgipile.datasets.DatasetLoader;
import org.corgipile.datasets.Layout;
import org.corgipile.datasets.LoadOptions;
import org.corgipile.datasets.TableLoader;
import org.corgipile.datasets.real.DatasetCatalog;
import org.corgipile.operators.TrainSpec;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./corgipile bench convergence}: does {@code train_sgd} with only relation, label and features (plus model
 * for multi-class) converge like a full shuffle? For each dataset, stored clustered by label and shuffled, it runs
 * the shipped engine (train_sgd in a PostgreSQL cluster of its own) with the defaults for every strategy, a tuned
 * run (best learning rate of a grid) of corgipile and of epoch_shuffle (the full-shuffle reference), and, where
 * /usr/bin/python3 has scikit-learn, SGDClassifier and LogisticRegression on the same rows exported. Test accuracy
 * per epoch on a held-out split; one Markdown report with tables and XChart plots.
 *
 * <p>Measurement plumbing every run gets, which does not change training: {@code validation_relation} (the test
 * split, for the per-epoch accuracy), {@code seed}, {@code epochs}, and {@code train_metrics => 'running'} (skips
 * the separate training-metrics pass).
 */
@Command(name = "convergence", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Convergence of train_sgd's defaults vs a tuned full shuffle, on clustered and shuffled tables.",
            "Starts its own PostgreSQL 15 cluster with the corgipile extension."},
        footer = {"", "Examples:", "  ./corgipile bench convergence --quick",
            "  ./corgipile bench convergence --scale 1 --epochs 6"})
public final class ConvergenceBench implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--quick", description = "two small datasets, clustered only, 3 epochs: a smoke run")
    boolean quick;

    @Option(names = "--out", paramLabel = "DIR", description = "output directory (default bench-results/convergence-<UTC time>)")
    Path out;

    @Option(names = "--scale", defaultValue = "1", description = "row counts relative to the full run (default ${DEFAULT-VALUE})")
    double scale;

    @Option(names = "--datasets", split = ",", paramLabel = "D", description = "subset of the datasets (default all)")
    List<String> datasets;

    @Option(names = "--epochs", description = "epochs per run (default 6; quick: 3)")
    Integer epochs;

    @Option(names = "--seed", defaultValue = "42", description = "seed of data, layouts and training (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--learning-rates", split = ",", defaultValue = "0.1,0.01,0.001",
            description = "grid of the tuned runs (default ${DEFAULT-VALUE})")
    List<Double> grid;

    @Option(names = "--layouts", split = ",", paramLabel = "L",
            description = "clustered, shuffled (default both; quick: clustered)")
    List<String> layoutsOption;

    @Option(names = "--no-sklearn", description = "skip the scikit-learn references")
    boolean noSklearn;

    @Option(names = "--combine", split = ",", paramLabel = "DIR",
            description = "no runs: one report from the results.json of earlier runs (a full run split in parts; a"
                    + " later part's case replaces an earlier one's)")
    List<Path> combine;

    private final String command;
    private final PrintStream log;

    public ConvergenceBench(String command, PrintStream log) {
        this.command = command;
        this.log = log;
    }

    @Override
    public Integer call() throws Exception {
        if (combine != null) {
            return combine();
        }
        int e = epochs != null ? epochs : quick ? 3 : 6;
        List<ConvergenceCase> cases = new ArrayList<>();
        for (ConvergenceCase c : ConvergenceCase.all(quick ? 0.05 * scale : scale)) {
            boolean wanted = datasets != null ? datasets.contains(c.dataset()) || datasets.contains(c.label())
                    : !quick || c.dataset().equals("susy-like") || c.dataset().equals(GaussianMixtureSource.NAME);
            if (wanted) {
                cases.add(c);
            }
        }
        List<String> layouts = layoutsOption != null ? layoutsOption : quick ? List.of(TableLayouts.CLUSTERED)
                : List.of(TableLayouts.CLUSTERED, TableLayouts.SHUFFLED);
        for (String l : layouts) {
            if (!l.equals(TableLayouts.CLUSTERED) && !l.equals(TableLayouts.SHUFFLED)) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--layouts takes clustered, shuffled; got " + l);
            }
        }
        Path dir = out != null ? out : Path.of(System.getProperty("corgipile.root", "."), "bench-results",
                "convergence-" + ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Files.createDirectories(dir);
        log.println("bench convergence: writing to " + dir.toAbsolutePath());
        String started = ZonedDateTime.now(ZoneOffset.UTC).toString();
        long t0 = System.nanoTime();
        List<CaseResult> results = new ArrayList<>();
        try (BenchServer server = BenchServer.start(DeviceProfile.memory(), List.of())) {
            if (!server.extension()) {
                log.println("bench convergence: the corgipile extension is not installed; run ./corgipile setup");
                return 1;
            }
            boolean sklearn = !noSklearn && sklearnAvailable();
            if (!sklearn) {
                log.println("bench convergence: no scikit-learn references (install python3-sklearn)");
            }
            java.util.Set<String> loaded = new java.util.HashSet<>();
            for (ConvergenceCase c : cases) {
                for (String layout : layouts) {
                    try (Connection conn = server.connect()) {
                        if (loaded.add(c.table(layout))) {
                            load(conn, c, layout);
                        }
                        results.add(runCase(conn, c, layout, e, sklearn, dir));
                    }
                }
            }
        }
        double minutes = (System.nanoTime() - t0) / 60e9;
        ConvergenceReport.writeResults(dir, new ConvergenceReport.Part(command, started, minutes, e, grid, seed,
                results));
        ConvergenceReport.write(dir, results, command, started, minutes, e, grid, seed);
        log.printf(Locale.ROOT, "bench convergence: %.1f minutes; wrote %s%n", minutes,
                dir.resolve(ConvergenceReport.FILE).toAbsolutePath());
        return 0;
    }

    /** One report from the parts of a run: their results in the order of the datasets, every command listed. */
    private int combine() throws IOException {
        List<ConvergenceReport.Part> parts = new ArrayList<>();
        for (Path p : combine) {
            parts.add(ConvergenceReport.readResults(p));
        }
        List<CaseResult> results = new ArrayList<>();
        List<ConvergenceCase> order = ConvergenceCase.all(1);
        for (ConvergenceReport.Part part : parts) {
            // a later part's result replaces an earlier one of the same case and layout (a re-run)
            for (CaseResult r : part.results()) {
                results.removeIf(e -> e.kase().label().equals(r.kase().label()) && e.layout().equals(r.layout()));
                results.add(r);
            }
        }
        results.sort(java.util.Comparator.comparingInt((CaseResult r) -> indexOf(order, r.kase()))
                .thenComparing(r -> r.layout().equals(TableLayouts.CLUSTERED) ? 0 : 1));
        StringBuilder commands = new StringBuilder();
        double minutes = 0;
        for (ConvergenceReport.Part part : parts) {
            commands.append(commands.length() == 0 ? "" : "`, `").append(part.command());
            minutes += part.minutes();
        }
        ConvergenceReport.Part first = parts.get(0);
        Path dir = out != null ? out : combine.get(0);
        Files.createDirectories(dir);
        ConvergenceReport.write(dir, results, commands.toString(), first.started(), minutes, first.epochs(),
                first.grid(), first.seed());
        log.println("bench convergence: wrote " + dir.resolve(ConvergenceReport.FILE).toAbsolutePath());
        return 0;
    }

    private static int indexOf(List<ConvergenceCase> order, ConvergenceCase k) {
        for (int i = 0; i < order.size(); i++) {
            if (order.get(i).label().equals(k.label())) {
                return i;
            }
        }
        return order.size();
    }

    private void load(Connection c, ConvergenceCase k, String layout) throws Exception {
        String table = k.table(layout);
        LoadOptions o = LoadOptions.defaults().table(table)
                .layout(TableLayouts.CLUSTERED.equals(layout) ? Layout.CLUSTERED : Layout.SHUFFLED)
                .testFraction(0.2).rows(k.rows()).seed(seed).replace(true).progress(false);
        log.printf(Locale.ROOT, "bench convergence: loading %s (%d rows, %s)%n", k.dataset(), k.rows(), layout);
        if (k.dataset().equals(GaussianMixtureSource.NAME)) {
            TableLoader.load(c, new GaussianMixtureSource(k.rows(), seed), table, o);
        } else {
            DatasetLoader.load(c, k.dataset(), o, DatasetCatalog.defaultCacheDir());
        }
        TableLayouts.settle(c, table);
        TableLayouts.settle(c, table + "_test");
    }

    private CaseResult runCase(Connection c, ConvergenceCase k, String layout, int epochs, boolean sklearn, Path dir)
            throws Exception {
        String table = k.table(layout);
        List<ConvergenceRun> runs = new ArrayList<>();
        List<String> strategies = TableLayouts.CLUSTERED.equals(layout) ? TrainSpec.SHUFFLES
                : List.of("corgipile", "none");
        String[] sizing = {null};
        for (String s : strategies) {
            runs.add(train(c, k, table, s, Double.NaN, epochs, s.equals("corgipile") ? sizing : null));
        }
        for (String s : List.of("corgipile", "epoch_shuffle")) {
            ConvergenceRun best = null;
            for (double lr : grid) {
                ConvergenceRun r = train(c, k, table, s, lr, epochs, null);
                if (best == null || Double.isNaN(best.last()) || r.last() > best.last()) {
                    best = r;
                }
            }
            runs.add(best);
        }
        double[] sk = sklearn && !k.model().equals("mlp") ? sklearn(c, k, table, epochs, dir)
                : new double[] {Double.NaN, Double.NaN};
        long[] shape = shape(c, table);
        CaseResult r = new CaseResult(k, layout, shape[1], shape[0], sizing[0], runs, sk[0], sk[1]);
        ConvergenceRun d = r.run("corgipile", false);
        ConvergenceRun ref = r.reference();
        log.printf(Locale.ROOT, "bench convergence: %s %s: defaults %.4f (settled at epoch %d), reference %.4f "
                + "(lr %s, epoch %d), none %.4f%n", k.label(), layout, d.last(), d.settledEpoch(), ref.last(),
                ref.learningRate(), ref.settledEpoch(), r.run("none", false).last());
        return r;
    }

    private ConvergenceRun train(Connection c, ConvergenceCase k, String table, String strategy, double lr,
                                 int epochs, String[] sizingOut) throws SQLException {
        String options = "{\"train_metrics\": \"running\"" + (k.caseOptions().isEmpty() ? "" : ", " + k.caseOptions())
                + "}";
        String sql = String.format(Locale.ROOT, "SELECT epoch, validation_accuracy, seconds FROM train_sgd("
                + "relation => '%s', label => 'label', features => '%s'%s, shuffle => '%s', epochs => %d, "
                + "seed => %d, validation_relation => '%s_test'%s, options => '%s') ORDER BY epoch", table,
                k.features(), k.caseArguments(), strategy, epochs, seed, table,
                Double.isNaN(lr) ? "" : ", learning_rate => " + lr, options);
        List<Double> acc = new ArrayList<>();
        double seconds = 0;
        try (Statement s = c.createStatement()) {
            s.execute("SET client_min_messages = notice");
            try (ResultSet rs = s.executeQuery(sql)) {
                while (rs.next()) {
                    acc.add(rs.getDouble(2));
                    seconds += rs.getDouble(3);
                }
            } catch (SQLException e) {
                if (!"22003".equals(e.getSQLState())) {
                    throw e;
                }
                // a learning rate of the grid that diverges is a result (never the best), not a failed benchmark
                log.println("bench convergence: " + table + " " + strategy + " lr " + lr + " diverged");
                return new ConvergenceRun(strategy, !Double.isNaN(lr), lr, List.of(), seconds);
            }
            if (sizingOut != null) {
                StringBuilder chosen = new StringBuilder();
                for (SQLWarning w = s.getWarnings(); w != null; w = w.getNextWarning()) {
                    if (w.getMessage().startsWith("block_size") || w.getMessage().startsWith("learning_rate")) {
                        chosen.append(chosen.length() == 0 ? "" : "; ").append(w.getMessage());
                    }
                }
                sizingOut[0] = chosen.toString();
            }
        }
        return new ConvergenceRun(strategy, !Double.isNaN(lr), lr, acc, seconds);
    }

    private static long[] shape(Connection c, String table) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_relation_size('" + table + "') / 8192, (SELECT count(*) FROM "
                     + table + ")")) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }

    private static boolean sklearnAvailable() {
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import sklearn, scipy").redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Exports the training and test rows and runs scikit-learn on them: {SGDClassifier, LogisticRegression}. */
    private double[] sklearn(Connection c, ConvergenceCase k, String table, int epochs, Path dir) throws Exception {
        Path work = Files.createDirectories(dir.resolve("sklearn"));
        Path train = export(c, k, table, work.resolve(table + ".txt"));
        Path test = export(c, k, table + "_test", work.resolve(table + "_test.txt"));
        Path script = work.resolve("sklearn_reference.py");
        try (InputStream in = ConvergenceBench.class.getResourceAsStream("sklearn_reference.py")) {
            Files.write(script, in.readAllBytes());
        }
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), train.toString(), test.toString(),
                Integer.toString(epochs), Long.toString(seed)).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
            log.println("bench convergence: scikit-learn failed on " + table + ": " + output);
            return new double[] {Double.NaN, Double.NaN};
        }
        String json = output.substring(output.lastIndexOf('{'));
        var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        Files.delete(train);
        Files.delete(test);
        return new double[] {node.get("sgd").asDouble(), node.get("logreg").asDouble()};
    }

    private static Path export(Connection c, ConvergenceCase k, String table, Path file) throws Exception {
        String cols = k.sparse() ? "label, indices, vals" : "label, features";
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT " + cols + " FROM " + table);
             BufferedWriter w = Files.newBufferedWriter(file)) {
            while (rs.next()) {
                StringBuilder line = new StringBuilder().append(rs.getDouble(1));
                if (k.sparse()) {
                    Integer[] idx = (Integer[]) rs.getArray(2).getArray();
                    Double[] val = (Double[]) rs.getArray(3).getArray();
                    for (int i = 0; i < idx.length; i++) {
                        line.append(' ').append(idx[i]).append(':').append(val[i]);
                    }
                } else {
                    Array a = rs.getArray(2);
                    for (Double v : (Double[]) a.getArray()) {
                        line.append(' ').append(v);
                    }
                }
                w.write(line.append('\n').toString());
            }
        }
        return file;
    }
}
