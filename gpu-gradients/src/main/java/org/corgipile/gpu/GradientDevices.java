package org.corgipile.gpu;

import com.aparapi.device.Device;
import com.aparapi.device.OpenCLDevice;
import java.util.Locale;

/**
 * Picks the device that computes a training's gradients: the {@code device} argument of {@code train_sgd}.
 * <ul>
 *   <li>{@code cpu}: the Java reference on the compute thread.</li>
 *   <li>{@code gpu}: an OpenCL device (a GPU if present, else an accelerator, else an OpenCL CPU device such as
 *       POCL, and the name says which). No device, a kernel that does not compile, or a silent Aparapi fallback
 *       to Java is a {@link DeviceUnavailableException} with a hint, never a quiet slowdown.</li>
 *   <li>{@code auto}: OpenCL only where the batch makes it pay (see {@link #worthOpenCl}); otherwise, or if OpenCL
 *       is missing or fails, the Java reference, and the {@link Selection#note()} says what was picked and why.</li>
 * </ul>
 */
public final class GradientDevices {
    /** How the Java reference is reported. */
    public static final String JAVA_DEVICE = "Java (JVM compute thread)";

    /**
     * {@code auto} on a GPU: OpenCL from this many multiply-adds per forward pass of a batch (batch x forward
     * multiply-adds per row). Below it, launch and transfer latency (tens of microseconds per launch) outweighs
     * the arithmetic.
     */
    public static final long GPU_MIN_BATCH_MACS = 1L << 20;

    /**
     * {@code auto} on an OpenCL CPU device (POCL): OpenCL from this many multiply-adds per batch (2^29, e.g. batch
     * 4096 of a 784-256-128-10 MLP). POCL spreads a launch over all cores while the Java reference uses the one
     * compute thread, but in {@link GradientThroughputBench} on the 2-core development machine it only won
     * consistently above this size (docs/gpu.md), and inside PostgreSQL the other core is busy reading and
     * shuffling the next buffer (double buffering), so below it the Java reference is the better choice.
     */
    public static final long CPU_OPENCL_MIN_BATCH_MACS = 1L << 29;

    private GradientDevices() {
    }

    /**
     * Selects the gradient implementation for one training.
     *
     * @param device cpu, gpu or auto (case-insensitive)
     * @param model  the model and its shape
     * @param batch  mini-batch size the training will use (sizes the device arrays; the auto policy reads it)
     */
    public static Selection select(String device, GradientModel model, int batch) {
        String requested = device == null ? "" : device.trim().toLowerCase(Locale.ROOT);
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be at least 1, got " + batch);
        }
        switch (requested) {
            case "cpu":
                return new Selection("cpu", javaGradient(model), JAVA_DEVICE, false, "cpu: Java reference");
            case "gpu": {
                OpenCLDevice d = OpenClDevices.require();
                DenseGradient g = openClGradient(model, d, batch);
                String found = d.getType() == Device.TYPE.GPU ? "using " : "no GPU found, using ";
                return new Selection("gpu", g, OpenClDevices.describe(d), true,
                        "gpu: " + found + OpenClDevices.describe(d));
            }
            case "auto":
                return auto(model, batch);
            default:
                throw new IllegalArgumentException("device must be one of cpu, gpu, auto, got '" + device + "'");
        }
    }

    private static Selection auto(GradientModel model, int batch) {
        OpenClDevices.Probe probe = OpenClDevices.probe();
        if (!probe.available()) {
            return new Selection("auto", javaGradient(model), JAVA_DEVICE, false,
                    "auto: using Java because " + probe.reason());
        }
        OpenCLDevice d = probe.device();
        long macs = batchMacs(model, batch);
        if (!worthOpenCl(d.getType(), macs)) {
            return new Selection("auto", javaGradient(model), JAVA_DEVICE, false,
                    "auto: using Java because batch " + batch + " x " + model.forwardMacsPerRow()
                            + " multiply-adds per row = " + macs + " is below the " + threshold(d.getType())
                            + " where " + OpenClDevices.describe(d) + " pays");
        }
        FallbackGradient g;
        try {
            g = new FallbackGradient(openClGradient(model, d, batch));
        } catch (DeviceUnavailableException e) {
            return new Selection("auto", javaGradient(model), JAVA_DEVICE, false,
                    "auto: using Java because " + e.getMessage());
        }
        Selection s = new Selection("auto", g, OpenClDevices.describe(d), true,
                "auto: OpenCL, batch " + batch + " x " + model.forwardMacsPerRow() + " multiply-adds per row = "
                        + macs + " reaches " + threshold(d.getType()) + ", on " + OpenClDevices.describe(d));
        g.reportTo(s);
        return s;
    }

    /** Multiply-adds of one batch's forward pass: what {@code auto} weighs against launch overhead. */
    public static long batchMacs(GradientModel model, int batch) {
        return model.forwardMacsPerRow() * batch;
    }

    /** The {@code auto} rule: does a batch of this many multiply-adds pay on a device of this type? */
    public static boolean worthOpenCl(Device.TYPE type, long batchMacs) {
        return batchMacs >= threshold(type);
    }

    private static long threshold(Device.TYPE type) {
        return type == Device.TYPE.GPU ? GPU_MIN_BATCH_MACS : CPU_OPENCL_MIN_BATCH_MACS;
    }

    /** The Java reference gradient of a model: the CPU path and the oracle of the kernels. */
    public static DenseGradient javaGradient(GradientModel model) {
        return switch (model.kind()) {
            case LINEAR -> new JavaLinearGradient(model.width());
            case LOGISTIC -> new JavaLogisticGradient(model.width());
            case SVM -> new JavaSvmGradient(model.width());
            case SOFTMAX -> new JavaSoftmaxGradient(model.width(), model.classes());
            case MLP -> new JavaMlpGradient(model);
        };
    }

    /** The OpenCL gradient of a model on a device, compiled. */
    public static DenseGradient openClGradient(GradientModel model, OpenCLDevice device, int batch) {
        return model.kind() == GradientModel.Kind.MLP
                ? new OpenClMlpGradient(model, device, batch)
                : new OpenClGlmGradient(model, device, batch);
    }
}
