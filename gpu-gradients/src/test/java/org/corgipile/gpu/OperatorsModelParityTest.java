package org.corgipile.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.corgipile.operators.TupleBuffer;
import org.corgipile.operators.model.Model;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The gradients here compute what the {@code operators} CPU models compute, in the same parameter layout and label
 * conventions: the OpenCL path can replace a model's own gradient in training without any conversion. This test is
 * the contract between the two implementations of every model's gradient (see {@link DenseGradient}).
 */
class OperatorsModelParityTest {

    static Stream<Arguments> models() {
        return Stream.of(
                Arguments.of(Model.create("linear", 30, 0, null)),
                Arguments.of(Model.create("logistic", 30, 2, null)),
                Arguments.of(Model.create("svm", 30, 2, null)),
                Arguments.of(Model.create("softmax", 30, 7, null)),
                Arguments.of(Model.create("mlp", 30, 2, new int[] {16})),
                Arguments.of(Model.create("mlp", 30, 5, new int[] {16})),
                Arguments.of(Model.create("mlp", 30, 4, new int[] {12, 8})));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void javaReferenceAndOpenClEqualTheOperatorsModel(Model model) {
        GradientModel shape = GradientModel.of(model);
        int rows = 50;
        TupleBuffer batch = Batches.batch(shape, rows, 17);
        if (model.type().equals("svm") || model.type().equals("logistic")
                || (model.type().equals("mlp") && model.classes() == 2)) {
            relabel(batch, rows);
        }
        double[] params = Batches.params(shape, 23);
        int from = Batches.MARGIN;
        int to = from + rows;
        double[] expected = new double[model.parameterCount()];
        double expectedLoss = model.lossAndGradient(params, batch, from, to, expected);

        double[] java = new double[model.parameterCount()];
        double javaLoss = GradientDevices.javaGradient(shape).lossAndGradient(params, batch, from, to, java);
        assertEquals(expectedLoss, javaLoss, 1e-12 * Math.abs(expectedLoss), "loss of the Java reference");
        OpenClGradientEqualityTest.assertClose(expected, java, "Java reference vs operators " + model.type());

        double[] cl = new double[model.parameterCount()];
        try (DenseGradient g = GradientDevices.openClGradient(shape, OpenClDevices.require(), rows)) {
            double clLoss = g.lossAndGradient(params, batch, from, to, cl);
            assertEquals(expectedLoss, clLoss, 1e-9 * Math.abs(expectedLoss), "loss of the kernel");
        }
        OpenClGradientEqualityTest.assertClose(expected, cl, "OpenCL vs operators " + model.type());
    }

    /** Binary tables labelled -1/+1 instead of 0/1: both conventions must read the same. */
    private static void relabel(TupleBuffer b, int rows) {
        TupleBuffer copy = new TupleBuffer(b.shape(), b.size());
        for (int i = 0; i < b.size(); i++) {
            copy.addFrom(b, i);
        }
        b.clear();
        int d = copy.shape().dimension();
        for (int i = 0; i < copy.size(); i++) {
            b.addDense(copy.label(i) > 0 ? 1 : -1, copy.id(i), copy.dense(), i * d);
        }
    }
}
