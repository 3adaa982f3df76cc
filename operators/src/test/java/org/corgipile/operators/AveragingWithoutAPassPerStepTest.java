package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.corgipile.operators.model.Model;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Iterate averaging on the linear models' fast path keeps the sum of the sampled iterates as {@code sum + q * v}
 * and updates {@code sum} only where a step changes v (the ASGD bookkeeping, no pass over the weights per step).
 * It must give the mean of the very iterates the generic path (a gradient vector, then an explicit pass adding the
 * dense iterate) samples: with L2's scaled representation (folded back every buffer, and mid-buffer when the scale
 * underflows), the unscaled bias, sparse rows, mini-batches, and a model large enough to be sampled only every
 * few steps (parameters / 256).
 */
class AveragingWithoutAPassPerStepTest {
    /** Hands out the model's own gradient behind a wrapper, which forces Sgd's generic gradient-vector path. */
    private static final class GenericPath implements GradientProvider {
        @Override
        public String device() {
            return "cpu";
        }

        @Override
        public String name() {
            return "generic";
        }

        @Override
        public BatchGradient create(Model model, FeatureShape shape, int maxBatchRows) {
            return model::lossAndGradient;
        }
    }

    @ParameterizedTest(name = "{0} dims {1} l2 {2} lr {3} batch {4}")
    @CsvSource({
        "logistic, 40, 0, 0.05, 1",
        "logistic, 40, 0.01, 0.05, 1",
        "logistic, 40, 0.01, 0.05, 16",
        "svm, 40, 0.01, 0.05, 1",
        "linear, 40, 0, 0.02, 4",
        // 1,101 parameters: sampled every 4th step
        "logistic, 1100, 0, 0.05, 1",
        "logistic, 1100, 0.01, 0.05, 3",
        // shrink 0.8 per step: the scale underflows (folded back mid-buffer) every ~300 steps
        "logistic, 40, 2, 0.1, 1",
    })
    void theFastPathAveragesTheSameIteratesAsTheGenericPath(String model, int dims, double l2, double lr,
                                                           int batch) {
        SplittableRandom rnd = new SplittableRandom(8);
        InMemoryBlockSource sparse = new InMemoryBlockSource(FeatureShape.sparse(dims), 20);
        for (int i = 0; i < 3000; i++) {
            int a = rnd.nextInt(dims / 2);
            int b = dims / 2 + rnd.nextInt(dims / 2);
            double[] val = {rnd.nextGaussian(), rnd.nextGaussian()};
            double label = val[0] + 0.5 * val[1] + 0.3 * rnd.nextGaussian() > 0 ? 1 : 0;
            sparse.addSparse(label, new int[] {a, b}, val);
        }
        TrainSpec spec = TrainSpec.builder().model(model).epochs(3).blockSize(4).seed(5).learningRate(lr).l2(l2)
                .batchSize(batch).standardize(false).trainMetrics("running").build();
        assertTrue(spec.average(), "averaging is the default");
        TrainResult generic = Trainer.train(spec, sparse, null, null, new GenericPath());
        TrainResult fast = Trainer.train(spec, sparse, null, null);
        double[] g = generic.model().parameters();
        double[] f = fast.model().parameters();
        for (int k = 0; k < f.length; k++) {
            assertEquals(g[k], f[k], 1e-9 * Math.max(1, Math.abs(g[k])), "w" + k);
        }
        // and it is an average: not the last iterate
        TrainResult last = Trainer.train(TrainSpec.builder().model(model).epochs(3).blockSize(4).seed(5)
                .learningRate(lr).l2(l2).batchSize(batch).standardize(false).trainMetrics("running").average(false)
                .build(), sparse, null, null);
        double diff = 0;
        for (int k = 0; k < f.length; k++) {
            diff = Math.max(diff, Math.abs(f[k] - last.model().parameters()[k]));
        }
        assertTrue(diff > 1e-6, "the averaged model differs from the last iterate: " + diff);
    }
}
