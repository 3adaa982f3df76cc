package org.corgipile.gpu;

import com.aparapi.device.OpenCLDevice;
import org.corgipile.operators.TupleBuffer;

/**
 * An MLP's forward and backward pass on an OpenCL device through {@link MlpGradientKernel}: with {@code L} layers,
 * {@code 3L} launches per mini-batch (L forward, 1 output, L-1 backward, L gradient; 4L when the gradient takes
 * the CPU shape of row chunks + reduce), one put each of rows, targets, parameters and transposed weights, one get of the result. Activations and deltas live on the device only. Same lifecycle as
 * {@link OpenClGlmGradient}: one instance per training, {@link #close()} at the end.
 */
public final class OpenClMlpGradient implements DenseGradient {
    private final GradientModel model;
    private final int[] widths;
    private final int[] weightOffsets;
    private final int activationWidths;
    private final MlpGradientKernel kernel;
    private final OpenClLauncher launcher;
    private final boolean rowChunks;
    private int capacity;

    /**
     * Creates the kernel and compiles it with an empty launch.
     *
     * @param capacity expected rows per batch (arrays grow if a batch is larger)
     * @throws DeviceUnavailableException if the kernel does not compile for or run on the device
     */
    public OpenClMlpGradient(GradientModel model, OpenCLDevice device, int capacity) {
        this(model, device, capacity, OpenClLauncher.rowChunksSuit(device));
    }

    /** With an explicit shape of the gradient phase: row chunks (CPU) or one item per parameter (GPU). */
    OpenClMlpGradient(GradientModel model, OpenCLDevice device, int capacity, boolean rowChunks) {
        if (model.kind() != GradientModel.Kind.MLP) {
            throw new IllegalArgumentException("OpenClMlpGradient needs an mlp model, got " + model);
        }
        this.model = model;
        this.widths = model.layerWidths();
        this.weightOffsets = new int[widths.length];
        for (int l = 0; l < widths.length; l++) {
            weightOffsets[l] = model.weightOffset(l);
        }
        int sum = 0;
        for (int l = 1; l < widths.length; l++) {
            sum += widths[l];
        }
        this.activationWidths = sum;
        this.rowChunks = rowChunks;
        int largestLayer = 0;
        for (int l = 1; l < widths.length; l++) {
            largestLayer = Math.max(largestLayer, widths[l] * (widths[l - 1] + 1));
        }
        int partial = rowChunks ? 4 * Math.max(1, device.getMaxComputeUnits()) * largestLayer : 1;
        this.kernel = new MlpGradientKernel(model.paramCount(), model.classes(), partial);
        this.capacity = Math.max(1, capacity);
        kernel.allocateRows(this.capacity, model.width(), activationWidths);
        this.launcher = new OpenClLauncher(kernel, device);
        kernel.phase = MlpGradientKernel.PHASE_FORWARD;
        kernel.rows = 0;
        kernel.outWidth = 1;
        launcher.warmUp();
    }

    @Override
    public GradientModel model() {
        return model;
    }

    /** Offset in act/delta of layer l's block (l >= 1): blocks are capacity x width(l), in layer order. */
    private int blockOffset(int l) {
        int off = 0;
        for (int m = 1; m < l; m++) {
            off += capacity * widths[m];
        }
        return off;
    }

    @Override
    public double lossAndGradient(double[] params, TupleBuffer batch, int from, int to, double[] gradOut) {
        int n = BatchArguments.check(model, params, batch, from, to, gradOut);
        int d = model.width();
        int p = model.paramCount();
        int layers = widths.length - 1;
        if (n > capacity) {
            capacity = Math.max(n, capacity + (capacity >> 1));
            kernel.allocateRows(capacity, d, activationWidths);
        }
        System.arraycopy(batch.dense(), from * d, kernel.x, 0, n * d);
        for (int i = 0; i < n; i++) {
            kernel.y[i] = BatchArguments.target(model, batch.label(from + i));
        }
        System.arraycopy(params, 0, kernel.params, 0, p);
        for (int l = 1; l <= layers; l++) {
            int in = widths[l - 1];
            int out = widths[l];
            int w = weightOffsets[l - 1];
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    kernel.weightsT[w + i * out + o] = params[w + o * in + i];
                }
            }
        }
        kernel.put(kernel.x).put(kernel.y).put(kernel.params).put(kernel.weightsT);
        kernel.rows = n;

        kernel.phase = MlpGradientKernel.PHASE_FORWARD;
        for (int l = 1; l <= layers; l++) {
            layer(l, layers);
            launcher.launch(n * widths[l]);
        }
        kernel.phase = MlpGradientKernel.PHASE_OUTPUT;
        layer(layers, layers);
        launcher.launch(n);
        kernel.phase = MlpGradientKernel.PHASE_BACKWARD;
        for (int l = layers - 1; l >= 1; l--) {
            layer(l, layers);
            launcher.launch(n * widths[l]);
        }
        int chunks = launcher.chunksFor(n);
        kernel.chunks = chunks;
        kernel.chunkRows = (n + chunks - 1) / chunks;
        for (int l = 1; l <= layers; l++) {
            layer(l, layers);
            if (rowChunks) {
                kernel.phase = MlpGradientKernel.PHASE_PARTIAL;
                launcher.launch(chunks * widths[l]);
                kernel.phase = MlpGradientKernel.PHASE_REDUCE;
            } else {
                kernel.phase = MlpGradientKernel.PHASE_GRADIENT;
            }
            launcher.launch(widths[l] * (widths[l - 1] + 1) + kernel.withLoss);
        }
        kernel.get(kernel.out);
        System.arraycopy(kernel.out, 0, gradOut, 0, p);
        return kernel.out[p];
    }

    /** Sets the kernel's scalar geometry for a launch on layer {@code l} (1-based) of {@code layers}. */
    private void layer(int l, int layers) {
        kernel.inWidth = widths[l - 1];
        kernel.outWidth = widths[l];
        kernel.weightOffset = weightOffsets[l - 1];
        kernel.inOffset = l == 1 ? -1 : blockOffset(l - 1);
        kernel.outOffset = blockOffset(l);
        kernel.relu = l < layers ? 1 : 0;
        kernel.withLoss = l == layers ? 1 : 0;
        if (l < layers) {
            kernel.nextWidth = widths[l + 1];
            kernel.nextWeightOffset = weightOffsets[l];
            kernel.nextOffset = blockOffset(l + 1);
        } else {
            kernel.nextWidth = 0;
            kernel.nextWeightOffset = 0;
            kernel.nextOffset = 0;
        }
    }

    /** True when every launch so far ran on OpenCL (and there was at least one). */
    public boolean ranOnOpenCl() {
        return launcher.ranOnOpenCl();
    }

    /** True when the gradient phase uses row chunks (the CPU shape). */
    public boolean rowChunks() {
        return rowChunks;
    }

    /** Kernel launches so far (per mini-batch with L layers: 3L in the GPU shape, 4L with row chunks). */
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
