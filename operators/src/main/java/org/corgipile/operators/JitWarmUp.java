package org.corgipile.operators;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.corgipile.operators.model.InPlaceLinearStep;
import org.corgipile.operators.model.Model;

/**
 * Trains a throw-away copy of the run's SGD on a small synthetic buffer, on the compute thread, while that thread
 * waits for the first real buffer (the profile pass and the first buffer's read run on the calling thread then).
 *
 * <p>Why: every session's first {@code train_sgd} starts a fresh JVM, and at 200,000 rows an epoch lasts ~30 ms,
 * so the JIT installs the C2 code of the compute thread's loops (the shuffled gather, {@code SharedGather}, the
 * per-tuple steps) while epochs 2..6 already run: those epochs were up to 2x the later ones. Running the same
 * kernels here, on the same model class, shape, standardisation and deferred permutation as the real buffers (so
 * the profile the JIT compiles from is theirs, and nothing is deoptimised later), moves that warm-up into time the
 * compute thread would otherwise sit idle.
 *
 * <p>Nothing of it reaches the model: it trains its own parameter vector with its own {@link Sgd}; the run's
 * {@link Model} object is only read (its scratch arrays are used on this thread, before the real SGD starts). It
 * runs one round of {@value #ROWS} rows, then more until a real buffer waits, at most {@value #MAX_ROUNDS}.
 * Only the CPU fast path of the linear models (logistic, svm, linear) on dense features: the other models' step
 * costs much more per row, and their warm-up would not end within the first buffer's read.
 */
final class JitWarmUp {
    /** Rows per round: a round takes ~2 ms interpreted at d = 28, so a waiting buffer is not held up long. */
    static final int ROWS = 1024;
    /** At most this many rounds (~100,000 rows, the C2 thresholds of the loops with room to spare). */
    static final int MAX_ROUNDS = 100;

    private JitWarmUp() {
    }

    /**
     * {@code -Dcorgipile.jit_warmup=off} (in {@code corgipile.jvm_options}) turns the warm-up off, for A/B runs;
     * tests set it directly.
     */
    static volatile boolean enabled = !"off".equals(System.getProperty("corgipile.jit_warmup"));
    /** Rounds run by warm-ups in this JVM (tests check that a training ran one). */
    static final AtomicLong ROUNDS = new AtomicLong();

    /** True when {@link #run} does anything for this model, gradient and shape. */
    static boolean applies(Model model, BatchGradient gradient, TrainSpec spec, FeatureShape shape) {
        return enabled && gradient == model && model instanceof InPlaceLinearStep && !shape.sparse() && spec.l1() == 0;
    }

    /**
     * Rounds of SGD on a synthetic buffer, one and then more until {@code stop} holds; returns the rounds run. {@code permuted}: the
     * run's buffers come with a deferred permutation (corgipile's tuple shuffle: the gather path), else in order
     * with a deferred standardisation ({@code none}, {@code block_only}: settled in place).
     */
    static int run(Model model, TrainSpec spec, FeatureShape shape, boolean standardize, boolean permuted,
                   BooleanSupplier stop) {
        int d = shape.dimension();
        TupleBuffer b = new TupleBuffer(shape, ROWS);
        double[] mean = new double[d];
        double[] invStd = new double[d];
        Arrays.fill(invStd, 1);
        Sgd sgd = new Sgd(model, model, spec);
        double[] params = new double[model.parameterCount()];
        sgd.open(params);
        fill(b, model.kind(), d);
        int rounds = 0;
        try {
            do {
                // rows and permutation stay as filled: a settle standardises in place with mean 0, deviation 1
                b.clear();
                b.deferStandardization();
                if (standardize) {
                    b.standardizeOnRead(mean, invStd);
                }
                b.appendDenseRows(ROWS);
                if (permuted) {
                    b.deferPermutation(); // the permutation filled once: a gather only reads it
                }
                Arrays.fill(params, 0);
                sgd.rescan(1);
                sgd.consume(b);
                rounds++;
            } while (rounds < MAX_ROUNDS && !stop.getAsBoolean());
        } catch (TrainingException diverged) {
            // synthetic rows at the run's learning rate: a divergence here says nothing about the training
        }
        ROUNDS.addAndGet(rounds);
        return rounds;
    }

    /** Synthetic rows, once (a loop run per round would itself be hot enough for the JIT's C2 queue). */
    private static void fill(TupleBuffer b, Model.Kind kind, int d) {
        int first = b.appendDenseRows(ROWS);
        double[] x = b.dense();
        for (int i = 0; i < ROWS; i++) {
            int row = first + i;
            for (int k = 0; k < d; k++) {
                x[row * d + k] = ((i * 31 + k * 17) % 13 - 6) * 0.1;
            }
            double y = kind == Model.Kind.REGRESSION ? x[row * d] : i & 1;
            b.setLabelAndId(row, y, i);
        }
        int[] order = b.permutationArray(ROWS);
        for (int i = 0; i < ROWS; i++) {
            order[i] = (int) (i * 613L % ROWS); // 613 is prime to 1024: a permutation
        }
    }
}
