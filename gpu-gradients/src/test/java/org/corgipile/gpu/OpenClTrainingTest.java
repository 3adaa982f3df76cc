package org.corgipile.gpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.corgipile.operators.TupleBuffer;
import org.junit.jupiter.api.Test;

/**
 * Training, not just one gradient: plain mini-batch SGD from the same start on both devices. The parameter
 * trajectories must stay together (rounding differences do not build up into different models) and the loss must
 * fall, for a softmax model and a two-hidden-layer MLP.
 */
class OpenClTrainingTest {

    @Test
    void softmaxTrainsTheSameOnBothDevices() {
        sameTrajectory(GradientModel.softmax(20, 4), 0.5);
    }

    @Test
    void mlpTrainsTheSameOnBothDevices() {
        sameTrajectory(GradientModel.mlp(20, 4, 16, 8), 0.2);
    }

    private static void sameTrajectory(GradientModel model, double rate) {
        int rows = 512;
        int batch = 64;
        TupleBuffer data = learnable(model, rows);
        double[] cpu = Batches.params(model, 3);
        double[] gpu = cpu.clone();
        double[] g1 = new double[model.paramCount()];
        double[] g2 = new double[model.paramCount()];
        double first = Double.NaN;
        double last = Double.NaN;
        try (Selection s = GradientDevices.select("gpu", model, batch)) {
            DenseGradient java = GradientDevices.javaGradient(model);
            for (int epoch = 0; epoch < 10; epoch++) {
                double epochLoss = 0;
                for (int from = 0; from < rows; from += batch) {
                    epochLoss += java.lossAndGradient(cpu, data, from, from + batch, g1);
                    s.gradient().lossAndGradient(gpu, data, from, from + batch, g2);
                    for (int i = 0; i < cpu.length; i++) {
                        cpu[i] -= rate * g1[i];
                        gpu[i] -= rate * g2[i];
                    }
                }
                if (epoch == 0) {
                    first = epochLoss;
                }
                last = epochLoss;
            }
            assertTrue(s.openCl());
        }
        OpenClGradientEqualityTest.assertClose(cpu, gpu, model + " parameters after 10 epochs");
        assertTrue(last < 0.5 * first, "loss fell from " + first + " to " + last);
    }

    /** Rows whose class is the argmax of a fixed linear map of the features: learnable by both models. */
    private static TupleBuffer learnable(GradientModel model, int rows) {
        TupleBuffer random = Batches.batch(model, rows, 99);
        TupleBuffer b = new TupleBuffer(random.shape(), rows);
        int d = model.width();
        double[] x = random.dense();
        for (int r = 0; r < rows; r++) {
            int best = 0;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < model.classes(); c++) {
                double score = 0;
                for (int j = 0; j < d; j++) {
                    score += x[r * d + j] * ((j + c) % 3 - 1);
                }
                if (score > bestScore) {
                    bestScore = score;
                    best = c;
                }
            }
            b.addDense(best, r, x, r * d);
        }
        return b;
    }
}
