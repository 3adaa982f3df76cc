package org.corgipile.gpu;

import com.aparapi.Kernel;

/**
 * The OpenCL (Aparapi) kernel of the dense GLM gradient: linear, logistic, svm and softmax are all {@code z = W x + b}
 * with {@code outputs} rows and differ only in the per-row loss, so one kernel serves the four (a {@link #model}
 * code selects the loss; the branch is uniform across work items and costs nothing on a GPU).
 *
 * <p>Two launches per mini-batch, both data-parallel without atomics:
 * <ol>
 *   <li>{@link #PHASE_ROWS}, one work item per row: outputs, row loss, and {@code dLoss/dz} into {@link #slope};</li>
 *   <li>the mean over rows of {@code slope * x} and of {@code slope}, and the mean loss, in one of two shapes:
 *     <ul>
 *       <li>GPU: {@link #PHASE_GRADIENT}, one work item per parameter summing over all rows (adjacent work items
 *           read adjacent columns of a row, which coalesces) and one item for the loss;</li>
 *       <li>CPU (POCL): {@link #PHASE_PARTIAL}, one item per (row chunk, output) streaming its rows contiguously
 *           into a per-chunk partial gradient, then {@link #PHASE_REDUCE} summing the chunks. On a CPU the GPU
 *           shape walks a column with a stride of a whole row: one cache miss per multiply-add.</li>
 *     </ul></li>
 * </ol>
 * Results land in {@link #out}: the gradient in parameter order, then the mean loss, so the host fetches one array.
 * Global sizes are padded to the work-group size, hence the bounds checks.
 *
 * <p>Aparapi translates this class's bytecode to OpenCL C; it must stay within Aparapi's subset (primitive fields,
 * one-dimensional arrays, no allocation, no calls outside this class except {@link Math}).
 */
final class GlmGradientKernel extends Kernel {
    static final int LINEAR = 0;
    static final int LOGISTIC = 1;
    static final int SVM = 2;
    static final int SOFTMAX = 3;

    static final int PHASE_ROWS = 0;
    static final int PHASE_GRADIENT = 1;
    static final int PHASE_PARTIAL = 2;
    static final int PHASE_REDUCE = 3;

    // Buffers, grouped by what crosses the bus (Aparapi transfers whole arrays; see OpenClGlmGradient):
    // put by the host every batch: x, the batch's rows (row-major, capacity x width); y, the per-row target mapped by
    // BatchArguments#target; params, one block [w_o, b_o] of width + 1 per output.
    double[] x, y, params;
    // On the device only, never transferred: slope, dLoss/dz (rows x outputs); rowLoss, the per-row loss; partial
    // (CPU shape), the per-chunk partial gradients (chunks x paramCount).
    double[] slope, rowLoss, partial;
    /** Result: gradient (paramCount values) then the mean loss. Fetched every batch. */
    double[] out;

    /** The loss ({@link #LINEAR} .. {@link #SOFTMAX}) and the launch's phase ({@code PHASE_*}). */
    int model, phase;
    /** Rows in this batch, features per row, outputs (rows of W); the CPU shape's row chunks and rows per chunk. */
    int rows, width, outputs, chunks, chunkRows;

    GlmGradientKernel(int model, int width, int outputs, int capacity, int partialSize) {
        this.partial = new double[Math.max(1, partialSize)];
        this.model = model;
        this.width = width;
        this.outputs = outputs;
        this.params = new double[outputs * (width + 1)];
        this.out = new double[outputs * (width + 1) + 1];
        allocateRows(capacity);
    }

    /** (Re)allocates the per-row arrays; Aparapi notices the new references and recreates the device buffers. */
    void allocateRows(int capacity) {
        x = new double[capacity * width];
        y = new double[capacity];
        slope = new double[capacity * outputs];
        rowLoss = new double[capacity];
    }

    int capacity() {
        return y.length;
    }

