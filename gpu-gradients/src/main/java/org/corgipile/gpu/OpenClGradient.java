package org.corgipile.gpu;

import com.aparapi.Kernel;
import com.aparapi.device.OpenCLDevice;
import org.corgipile.operators.TupleBuffer;

/**
 * Host side shared by the OpenCL gradients ({@link OpenClGlmGradient}, {@link OpenClMlpGradient}): the launcher
 * that proves every launch ran on OpenCL, the choice of gradient shape (row chunks on CPU devices, one item per
 * parameter on GPUs), the per-batch copy of rows, targets and parameters into the kernel's arrays, and the
 * lifecycle (one instance per training, {@link #close()} disposes the kernel).
 *
 * <p>Only host code lives here; the kernels themselves stay self-contained {@link Kernel} subclasses because
 * Aparapi translates their bytecode to OpenCL C and supports little inheritance there.
 */
abstract class OpenClGradient implements DenseGradient {
    private final GradientModel model;
    private final boolean rowChunks;
    /** Launches this gradient's kernel on its device; subclasses launch through it. */
    final OpenClLauncher launcher;

    OpenClGradient(GradientModel model, Kernel kernel, OpenCLDevice device, boolean rowChunks) {
        this.model = model;
        this.rowChunks = rowChunks;
        this.launcher = new OpenClLauncher(kernel, device);
    }

    /**
     * Size of the kernel's per-chunk partial array: {@code perChunk} values for each of the most row chunks the
     * device gets in the CPU shape, or a single unused value in the GPU shape.
     */
    static int partialSize(OpenCLDevice device, boolean rowChunks, int perChunk) {
        return rowChunks ? 4 * Math.max(1, device.getMaxComputeUnits()) * perChunk : 1;
    }

    /** Row capacity for a batch of {@code rows} rows: grown by half (or to {@code rows} if more) when too small. */
    static int grownCapacity(int capacity, int rows) {
        return rows > capacity ? Math.max(rows, capacity + (capacity >> 1)) : capacity;
    }

    /**
     * Copies rows {@code [from, from + n)} of {@code batch}, their targets mapped by {@link BatchArguments#target}
     * and the parameters into the kernel's arrays (the caller puts them to the device).
     */
    final void copyBatch(double[] params, TupleBuffer batch, int from, int n,
                         double[] kernelX, double[] kernelY, double[] kernelParams) {
        int d = model.width();
        System.arraycopy(batch.dense(), from * d, kernelX, 0, n * d);
        for (int i = 0; i < n; i++) {
            kernelY[i] = BatchArguments.target(model, batch.label(from + i));
        }
        System.arraycopy(params, 0, kernelParams, 0, model.paramCount());
    }

    @Override
    public final GradientModel model() {
        return model;
    }

    /** True when every launch so far ran on OpenCL (and there was at least one). */
    public final boolean ranOnOpenCl() {
        return launcher.ranOnOpenCl();
    }

    /** True when the gradient phase uses row chunks (the CPU shape). */
    public final boolean rowChunks() {
        return rowChunks;
    }

    /** Kernel launches so far (per mini-batch, see the subclass). */
    public final long launches() {
        return launcher.launches();
    }

    public final OpenCLDevice device() {
        return launcher.device();
    }

    @Override
    public final void close() {
        launcher.dispose();
    }
}
