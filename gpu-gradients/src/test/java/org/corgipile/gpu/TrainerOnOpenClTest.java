package org.corgipile.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.corgipile.operators.EpochStats;
import org.corgipile.operators.InMemoryBlockSource;
import org.corgipile.operators.TrainResult;
import org.corgipile.operators.TrainSpec;
import org.corgipile.operators.TrainSpecBuilder;
import org.corgipile.operators.Trainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole trainer with {@code device => 'gpu'} through the {@link java.util.ServiceLoader} registration: the
 * same CorgiPile training as on the CPU (same seed, shuffle and updates), so the model must reach the same accuracy,
 * and the model's provenance names the OpenCL device. The data: 3 classes separated by a non-linear rule (an MLP
 * beats a linear softmax on it).
 */
class TrainerOnOpenClTest {
    private static InMemoryBlockSource data;

    @BeforeAll
    static void data() {
        SplittableRandom rnd = new SplittableRandom(5);
        int rows = 3000;
        int d = 16;
        double[][] x = new double[rows][d];
        double[] y = new double[rows];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < d; j++) {
                x[i][j] = rnd.nextDouble(-1, 1);
            }
            double r = x[i][0] * x[i][0] + x[i][1] * x[i][1];
            y[i] = r < 0.4 ? 0 : x[i][2] > 0 ? 1 : 2;
        }
        data = InMemoryBlockSource.dense(x, y, 100);
    }

    private static TrainResult train(String model, String device) {
        TrainSpecBuilder b = TrainSpec.builder().model(model).device(device).epochs(12).batchSize(32)
                .learningRate(0.1).schedule("constant").seed(42).blockSize(2).trainMetrics("pass");
        if (model.equals("mlp")) {
            b.hidden(32);
        }
        return Trainer.train(b.build(), data, null, null);
    }

    private static double accuracy(TrainResult r) {
        List<EpochStats> e = r.epochs();
        return e.get(e.size() - 1).accuracy();
    }

    @Test
    void mlpOnGpuReachesTheCpuAccuracyAndBeatsSoftmax() {
        TrainResult gpu = train("mlp", "gpu");
        TrainResult cpu = train("mlp", "cpu");
        TrainResult softmax = train("softmax", "gpu");
        String device = (String) gpu.model().params().get("device");
        assertTrue(device.startsWith("gpu:OpenCL "), device);
        assertEquals("cpu", cpu.model().params().get("device"));
        assertEquals(accuracy(cpu), accuracy(gpu), 0.005, "gpu and cpu accuracy");
        assertTrue(accuracy(gpu) > accuracy(softmax) + 0.1,
                "mlp " + accuracy(gpu) + " vs softmax " + accuracy(softmax));
        assertTrue(accuracy(gpu) > 0.9, "mlp accuracy " + accuracy(gpu));
    }

    @Test
    void autoWithSmallBatchesStaysOnTheCpu() {
        TrainResult auto = train("softmax", "auto");
        assertEquals("cpu", auto.model().params().get("device"));
    }
}
