package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;

import org.corgipile.operators.model.Model;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 13: {@link Sgd#consume} trains on a buffer whose tuple permutation is still pending by gathering chunks of
 * rows in the permuted order, instead of moving every row of the buffer in place ({@link TupleBuffer#settle()}).
 * The model must be bit for bit the one of settle-then-consume: same rows, same order, same mini-batches, also
 * when the chunks are smaller than the buffer (wide rows) and the buffer's size is not a multiple of the batch, and
 * when the permutation keeps slices of rows together (TupleShuffle for per-tuple SGD: the gather copies a run of
 * consecutive rows at once, also a run cut by a chunk's end or by the buffer's last, shorter slice).
 */
class SgdGathersPermutedBuffersTest {
    @ParameterizedTest
    @CsvSource({"logistic, 3, 1, 1, 1", "logistic, 2000, 1, 3, 1", "logistic, 2000, 7, 1, 1", "softmax, 900, 3, 1, 1",
            "svm, 28, 4, 2, 1", "mlp, 40, 2, 1, 1", "logistic, 28, 1, 2, 18", "logistic, 2000, 1, 2, 5",
            "linear, 18, 1, 3, 28", "softmax, 12, 1, 1, 32"})
    void gatheredEqualsSettled(String type, int dims, int batch, int buffers, int slice) {
        int rows = 203;
        FeatureShape shape = FeatureShape.dense(dims);
        TrainSpec spec = TrainSpec.builder().model(type).batchSize(batch).learningRate(0.05).l2(1e-3).build();
        int classes = type.equals("softmax") ? 3 : 2;
        Model model = Model.create(type, dims, classes, type.equals("mlp") ? new int[] {8} : null);
        double[] settled = train(model, spec, shape, rows, buffers, slice, true);
        double[] gathered = train(model, spec, shape, rows, buffers, slice, false);
        assertArrayEquals(settled, gathered, type + " d=" + dims + " batch=" + batch);
    }

    private static double[] train(Model model, TrainSpec spec, FeatureShape shape, int rows, int buffers, int slice,
                                  boolean settle) {
        double[] params = new double[model.parameterCount()];
        model.initialize(params, 7);
        Sgd sgd = new Sgd(model, model, spec);
        sgd.open(params);
        SplittableRandom data = new SplittableRandom(11);
        SplittableRandom perm = new SplittableRandom(13);
        TupleBuffer buf = new TupleBuffer(shape, 16);
        for (int b = 0; b < buffers; b++) {
            buf.clear();
            double[] x = new double[shape.dimension()];
            for (int i = 0; i < rows; i++) {
                for (int k = 0; k < x.length; k++) {
                    x[k] = data.nextDouble(-1, 1);
                }
                buf.addDense(i % (model.type().equals("softmax") ? 3 : 2), i, x, 0);
            }
            FisherYates.permuteRuns(buf.permutationArray(rows), rows, slice, perm);
            buf.deferPermutation();
            if (settle) {
                buf.settle();
            }
            sgd.consume(buf);
        }
        assertEquals((long) rows * buffers, sgd.tuples());
        return sgd.model().clone();
    }
}
