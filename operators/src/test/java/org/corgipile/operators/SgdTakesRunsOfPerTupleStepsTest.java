package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.corgipile.operators.model.Model;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 13: per-tuple SGD on the linear models' fast path (batch 1, no L2: the defaults) hands the model whole runs
 * of rows ({@code InPlaceLinearStep.perTupleSteps}, up to each stop check) instead of one {@link Sgd#nextBatch} per
 * row. The weights, the averaged model, the running loss and the tuple count must be bit for bit those of one
 * {@code nextBatch} per row — with and without averaging, with class weights (the general step), on dense and
 * sparse rows, over several buffers and epochs — and a diverging loss must still stop training with SQLSTATE 22003.
 */
class SgdTakesRunsOfPerTupleStepsTest {
    @ParameterizedTest(name = "{0} dims {1} average {2} class weights {3} sparse {4}")
    @CsvSource({
        "logistic, 28, true, false, false",
        "logistic, 28, false, false, false",
        "svm, 18, true, false, false",
        "linear, 7, true, false, false",
        "logistic, 18, true, true, false",
        "logistic, 40, true, false, true",
    })
    void runsOfStepsAreTheSingleStepsBitForBit(String type, int dims, boolean average, boolean weighted,
                                               boolean sparse) {
        TupleBuffer[] buffers = {rows(dims, 700, sparse, 1), rows(dims, 1000, sparse, 2)};
        TrainSpec spec = TrainSpec.builder().model(type).learningRate(0.05).average(average).seed(1).build();
        Model runsModel = Model.create(type, dims, 2, null);
        Model singleModel = Model.create(type, dims, 2, null);
        if (weighted) {
            runsModel.classWeights(new double[] {0.5, 2});
            singleModel.classWeights(new double[] {0.5, 2});
        }
        Sgd runs = new Sgd(runsModel, runsModel, spec);
        Sgd single = new Sgd(singleModel, singleModel, spec);
        runs.open(new double[runsModel.parameterCount()]);
        single.open(new double[singleModel.parameterCount()]);
        for (int epoch = 1; epoch <= 3; epoch++) {
            runs.rescan(epoch);
            single.rescan(epoch);
            for (TupleBuffer b : buffers) {
                runs.consume(b);
                for (int from = 0; from < b.size(); ) {
                    from = single.nextBatch(b, from);
                }
            }
            assertEquals(single.tuples(), runs.tuples(), "tuples in epoch " + epoch);
            assertEquals(Double.doubleToRawLongBits(single.runningLoss()),
                    Double.doubleToRawLongBits(runs.runningLoss()), "running loss in epoch " + epoch);
            assertBitForBit(single.params(), runs.params(), "weights after epoch " + epoch);
            assertBitForBit(single.model(), runs.model(), "model of epoch " + epoch);
        }
    }

    @ParameterizedTest
    @CsvSource({"logistic", "linear"})
    void aDivergingLossStillStopsTraining(String type) {
        TupleBuffer b = rows(7, 500, false, 3);
        for (int i = 0; i < b.size(); i++) {
            b.dense()[i * 7] *= 1e200;
        }
        TrainSpec spec = TrainSpec.builder().model(type).learningRate(0.05).seed(1).build();
        Model m = Model.create(type, 7, 2, null);
        Sgd sgd = new Sgd(m, m, spec);
        sgd.open(new double[m.parameterCount()]);
        TrainingException e = assertThrows(TrainingException.class, () -> sgd.consume(b));
        assertEquals(TrainingException.NUMERIC_VALUE_OUT_OF_RANGE, e.sqlState());
        assertTrue(e.getMessage().startsWith("training diverged in epoch 1: "), e.getMessage());
    }

    private static void assertBitForBit(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int k = 0; k < expected.length; k++) {
            assertEquals(Double.doubleToRawLongBits(expected[k]), Double.doubleToRawLongBits(actual[k]),
                    what + " [" + k + "]");
        }
    }

    private static TupleBuffer rows(int d, int n, boolean sparse, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        TupleBuffer b = new TupleBuffer(sparse ? FeatureShape.sparse(d) : FeatureShape.dense(d), n);
        double[] x = new double[d];
        for (int i = 0; i < n; i++) {
            double m = 0;
            for (int k = 0; k < d; k++) {
                x[k] = rnd.nextGaussian();
                m += x[k] * (k % 3 - 1);
            }
            double label = m + 0.5 * rnd.nextGaussian() > 0 ? 1 : 0;
            if (sparse) {
                int a = rnd.nextInt(d / 2);
                int c = d / 2 + rnd.nextInt(d / 2);
                b.addSparse(label, i, new int[] {a, c}, new double[] {x[0], x[1]}, 0, 2);
            } else {
                b.addDense(label, i, x, 0);
            }
        }
        return b;
    }
}
