package org.corgipile.bench.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler.LegendPosition;

import org.corgipile.bench.engine.EpochResult;
import org.corgipile.bench.run.BenchResults;
import org.corgipile.bench.run.BenchResults.ProfileResult;
import org.corgipile.bench.run.BenchResults.StrategyResult;
import org.corgipile.bench.run.BenchResults.TableResult;

/**
 * PNG plots per profile and table (XChart, headless): test accuracy vs epoch, test accuracy vs end-to-end wall
 * time (preparation included, so shuffle-once's curve starts late), and mean epoch time per strategy beside the
 * scan floor.
 */
public final class Plots {
    private static final int W = 900;
    private static final int H = 540;

    private Plots() {
    }

    /** File stem shared by a table's three plots. */
    public static String stem(ProfileResult p, TableResult t) {
        return p.profile().name() + "_" + t.table();
    }

    /** Writes every plot into {@code dir}; returns the file names written. */
    public static List<String> write(BenchResults results, Path dir) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<String> files = new ArrayList<>();
        for (ProfileResult p : results.profiles()) {
            for (TableResult t : p.tables()) {
                String stem = stem(p, t);
                String title = p.profile().name() + " / " + t.dataset() + " " + t.layout();
                files.add(save(accuracy(t, title + ": test accuracy per epoch", false), dir,
                        stem + "_accuracy_epoch.png"));
                files.add(save(accuracy(t, title + ": test accuracy vs wall time", true), dir,
                        stem + "_accuracy_time.png"));
                files.add(save(epochTimes(t, title + ": epoch time vs scan floor"), dir,
                        stem + "_epoch_time.png"));
            }
        }
        return files;
    }

    private static XYChart accuracy(TableResult t, String title, boolean byTime) {
        XYChart chart = new XYChartBuilder().width(W).height(H).title(title)
                .xAxisTitle(byTime ? "seconds since start (preparation, storage probe and profile pass included)" : "epoch")
                .yAxisTitle("test accuracy").build();
        chart.getStyler().setLegendPosition(LegendPosition.OutsideE);
        for (StrategyResult s : t.strategies()) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            double clock = s.preparationSeconds();
            for (EpochResult e : s.epochs()) {
                clock += e.endToEndSeconds();
                if (!Double.isNaN(e.testAccuracy())) {
                    xs.add(byTime ? clock : e.epoch());
                    ys.add(e.testAccuracy());
                }
            }
            if (!xs.isEmpty()) {
                chart.addSeries(s.strategy(), xs, ys);
            }
        }
        if (chart.getSeriesMap().isEmpty()) {
            chart.addSeries("no results", List.of(0.0), List.of(0.0));
        }
        return chart;
    }

    private static CategoryChart epochTimes(TableResult t, String title) {
        CategoryChart chart = new CategoryChartBuilder().width(W).height(H).title(title).xAxisTitle("strategy")
                .yAxisTitle("seconds").build();
        chart.getStyler().setLegendPosition(LegendPosition.OutsideS);
        List<String> names = new ArrayList<>();
        List<Double> secs = new ArrayList<>();
        names.add("scan floor");
        secs.add(t.scanFloorSeconds());
        for (StrategyResult s : t.strategies()) {
            if (!s.epochs().isEmpty()) {
                names.add(s.strategy());
                secs.add(s.meanEpochSeconds());
            }
        }
        chart.addSeries("mean epoch time (scan floor: SELECT count(features))", names, secs);
        return chart;
    }

    private static String save(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path dir, String file)
            throws IOException {
        BitmapEncoder.saveBitmap(chart, dir.resolve(file).toString(), BitmapFormat.PNG);
        return file;
    }
}
