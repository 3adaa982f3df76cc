package org.corgipile.gpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.corgipile.operators.TupleBuffer;

/**
 * Entry point of the forked-JVM tests. Modes:
 * <ul>
 *   <li>{@code select DEVICE BATCH WIDTH [HIDDEN]}: selects a device for logistic regression (or an MLP with one
 *       hidden layer of HIDDEN units and 10 classes) and runs one batch; prints
 *       {@code SELECTED openCl=... device=... note=...} or {@code ERROR sqlstate=... message=... hint=...};</li>
 *   <li>{@code launches CALLS}: the same OpenCL gradient called CALLS times (2 or 3 launches each), printing
 *       {@code RSS launches kB} about every 1000 launches;</li>
 *   <li>{@code lifecycle KERNELS}: KERNELS trainings, each creating, using and disposing its kernel, printing
 *       {@code RSS kernels kB} every 10;</li>
 *   <li>{@code natives}: runs one OpenCL batch, then prints {@code NATIVE path} (where this module loaded Aparapi's
 *       library from), {@code MAPPED path} for every mapped libaparapi file and {@code TMP name} for every entry of
 *       {@code java.io.tmpdir}.</li>
 * </ul>
 */
public final class OpenClProbeMain {
    private OpenClProbeMain() {
    }

    public static void main(String[] args) throws IOException {
        switch (args[0]) {
            case "select" -> select(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    args.length > 4 ? Integer.parseInt(args[4]) : 0);
            case "launches" -> launches(Integer.parseInt(args[1]));
            case "lifecycle" -> lifecycle(Integer.parseInt(args[1]));
            case "natives" -> natives();
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static void select(String device, int batch, int width, int hidden) {
        GradientModel model = hidden > 0 ? GradientModel.mlp(width, 10, hidden) : GradientModel.logistic(width);
        try (Selection s = GradientDevices.select(device, model, batch)) {
            int n = Math.min(batch, 16);  // the batch size only steers the selection; one small batch proves it works
            TupleBuffer rows = Batches.batch(model, n, 1);
            double[] grad = new double[model.paramCount()];
            double loss = s.gradient().lossAndGradient(Batches.params(model, 2), rows, Batches.MARGIN,
                    Batches.MARGIN + n, grad);
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
            long next = 1000;
            for (int c = 1; c <= calls; c++) {
                g.lossAndGradient(params, rows, 0, 64, grad);
                params[c % params.length] -= 1e-3 * grad[c % params.length];
                if (g.launches() >= next) {
                    System.out.println("RSS " + g.launches() + " " + rssKb());
                    next += 1000;
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

    private static void natives() throws IOException {
        select("gpu", 8, 4, 0);
        System.out.println("NATIVE " + OpenClDevices.nativeLibrary());
        try (var lines = Files.lines(Path.of("/proc/self/maps"))) {
            lines.filter(l -> l.contains("libaparapi")).map(l -> l.substring(l.indexOf('/')))
                    .distinct().forEach(p -> System.out.println("MAPPED " + p));
        }
        try (var entries = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            entries.forEach(p -> System.out.println("TMP " + p.getFileName()));
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
