package org.corgipile.gpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.corgipile.operators.TupleBuffer;

/**
 * Entry point of the forked-JVM tests. Modes:
 * <ul>
 *   <li>{@code select DEVICE BATCH WIDTH}: selects a device for logistic regression and runs one batch; prints
 *       {@code SELECTED openCl=... device=... note=...} or {@code ERROR sqlstate=... message=... hint=...};</li>
 *   <li>{@code launches CALLS}: the same OpenCL gradient called CALLS times (two launches each), printing
 *       {@code RSS launches kB} every 1000 launches;</li>
 *   <li>{@code lifecycle KERNELS}: KERNELS trainings, each creating, using and disposing its kernel, printing
 *       {@code RSS kernels kB} every 10.</li>
 * </ul>
 */
public final class OpenClProbeMain {
    private OpenClProbeMain() {
    }

    public static void main(String[] args) throws IOException {
        switch (args[0]) {
            case "select" -> select(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            case "launches" -> launches(Integer.parseInt(args[1]));
            case "lifecycle" -> lifecycle(Integer.parseInt(args[1]));
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static void select(String device, int batch, int width) {
        GradientModel model = GradientModel.logistic(width);
        try (Selection s = GradientDevices.select(device, model, batch)) {
            TupleBuffer rows = Batches.batch(model, batch, 1);
            double[] grad = new double[model.paramCount()];
            double loss = s.gradient().lossAndGradient(Batches.params(model, 2), rows, Batches.MARGIN,
                    Batches.MARGIN + batch, grad);
            System.out.println("SELECTED openCl=" + s.openCl() + " device=" + s.deviceName() + " note=" + s.note()
                    + " loss=" + loss);
        } catch (DeviceUnavailableException e) {
            System.out.println("ERROR sqlstate=" + e.sqlState() + " message=" + e.getMessage() + " hint="
                    + e.hint());
        }
    }

    private static void launches(int calls) throws IOException {
        GradientModel model = GradientModel.logistic(28);
        TupleBuffer rows = Batches.batch(model, 64, 1);
        double[] params = Batches.params(model, 2);
        double[] grad = new double[model.paramCount()];
        try (OpenClGlmGradient g = new OpenClGlmGradient(model, OpenClDevices.require(), 64)) {
            for (int c = 1; c <= calls; c++) {
                g.lossAndGradient(params, rows, 0, 64, grad);
                params[c % params.length] -= 1e-3 * grad[c % params.length];
                if (g.launches() % 1000 == 0) {
                    System.out.println("RSS " + g.launches() + " " + rssKb());
                }
            }
            System.out.println("OPENCL " + g.ranOnOpenCl());
        }
    }

    private static void lifecycle(int kernels) throws IOException {
        GradientModel model = GradientModel.mlp(28, 10, 16);
        TupleBuffer rows = Batches.batch(model, 256, 1);
        double[] params = Batches.params(model, 2);
        double[] grad = new double[model.paramCount()];
        for (int k = 1; k <= kernels; k++) {
            try (OpenClMlpGradient g = new OpenClMlpGradient(model, OpenClDevices.require(), 256)) {
                for (int c = 0; c < 5; c++) {
                    g.lossAndGradient(params, rows, 0, 256, grad);
                }
            }
            if (k % 10 == 0) {
                System.out.println("RSS " + k + " " + rssKb());
            }
        }
    }

    /** Resident set size of this process from /proc/self/status, in kB. */
    static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
