package org.corgipile.gpu;

import com.aparapi.Kernel;

/**
 * The OpenCL (Aparapi) kernel of an MLP's forward and backward pass over a mini-batch, one launch per layer and
 * phase, each a matrix-multiply-shaped data-parallel loop (one work item per output element, no atomics):
 * <ol>
 *   <li>{@link #PHASE_FORWARD} per layer: {@code act = relu(W in + b)} (no ReLU on the output layer);</li>
 *   <li>{@link #PHASE_OUTPUT}: per row softmax (or sigmoid) cross-entropy, its slope into {@link #delta};</li>
 *   <li>{@link #PHASE_BACKWARD} per hidden layer, top down: {@code delta = (W_next^T delta_next) * relu'(act)};</li>
 *   <li>the layer gradients, the mean over rows of {@code delta * in^T} and of {@code delta} (plus the mean loss
 *       on the output layer), written to {@link #out} in parameter order, in one of two shapes:
 *     <ul>
 *       <li>GPU: {@link #PHASE_GRADIENT}, one work item per parameter summing over all rows; adjacent items read
 *           adjacent columns of a row, so reads coalesce and there are as many items as parameters;</li>
 *       <li>CPU (POCL): {@link #PHASE_PARTIAL}, one item per (row chunk, unit) streaming its rows' inputs
 *           contiguously into a per-chunk partial gradient (skipping units ReLU switched off), then
 *           {@link #PHASE_REDUCE} summing the chunks. The GPU shape on a CPU walks columns with a stride of a
 *           whole row, one cache miss per multiply-add.</li>
 *     </ul></li>
 * </ol>
 * Activations and deltas stay on the device (never transferred); the host puts rows, targets and parameters and
 * gets {@link #out} once per mini-batch. Per-launch geometry is passed in scalar fields, which Aparapi sends with
 * every launch. Global sizes are padded to the work-group size, hence the bounds checks.
 */
final class MlpGradientKernel extends Kernel {
    static final int PHASE_FORWARD = 0;
    static final int PHASE_OUTPUT = 1;
    static final int PHASE_BACKWARD = 2;
    static final int PHASE_GRADIENT = 3;
    static final int PHASE_PARTIAL = 4;
    static final int PHASE_REDUCE = 5;

    /** Input rows, row-major, capacity x width. Put every batch. */
    double[] x;
    /** Per-row target (class index, or 0/1 with one sigmoid output). Put every batch. */
    double[] y;
    /** All layers' parameters, laid out as {@link GradientModel} says. Put every batch. */
    double[] params;
    /**
     * The same weights with every layer's matrix transposed ({@code [i * out + o]} at the layer's offset), for the
     * forward pass: adjacent work items (adjacent units of one row) then read adjacent weights, which coalesces on
     * a GPU and vectorises on POCL (which vectorises across work items; the row-major matrix made that a strided
     * gather). Filled by the host from {@link #params}, put every batch.
     */
    double[] weightsT;
    /** Device-only: outputs of layers 1..L, each a block of capacity x width(l) at {@code actOffset(l)}. */
    double[] act;
    /** Device-only: dLoss/dz of layers 1..L, same layout as {@link #act}. */
    double[] delta;
    /** Device-only: per-row loss. */
    double[] rowLoss;
    /** Device-only, CPU shape: per-chunk partial gradients of the current layer, chunks x (out x (in + 1)). */
    double[] partial;
    /** Result: gradient then mean loss. Fetched every batch. */
    double[] out;

    int phase;
    int rows;
    int classes;
    int lossSlot;
    // geometry of the layer of the current launch
    int inWidth;
    int outWidth;
    int weightOffset;
    int inOffset;      // offset of the input block in act, or -1 when the input is x
    int outOffset;     // offset of this layer's block in act and delta
    int relu;          // 1 on hidden layers
    int withLoss;      // 1 on the output layer's gradient launch: one more item writes the mean loss
    int nextWidth;
    int nextWeightOffset;
    int nextOffset;
    int chunks;
    int chunkRows;

    MlpGradientKernel(int paramCount, int classes, int partialSize) {
        this.params = new double[paramCount];
        this.weightsT = new double[paramCount];
        this.partial = new double[Math.max(1, partialSize)];
        this.out = new double[paramCount + 1];
        this.classes = classes;
        this.lossSlot = paramCount;
    }

    /** (Re)allocates the per-row arrays; Aparapi notices the new references and recreates the device buffers. */
    void allocateRows(int capacity, int width, int activationWidths) {
        x = new double[capacity * width];
        y = new double[capacity];
        act = new double[capacity * activationWidths];
        delta = new double[capacity * activationWidths];
        rowLoss = new double[capacity];
    }

