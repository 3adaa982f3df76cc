package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.corgipile.operators.model.Model;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every model's analytic gradient against central finite differences, dense and sparse, one row and a batch. */
class GradientTest {
    static Stream<Arguments> models() {
        return Stream.of(
                Arguments.of("logistic", 0, null, false), Arguments.of("logistic", 0, null, true),
                Arguments.of("svm", 0, null, false), Arguments.of("svm", 0, null, true),
                Arguments.of("linear", 0, null, false), Arguments.of("linear", 0, null, true),
                Arguments.of("softmax", 4, null, false), Arguments.of("softmax", 3, null, true),
                Arguments.of("mlp", 2, new int[] {5}, false), Arguments.of("mlp", 2, new int[] {6, 4}, false),
                Arguments.of("mlp", 3, new int[] {5}, false), Arguments.of("mlp", 4, new int[] {6, 3}, true));
    }

    @ParameterizedTest(name = "{0} classes={1} sparse={3}")
    @MethodSource("models")
    void gradientMatchesFiniteDifferences(String type, int classes, int[] hidden, boolean sparse) {
        int d = 7;
        Model model = Model.create(type, d, classes, hidden);
        SplittableRandom rnd = new SplittableRandom(3);
        TupleBuffer batch = new TupleBuffer(sparse ? FeatureShape.sparse(d) : FeatureShape.dense(d), 8);
        for (int i = 0; i < 6; i++) {
            double label = switch (model.kind()) {
                case BINARY -> i % 2 == 0 ? 1 : (type.equals("svm") ? -1 : 0);
                case MULTICLASS -> i % model.classes();
                case REGRESSION -> rnd.nextGaussian() * 3;
            };
            if (sparse) {
                int[] idx = {i % d, (i + 3) % d, (i + 5) % d};
                double[] val = {rnd.nextGaussian(), rnd.nextGaussian(), rnd.nextGaussian()};
                batch.addSparse(label, i, idx, val, 0, 3);
            } else {
                double[] x = new double[d];
                for (int k = 0; k < d; k++) {
                    x[k] = rnd.nextGaussian();
                }
                batch.addDense(label, i, x, 0);
            }
        }
        double[] params = new double[model.parameterCount()];
        model.initialize(params, 5);
        for (int i = 0; i < params.length; i++) {
            params[i] += 0.3 * rnd.nextGaussian();  // away from the all-zero point, where hinge and ReLU kink
        }
        for (int[] range : new int[][] {{2, 3}, {0, 6}}) {
            double[] grad = new double[params.length];
            double loss = model.lossAndGradient(params, batch, range[0], range[1], grad);
            assertTrue(Double.isFinite(loss));
            double h = 1e-6;
            double[] scratch = new double[params.length];
            for (int p = 0; p < params.length; p++) {
                double keep = params[p];
                params[p] = keep + h;
                double up = model.lossAndGradient(params, batch, range[0], range[1], scratch);
                params[p] = keep - h;
                double down = model.lossAndGradient(params, batch, range[0], range[1], scratch);
                params[p] = keep;
                double numeric = (up - down) / (2 * h);
                assertEquals(numeric, grad[p], 1e-5 * Math.max(1, Math.abs(numeric)),
                        type + ": parameter " + p + " of rows " + range[0] + ".." + range[1]);
            }
            // the loss reported with the gradient is the mean of the per-row losses of evaluateRow
            double sum = 0;
            double[] out = new double[2];
            for (int i = range[0]; i < range[1]; i++) {
                sum += model.evaluateRow(params, batch, i, out);
            }
            assertEquals(sum / (range[1] - range[0]), loss, 1e-12);
        }
    }
}