    @Override
    public void run() {
        int g = getGlobalId();
        if (phase == PHASE_ROWS) {
            if (g < rows) {
                rowPass(g);
            }
        } else if (phase == PHASE_GRADIENT) {
            if (g <= outputs * (width + 1)) {
                gradientPass(g);
            }
        } else if (phase == PHASE_PARTIAL) {
            if (g < chunks * outputs) {
                partialSums(g);
            }
        } else {
            if (g <= outputs * (width + 1)) {
                reduce(g);
            }
        }
    }

    private double output(int o, int xo) {
        double s = 0;
        int wo = o * (width + 1);
        for (int j = 0; j < width; j++) {
            s += params[wo + j] * x[xo + j];
        }
        return s + params[wo + width];
    }

    private void rowPass(int r) {
        int xo = r * width;
        double t = y[r];
        if (model == SOFTMAX) {
            int so = r * outputs;
            double max = 0;
            for (int o = 0; o < outputs; o++) {
                double z = output(o, xo);
                slope[so + o] = z;
                max = o == 0 ? z : Math.max(max, z);
            }
            double sum = 0;
            for (int o = 0; o < outputs; o++) {
                sum += Math.exp(slope[so + o] - max);
            }
            double lse = max + Math.log(sum);
            int label = (int) t;
            rowLoss[r] = lse - slope[so + label];
            for (int o = 0; o < outputs; o++) {
                slope[so + o] = Math.exp(slope[so + o] - lse) - (o == label ? 1.0 : 0.0);
            }
        } else {
            double z = output(0, xo);
            if (model == LINEAR) {
                double d = z - t;
                slope[r] = d;
                rowLoss[r] = 0.5 * d * d;
            } else if (model == LOGISTIC) {
                double p = 0;
                if (z >= 0) {
                    p = 1.0 / (1.0 + Math.exp(-z));
                } else {
                    double e = Math.exp(z);
                    p = e / (1.0 + e);
                }
                slope[r] = p - t;
                rowLoss[r] = Math.max(z, 0.0) - z * t + Math.log(1.0 + Math.exp(-Math.abs(z)));
            } else {
                double m = t * z;
                slope[r] = m < 1.0 ? -t : 0.0;
                rowLoss[r] = Math.max(0.0, 1.0 - m);
            }
        }
    }

    private void gradientPass(int g) {
        double s = 0;
        if (g < outputs * (width + 1)) {
            int o = g / (width + 1);
            int j = g - o * (width + 1);
            if (j < width) {
                for (int r = 0; r < rows; r++) {
                    s += slope[r * outputs + o] * x[r * width + j];
                }
            } else {
                for (int r = 0; r < rows; r++) {
                    s += slope[r * outputs + o];
                }
            }
        } else {
            for (int r = 0; r < rows; r++) {
                s += rowLoss[r];
            }
        }
        out[g] = s / rows;
    }

    private void partialSums(int g) {
        int c = g / outputs;
        int o = g - c * outputs;
        int wo = c * (outputs * (width + 1)) + o * (width + 1);
        for (int j = 0; j <= width; j++) {
            partial[wo + j] = 0.0;
        }
        int first = c * chunkRows;
        int end = first + chunkRows < rows ? first + chunkRows : rows;
        for (int r = first; r < end; r++) {
            double sl = slope[r * outputs + o];
            if (sl != 0.0) {
                int xo = r * width;
                for (int j = 0; j < width; j++) {
                    partial[wo + j] += sl * x[xo + j];
                }
                partial[wo + width] += sl;
            }
        }
    }

    private void reduce(int g) {
        int size = outputs * (width + 1);
        double s = 0;
        if (g < size) {
            for (int c = 0; c < chunks; c++) {
                s += partial[c * size + g];
            }
        } else {
            for (int r = 0; r < rows; r++) {
                s += rowLoss[r];
            }
        }
        out[g] = s / rows;
    }
}
