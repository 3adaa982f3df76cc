package org.corgipile.gpu;

import com.aparapi.device.OpenCLDevice;
import org.corgipile.operators.TupleBuffer;

/**
 * The dense GLM gradient (linear, logistic, svm, softmax) on an OpenCL device through {@link GlmGradientKernel}.
 *
 * <p>Lifecycle: one instance (one kernel, compiled once) per training; per mini-batch the host copies the rows,
 * mapped targets and parameters into the kernel's arrays, puts exactly those three, launches twice and gets the
 * result array (gradient + loss). Scratch arrays never cross the bus. The gradient phase takes the GPU or the CPU
 * shape described on {@link GlmGradientKernel}, chosen by the device type. {@link #close()} disposes the kernel.
 * Row arrays grow (by half) when a batch is larger than any before; smaller batches reuse them.
 */
public final class OpenClGlmGradient implements DenseGradient {
    private final GradientModel model;
    private final GlmGradientKernel kernel;
    private final OpenClLauncher launcher;
    private final boolean rowChunks;

    /**
     * Creates the kernel and compiles it with an empty launch.
     *
     * @param capacity expected rows per batch (arrays grow if a batch is larger)
     * @throws DeviceUnavailableException if the kernel does not compile for or run on the device
     */
    public OpenClGlmGradient(GradientModel model, OpenCLDevice device, int capacity) {
        this(model, device, capacity, OpenClLauncher.rowChunksSuit(device));
    }

    /** With an explicit shape of the gradient phase: row chunks (CPU) or one item per parameter (GPU). */
    OpenClGlmGradient(GradientModel model, OpenCLDevice device, int capacity, boolean rowChunks) {
        this.model = model;
        this.rowChunks = rowChunks;
        int partial = rowChunks ? 4 * Math.max(1, device.getMaxComputeUnits()) * model.paramCount() : 1;
        this.kernel = new GlmGradientKernel(code(model.kind()), model.width(), model.outputs(),
                Math.max(1, capacity), partial);
        this.launcher = new OpenClLauncher(kernel, device);
        kernel.phase = GlmGradientKernel.PHASE_ROWS;
        kernel.rows = 0;
        launcher.warmUp();
    }

    private static int code(GradientModel.Kind kind) {
        return switch (kind) {
            case LINEAR -> GlmGradientKernel.LINEAR;
            case LOGISTIC -> GlmGradientKernel.LOGISTIC;
            case SVM -> GlmGradientKernel.SVM;
            case SOFTMAX -> GlmGradientKernel.SOFTMAX;
            case MLP -> throw new IllegalArgumentException("mlp is computed by OpenClMlpGradient");
        };
    }

    @Override
    public GradientModel model() {
        return model;
    }

    @Override
    public double lossAndGradient(double[] params, TupleBuffer batch, int from, int to, double[] gradOut) {
        int n = BatchArguments.check(model, params, batch, from, to, gradOut);
        int d = model.width();
        int p = model.paramCount();
        if (n > kernel.capacity()) {
            kernel.allocateRows(Math.max(n, kernel.capacity() + (kernel.capacity() >> 1)));
        }
        System.arraycopy(batch.dense(), from * d, kernel.x, 0, n * d);
        for (int i = 0; i < n; i++) {
            kernel.y[i] = BatchArguments.target(model, batch.label(from + i));
        }
        System.arraycopy(params, 0, kernel.params, 0, p);
        kernel.put(kernel.x).put(kernel.y).put(kernel.params);
        kernel.rows = n;
        kernel.phase = GlmGradientKernel.PHASE_ROWS;
        launcher.launch(n);
        if (rowChunks) {
            int chunks = launcher.chunksFor(n);
            kernel.chunks = chunks;
            kernel.chunkRows = (n + chunks - 1) / chunks;
            kernel.phase = GlmGradientKernel.PHASE_PARTIAL;
            launcher.launch(chunks * model.outputs());
            kernel.phase = GlmGradientKernel.PHASE_REDUCE;
        } else {
            kernel.phase = GlmGradientKernel.PHASE_GRADIENT;
        }
        launcher.launch(p + 1);
        kernel.get(kernel.out);
        System.arraycopy(kernel.out, 0, gradOut, 0, p);
        return kernel.out[p];
    }

    /** True when every launch so far ran on OpenCL (and there was at least one). */
    public boolean ranOnOpenCl() {
        return launcher.ranOnOpenCl();
    }

    /** True when the gradient phase uses row chunks (the CPU shape). */
    public boolean rowChunks() {
        return rowChunks;
    }

    /** Kernel launches so far (per mini-batch: 2 in the GPU shape, 3 with row chunks). */
    public long launches() {
        return launcher.launches();
    }

    public OpenCLDevice device() {
        return launcher.device();
    }

    @Override
    public void close() {
        launcher.dispose();
    }
}