    @Override
    public void run() {
        int g = getGlobalId();
        if (phase == PHASE_FORWARD) {
            if (g < rows * outWidth) {
                forward(g);
            }
        } else if (phase == PHASE_OUTPUT) {
            if (g < rows) {
                output(g);
            }
        } else if (phase == PHASE_BACKWARD) {
            if (g < rows * outWidth) {
                backward(g);
            }
        } else if (phase == PHASE_GRADIENT) {
            if (g < outWidth * (inWidth + 1) + withLoss) {
                gradient(g);
            }
        } else if (phase == PHASE_PARTIAL) {
            if (g < chunks * outWidth) {
                partialSums(g);
            }
        } else {
            if (g < outWidth * (inWidth + 1) + withLoss) {
                reduce(g);
            }
        }
    }

    private void forward(int g) {
        int r = g / outWidth;
        int o = g - r * outWidth;
        int w = weightOffset + o;
        double s = 0;
        if (inOffset < 0) {
            int xo = r * inWidth;
            for (int i = 0; i < inWidth; i++) {
                s += weightsT[w + i * outWidth] * x[xo + i];
            }
        } else {
            int ao = inOffset + r * inWidth;
            for (int i = 0; i < inWidth; i++) {
                s += weightsT[w + i * outWidth] * act[ao + i];
            }
        }
        s += params[weightOffset + outWidth * inWidth + o];
        act[outOffset + g] = relu == 1 ? Math.max(s, 0.0) : s;
    }

    private void output(int r) {
        int zo = outOffset + r * classes;
        double t = y[r];
        if (classes == 1) {
            double z = act[zo];
            double p = 0;
            if (z >= 0) {
                p = 1.0 / (1.0 + Math.exp(-z));
            } else {
                double e = Math.exp(z);
                p = e / (1.0 + e);
            }
            delta[zo] = p - t;
            rowLoss[r] = Math.max(z, 0.0) - z * t + Math.log(1.0 + Math.exp(-Math.abs(z)));
        } else {
            double max = act[zo];
            for (int c = 1; c < classes; c++) {
                max = Math.max(max, act[zo + c]);
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                sum += Math.exp(act[zo + c] - max);
            }
            double lse = max + Math.log(sum);
            int label = (int) t;
            rowLoss[r] = lse - act[zo + label];
            for (int c = 0; c < classes; c++) {
                delta[zo + c] = Math.exp(act[zo + c] - lse) - (c == label ? 1.0 : 0.0);
            }
        }
    }

    private void backward(int g) {
        int r = g / outWidth;
        int o = g - r * outWidth;
        int dn = nextOffset + r * nextWidth;
        double s = 0;
        for (int k = 0; k < nextWidth; k++) {
            s += delta[dn + k] * params[nextWeightOffset + k * outWidth + o];
        }
        delta[outOffset + g] = act[outOffset + g] > 0 ? s : 0.0;
    }

    private void gradient(int g) {
        int weights = outWidth * inWidth;
        double s = 0;
        if (g < weights) {
            int o = g / inWidth;
            int i = g - o * inWidth;
            if (inOffset < 0) {
                for (int r = 0; r < rows; r++) {
                    s += delta[outOffset + r * outWidth + o] * x[r * inWidth + i];
                }
            } else {
                for (int r = 0; r < rows; r++) {
                    s += delta[outOffset + r * outWidth + o] * act[inOffset + r * inWidth + i];
                }
            }
            out[weightOffset + g] = s / rows;
        } else if (g < weights + outWidth) {
            int o = g - weights;
            for (int r = 0; r < rows; r++) {
                s += delta[outOffset + r * outWidth + o];
            }
            out[weightOffset + g] = s / rows;
        } else {
            for (int r = 0; r < rows; r++) {
                s += rowLoss[r];
            }
            out[lossSlot] = s / rows;
        }
    }

    private void partialSums(int g) {
        int c = g / outWidth;
        int o = g - c * outWidth;
        int base = c * (outWidth * (inWidth + 1));
        int wo = base + o * inWidth;
        for (int i = 0; i < inWidth; i++) {
            partial[wo + i] = 0.0;
        }
        double sb = 0.0;
        int first = c * chunkRows;
        int end = first + chunkRows < rows ? first + chunkRows : rows;
        for (int r = first; r < end; r++) {
            double dl = delta[outOffset + r * outWidth + o];
            if (dl != 0.0) {
                sb += dl;
                if (inOffset < 0) {
                    int xo = r * inWidth;
                    for (int i = 0; i < inWidth; i++) {
                        partial[wo + i] += dl * x[xo + i];
                    }
                } else {
                    int ao = inOffset + r * inWidth;
                    for (int i = 0; i < inWidth; i++) {
                        partial[wo + i] += dl * act[ao + i];
                    }
                }
            }
        }
        partial[base + outWidth * inWidth + o] = sb;
    }

    private void reduce(int g) {
        int size = outWidth * (inWidth + 1);
        double s = 0;
        if (g < size) {
            for (int c = 0; c < chunks; c++) {
                s += partial[c * size + g];
            }
            out[weightOffset + g] = s / rows;
        } else {
            for (int r = 0; r < rows; r++) {
                s += rowLoss[r];
            }
            out[lossSlot] = s / rows;
        }
    }
}
