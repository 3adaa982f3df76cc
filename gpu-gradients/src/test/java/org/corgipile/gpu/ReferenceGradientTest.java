package org.corgipile.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.corgipile.operators.FeatureShape;
import org.corgipile.operators.TupleBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The Java references are the oracle of the kernels, so they are checked against the definition of a gradient:
 * central finite differences of their own mean loss.
 */
class ReferenceGradientTest {

    static Stream<GradientModel> models() {
        return Stream.of(GradientModel.linear(5), GradientModel.logistic(5), GradientModel.svm(5),
                GradientModel.softmax(5, 4), GradientModel.mlp(5, 3, 6), GradientModel.mlp(5, 3, 6, 4),
                GradientModel.mlp(5, 1, 6));
    }

    @ParameterizedTest
    @MethodSource("models")
    void gradientIsTheDerivativeOfTheLoss(GradientModel model) {
        TupleBuffer batch = Batches.batch(model, 9, 11);
        double[] params = Batches.params(model, 12);
        DenseGradient g = GradientDevices.javaGradient(model);
        int from = Batches.MARGIN;
        int to = from + 9;
        double[] grad = new double[model.paramCount()];
        double loss = g.lossAndGradient(params, batch, from, to, grad);
        assertTrue(loss > 0, "loss " + loss);
        double[] scratch = new double[model.paramCount()];
        double h = 1e-6;
        for (int i = 0; i < params.length; i++) {
            double keep = params[i];
            params[i] = keep + h;
            double up = g.lossAndGradient(params, batch, from, to, scratch);
            params[i] = keep - h;
            double down = g.lossAndGradient(params, batch, from, to, scratch);
            params[i] = keep;
            double numeric = (up - down) / (2 * h);
            assertEquals(numeric, grad[i], 1e-6 * Math.max(1, Math.abs(numeric)),
                    model + " parameter " + i);
        }
    }

    @Test
    void knownValuesOfTheGlmLosses() {
        TupleBuffer b = new TupleBuffer(FeatureShape.dense(1), 1);
        b.addDense(1.0, 0, new double[] {2.0}, 0);
        double[] grad = new double[2];
        // z = 0.5 * 2 + 0 = 1
        double[] params = {0.5, 0.0};
        assertEquals(0.5 * (1 - 1) * (1 - 1), new JavaLinearGradient(1).lossAndGradient(params, b, 0, 1, grad));
        assertEquals(Math.log(1 + Math.exp(-1)), new JavaLogisticGradient(1).lossAndGradient(params, b, 0, 1, grad),
                1e-15);
        assertEquals((1 / (1 + Math.exp(-1)) - 1) * 2, grad[0], 1e-15);
        // margin exactly 1: hinge loss 0, no gradient
        assertEquals(0.0, new JavaSvmGradient(1).lossAndGradient(params, b, 0, 1, grad));
        assertEquals(0.0, grad[0]);
        assertEquals(Math.log(2), new JavaSoftmaxGradient(1, 2).lossAndGradient(new double[4], b, 0, 1,
                new double[4]), 1e-15);
    }

    @Test
    void rejectsLabelsOutsideTheClasses() {
        GradientModel m = GradientModel.softmax(2, 3);
        TupleBuffer b = new TupleBuffer(FeatureShape.dense(2), 1);
        b.addDense(3.0, 0, new double[] {1, 1}, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GradientDevices.javaGradient(m).lossAndGradient(new double[m.paramCount()], b, 0, 1,
                        new double[m.paramCount()]));
        assertTrue(e.getMessage().contains("[0, 3)"), e.getMessage());
    }

    @Test
    void rejectsBadShapesNamingTheArgument() {
        GradientModel m = GradientModel.logistic(3);
        TupleBuffer b = Batches.batch(GradientModel.logistic(4), 2, 1);
        DenseGradient g = GradientDevices.javaGradient(m);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> g.lossAndGradient(new double[4], b, 0, 2, new double[4]));
        assertTrue(e.getMessage().startsWith("batch width must equal the model width 3"), e.getMessage());
        TupleBuffer ok = Batches.batch(m, 2, 1);
        e = assertThrows(IllegalArgumentException.class,
                () -> g.lossAndGradient(new double[4], ok, 2, 2, new double[4]));
        assertTrue(e.getMessage().startsWith("rows [from, to)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> g.lossAndGradient(new double[3], ok, 0, 2, new double[4]));
        assertTrue(e.getMessage().startsWith("params must have 4 values"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GradientModel.mlp(3, 2, 4, 4, 4));
        assertTrue(e.getMessage().startsWith("mlp hidden must have 1 or 2 layers"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GradientModel.Kind.of("svr"));
        assertTrue(e.getMessage().startsWith("model must be one of"), e.getMessage());
    }
}
