package org.corgipile.gpu;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.corgipile.operators.FeatureShape;
import org.corgipile.operators.TupleBuffer;

/**
 * Benchmark (not a test): mini-batch gradient throughput in rows/s of the Java reference (one compute thread)
 * against the OpenCL kernels on the machine's OpenCL device, for batch 4096 and widths 28, 784, 2000. Each cell
 * runs a warm-up (JIT, kernel compile) and then repeats the same gradient call for at least {@code seconds};
 * every OpenCL cell checks that all its launches ran on OpenCL. The last column is the OpenCL device with the
 * gradient shape meant for the other device type (per-parameter items on a CPU device), for the smaller models.
 * Prints a Markdown table.
 *
 * <p>Run from the repository root:
 * <pre>
 * mvn -B -ntp -q -pl gpu-gradients -am package -DskipTests
 * mvn -B -ntp -q -pl gpu-gradients dependency:build-classpath -Dmdep.outputFile=/tmp/gpu.cp
 * java -Xmx4g -cp gpu-gradients/target/classes:$(cat /tmp/gpu.cp) org.corgipile.gpu.GradientThroughputBench [seconds]
 * </pre>
 */
public final class GradientThroughputBench {
    private static final int BATCH = 4096;
    private static final int[] WIDTHS = {28, 784, 2000};

    private GradientThroughputBench() {
    }

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2.0;
        OpenClDevices.Probe probe = OpenClDevices.probe();
        System.out.println("OpenCL: " + (probe.available() ? OpenClDevices.describe(probe.device())
                : "none (" + probe.reason() + ")"));
        System.out.println("cores: " + Runtime.getRuntime().availableProcessors() + ", batch " + BATCH
                + ", fp64, rows/s of one gradient call (forward + backward) repeated for >= " + seconds + " s");
        System.out.println();
        System.out.println("load average at start: " + loadAverage());
        System.out.println();
        System.out.println("| model | width | MACs/row | Java rows/s | OpenCL rows/s | OpenCL/Java "
                + "| OpenCL, other gradient shape, rows/s |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|");
        for (int width : WIDTHS) {
            List<GradientModel> models = new ArrayList<>();
            models.add(GradientModel.logistic(width));
            models.add(GradientModel.softmax(width, 10));
            models.add(GradientModel.mlp(width, 10, 64));
            models.add(GradientModel.mlp(width, 10, 256, 128));
            for (GradientModel m : models) {
                TupleBuffer rows = batch(m);
                double[] params = params(m);
                double java = rowsPerSecond(GradientDevices.javaGradient(m), params, rows, seconds);
                double cl = Double.NaN;
                double other = Double.NaN;
                if (probe.available()) {
                    boolean chunks = OpenClLauncher.rowChunksSuit(probe.device());
                    cl = openCl(m, probe.device(), chunks, params, rows, seconds);
                    if (m.forwardMacsPerRow() * m.width() < 50_000_000L) {
                        other = openCl(m, probe.device(), !chunks, params, rows, seconds);
                    }
                }
                System.out.printf(Locale.ROOT, "| %s | %d | %d | %,.0f | %s | %s | %s |%n", m, width,
                        m.forwardMacsPerRow(), java, cell("%,.0f", cl), cell("%.2f", cl / java),
                        cell("%,.0f", other));
            }
        }
    }

    private static double openCl(GradientModel m, com.aparapi.device.OpenCLDevice device, boolean rowChunks,
                                 double[] params, TupleBuffer rows, double seconds) {
        try (DenseGradient g = m.kind() == GradientModel.Kind.MLP
                ? new OpenClMlpGradient(m, device, BATCH, rowChunks)
                : new OpenClGlmGradient(m, device, BATCH, rowChunks)) {
            double r = rowsPerSecond(g, params, rows, seconds);
            requireOpenCl(g);
            return r;
        }
    }

    private static String cell(String format, double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, format, v);
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private static void requireOpenCl(DenseGradient g) {
        boolean ran = g instanceof OpenClGlmGradient glm ? glm.ranOnOpenCl() : ((OpenClMlpGradient) g).ranOnOpenCl();
        if (!ran) {
            throw new IllegalStateException("OpenCL launches did not run on OpenCL: " + g.model());
        }
    }

    private static double rowsPerSecond(DenseGradient g, double[] params, TupleBuffer rows, double seconds) {
        double[] grad = new double[g.model().paramCount()];
        long warmEnd = System.nanoTime() + (long) (0.3 * seconds * 1e9);
        int warm = 0;
        while (warm < 2 || System.nanoTime() < warmEnd) {
            g.lossAndGradient(params, rows, 0, BATCH, grad);
            warm++;
        }
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        int calls = 0;
        double sink = 0;
        while (calls < 3 || System.nanoTime() < end) {
            sink += g.lossAndGradient(params, rows, 0, BATCH, grad);
            calls++;
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        if (Double.isNaN(sink)) {
            throw new IllegalStateException("NaN loss");
        }
        return (double) calls * BATCH / elapsed;
    }

    private static TupleBuffer batch(GradientModel m) {
        SplittableRandom rnd = new SplittableRandom(42);
        TupleBuffer b = new TupleBuffer(FeatureShape.dense(m.width()), BATCH);
        double[] row = new double[m.width()];
        for (int r = 0; r < BATCH; r++) {
            for (int j = 0; j < row.length; j++) {
                row[j] = rnd.nextDouble(-1, 1);
            }
            b.addDense(m.classes() == 1 ? rnd.nextInt(2) : rnd.nextInt(m.classes()), r, row, 0);
        }
        return b;
    }

    private static double[] params(GradientModel m) {
        SplittableRandom rnd = new SplittableRandom(7);
        double[] p = new double[m.paramCount()];
        double scale = 1.0 / Math.sqrt(m.width());
        for (int i = 0; i < p.length; i++) {
            p[i] = rnd.nextDouble(-scale, scale);
        }
        return p;
    }
}
