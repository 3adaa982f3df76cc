package org.corgipile.bench.convergence;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.corgipile.bench.data.TableLayouts;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler.LegendPosition;

/**
 * The convergence benchmark's report: the headline table (clustered layout: defaults vs the tuned full-shuffle
 * reference and scikit-learn, and the criterion), every strategy's defaults on the clustered tables, the
 * shuffled layout, and one plot of test accuracy per epoch per case (XChart PNG).
 */
final class ConvergenceReport {
    static final String FILE = "convergence.md";

    static final String RESULTS = "results.json";

    private ConvergenceReport() {
    }

    /** What one run (or one part of a split run) measured, as written to {@value #RESULTS}. */
    record Part(String command, String started, double minutes, int epochs, List<Double> grid, long seed,
                List<CaseResult> results) {
    }

    static void writeResults(Path dir, Part part) throws IOException {
        new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                .writeValue(dir.resolve(RESULTS).toFile(), part);
    }

    static Part readResults(Path dir) throws IOException {
        return new com.fasterxml.jackson.databind.ObjectMapper()
                .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                .readValue(dir.resolve(RESULTS).toFile(), Part.class);
    }

    static void write(Path dir, List<CaseResult> results, String command, String started, double minutes, int epochs,
                      List<Double> grid, long seed) throws IOException {
        System.setProperty("java.awt.headless", "true");
        StringBuilder md = new StringBuilder("# Convergence of train_sgd's defaults\n\n");
        md.append("Command: `").append(command).append("`  \n");
        md.append(String.format(Locale.ROOT, "Started %s, %.1f minutes; %d epochs per run, seed %d; tuned runs: best"
                + " final test accuracy over learning_rate in %s.%n%n", started, minutes, epochs, seed, grid));
        md.append("Every number is the shipped engine: `train_sgd` in PostgreSQL, test accuracy (%) on a held-out 20%"
                + " split after each epoch. *Defaults* = only relation, label, features (and model for multi-class);"
                + " every run also gets `validation_relation`, `seed`, `epochs` and `train_metrics => 'running'`,"
                + " which do not change training. *Settled* = the first epoch from which the test accuracy stays"
                + " within 0.5 points of its final value. *Reference* = `epoch_shuffle` with the tuned learning rate."
                + " scikit-learn: `SGDClassifier(loss='log_loss', max_iter=epochs)` and `LogisticRegression` on"
                + " standardised dense rows (linear models, also for the mlp row).\n\n");

        md.append("## Clustered tables (sorted by label): defaults vs the full-shuffle reference\n\n");
        md.append("| dataset | rows | reference | corgipile defaults | gap | settled (ref / defaults) | none defaults |"
                + " epoch_shuffle defaults | corgipile tuned | sklearn SGD | sklearn LogReg |"
                + " within 0.5 pts and 2 epochs |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (CaseResult r : layout(results, TableLayouts.CLUSTERED)) {
            ConvergenceRun ref = r.reference();
            ConvergenceRun d = r.run("corgipile", false);
            md.append(String.format(Locale.ROOT, "| %s | %d | %s (lr %s) | %s | %+.1f | %d / %d | %s | %s | %s | %s | %s | %s |%n",
                    r.kase().label(), r.trainRows(), pct(ref.last()), ref.learningRate(), pct(d.last()),
                    (d.last() - ref.last()) * 100, ref.settledEpoch(), d.settledEpoch(),
                    pct(r.run("none", false).last()), pct(r.run("epoch_shuffle", false).last()),
                    pct(r.run("corgipile", true).last()), pct(r.sklearnSgd()),
                    pct(r.sklearnLogreg()), r.defaultsMatchReference() ? "yes" : "**no**"));
        }
        md.append("\n## Every strategy with the defaults, clustered tables (final %, settled epoch)\n\n");
        List<String> strategies = new ArrayList<>();
        for (CaseResult r : results) {
            for (ConvergenceRun run : r.runs()) {
                if (!run.tuned() && !strategies.contains(run.strategy())) {
                    strategies.add(run.strategy());
                }
            }
        }
        md.append("| dataset |");
        strategies.forEach(s -> md.append(' ').append(s).append(" |"));
        md.append("\n|---|").append("---|".repeat(strategies.size())).append('\n');
        for (CaseResult r : layout(results, TableLayouts.CLUSTERED)) {
            md.append("| ").append(r.kase().label()).append(" |");
            for (String s : strategies) {
                ConvergenceRun run = r.run(s, false);
                md.append(run == null ? " - |" : String.format(Locale.ROOT, " %s (%d) |", pct(run.last()),
                        run.settledEpoch()));
            }
            md.append('\n');
        }
        List<CaseResult> shuffled = layout(results, TableLayouts.SHUFFLED);
        if (!shuffled.isEmpty()) {
            md.append("\n## Shuffled tables (ORDER BY random())\n\n");
            md.append("| dataset | reference | corgipile defaults | none defaults | settled (ref / defaults) |\n");
            md.append("|---|---|---|---|---|\n");
            for (CaseResult r : shuffled) {
                md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %d / %d |%n", r.kase().label(),
                        pct(r.reference().last()), pct(r.run("corgipile", false).last()),
                        pct(r.run("none", false).last()), r.reference().settledEpoch(),
                        r.run("corgipile", false).settledEpoch()));
            }
        }
        md.append("\n## Block and buffer sizes and learning rate the defaults chose\n\n");
        for (CaseResult r : layout(results, TableLayouts.CLUSTERED)) {
            md.append("- ").append(r.kase().label()).append(": ").append(r.sizing()).append('\n');
        }
        md.append("\n## Test accuracy per epoch (clustered)\n\n");
        for (CaseResult r : layout(results, TableLayouts.CLUSTERED)) {
            String file = "convergence_" + r.kase().table("clustered") + "_" + r.kase().model() + ".png";
            BitmapEncoder.saveBitmap(chart(r), dir.resolve(file).toString(), BitmapFormat.PNG);
            md.append("![").append(r.kase().label()).append("](").append(file).append(")\n\n");
        }
        Files.writeString(dir.resolve(FILE), md.toString());
    }

    private static XYChart chart(CaseResult r) {
        XYChart chart = new XYChartBuilder().width(900).height(520)
                .title(r.kase().label() + ", clustered: test accuracy per epoch").xAxisTitle("epoch")
                .yAxisTitle("test accuracy").build();
        chart.getStyler().setLegendPosition(LegendPosition.OutsideE);
        for (ConvergenceRun run : r.runs()) {
            List<Double> xs = new ArrayList<>();
            for (int e = 1; e <= run.accuracy().size(); e++) {
                xs.add((double) e);
            }
            if (!xs.isEmpty()) {
                chart.addSeries(run.label(), xs, run.accuracy());
            }
        }
        return chart;
    }

    private static List<CaseResult> layout(List<CaseResult> all, String layout) {
        return all.stream().filter(r -> r.layout().equals(layout)).toList();
    }

    private static String pct(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v * 100);
    }
}
