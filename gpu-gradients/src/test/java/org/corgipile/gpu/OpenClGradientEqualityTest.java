package org.corgipile.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.aparapi.device.OpenCLDevice;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.corgipile.operators.TupleBuffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kernel against its Java reference on the machine's OpenCL device (POCL in CI): the launches must really
 * have run on OpenCL, and loss and gradient must agree within 1e-9 relative (the kernels compute in double).
 *
 * <p>Sizes from the issue: batches 1, 7, 128, 4096 and widths 1, 28, 784, 2000. The GLMs run the full grid; the
 * MLPs, whose reference is much slower, run a Latin-square sample in which every batch size and every width
 * occurs (each at least once per MLP variant). Every case runs in both shapes of the gradient phase (row chunks
 * for CPUs, one work item per parameter for GPUs), whatever the device.
 */
class OpenClGradientEqualityTest {
    private static final double RELATIVE = 1e-9;
    private static final int[] BATCHES = {1, 7, 128, 4096};
    private static final int[] WIDTHS = {1, 28, 784, 2000};
    /** Both shapes of the gradient phase run on any device; each is checked on the one at hand. */
    private static final List<String> SHAPES = List.of("row-chunks", "per-parameter");

    private static OpenCLDevice device;

    @BeforeAll
    static void requireOpenCl() {
        OpenClDevices.Probe probe = OpenClDevices.probe();
        if (!probe.available()) {
            fail("these tests need an OpenCL device (POCL: apt-get install pocl-opencl-icd): " + probe.reason());
        }
        device = probe.device();
    }

    static Stream<Arguments> glmCases() {
        List<Arguments> cases = new ArrayList<>();
        for (String kind : List.of("linear", "logistic", "svm", "softmax")) {
            for (int width : WIDTHS) {
                for (int batch : BATCHES) {
                    for (String shape : SHAPES) {
                        cases.add(Arguments.of(kind, width, batch, shape));
                    }
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} width={1} batch={2} {3}")
    @MethodSource("glmCases")
    void glmKernelMatchesReference(String kind, int width, int batch, String shape) {
        GradientModel model = switch (kind) {
            case "linear" -> GradientModel.linear(width);
            case "logistic" -> GradientModel.logistic(width);
            case "svm" -> GradientModel.svm(width);
            default -> GradientModel.softmax(width, 10);
        };
        check(model, batch, shape.equals("row-chunks"));
    }

    static Stream<Arguments> mlpCases() {
        List<Arguments> cases = new ArrayList<>();
        // batch i pairs with width (i + shift) mod 4: every batch and every width once per shift
        int[][] hidden = {{64}, {32, 16}};
        int[] classes = {10, 1};
        for (int v = 0; v < hidden.length; v++) {
            for (int i = 0; i < BATCHES.length; i++) {
                int width = WIDTHS[(i + v + 1) % WIDTHS.length];
                for (String shape : SHAPES) {
                    cases.add(Arguments.of(hidden[v], classes[v], width, BATCHES[i], shape));
                }
            }
        }
        for (String shape : SHAPES) {
            cases.add(Arguments.of(new int[] {64}, 10, 784, 4096, shape));
            cases.add(Arguments.of(new int[] {16, 8}, 3, 2000, 128, shape));
            cases.add(Arguments.of(new int[] {8}, 1, 28, 7, shape));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "mlp hidden={0} classes={1} width={2} batch={3} {4}")
    @MethodSource("mlpCases")
    void mlpKernelMatchesReference(int[] hidden, int classes, int width, int batch, String shape) {
        check(GradientModel.mlp(width, classes, hidden), batch, shape.equals("row-chunks"));
    }

    private static void check(GradientModel model, int batch, boolean rowChunks) {
        TupleBuffer rows = Batches.batch(model, batch, 31L * model.width() + batch);
        double[] params = Batches.params(model, 7);
        int from = Batches.MARGIN;
        int to = from + batch;
        double[] expected = new double[model.paramCount()];
        double expectedLoss = GradientDevices.javaGradient(model).lossAndGradient(params, rows, from, to, expected);
        double[] actual = new double[model.paramCount()];
        double actualLoss;
        long launches;
        boolean ranOnOpenCl;
        try (DenseGradient g = model.kind() == GradientModel.Kind.MLP
                ? new OpenClMlpGradient(model, device, batch, rowChunks)
                : new OpenClGlmGradient(model, device, batch, rowChunks)) {
            actualLoss = g.lossAndGradient(params, rows, from, to, actual);
            launches = g instanceof OpenClGlmGradient glm ? glm.launches() : ((OpenClMlpGradient) g).launches();
            ranOnOpenCl = g instanceof OpenClGlmGradient glm ? glm.ranOnOpenCl()
                    : ((OpenClMlpGradient) g).ranOnOpenCl();
        }
        assertTrue(ranOnOpenCl, "the kernel must have run on OpenCL, not Aparapi's Java fallback");
        int layers = model.kind() == GradientModel.Kind.MLP ? model.layerWidths().length - 1 : 0;
        long expectedLaunches = layers == 0 ? (rowChunks ? 3 : 2) : (rowChunks ? 4L : 3L) * layers;
        assertEquals(expectedLaunches, launches, "launches of one mini-batch");
        assertEquals(expectedLoss, actualLoss, RELATIVE * Math.abs(expectedLoss), "mean loss");
        assertClose(expected, actual, model + " batch " + batch);
    }

    /** Element-wise relative error, with a floor of 1e-3 of the largest entry for entries that cancel to ~0. */
    static void assertClose(double[] expected, double[] actual, String what) {
        double max = 0;
        for (double v : expected) {
            max = Math.max(max, Math.abs(v));
        }
        assertTrue(max > 0, what + ": reference gradient is all zeros, the case tests nothing");
        double floor = 1e-3 * max;
        for (int i = 0; i < expected.length; i++) {
            double tol = RELATIVE * Math.max(Math.abs(expected[i]), floor);
            if (!(Math.abs(expected[i] - actual[i]) <= tol)) {
                fail(what + ": gradient[" + i + "] OpenCL " + actual[i] + " vs Java " + expected[i]
                        + " (tolerance " + tol + ")");
            }
        }
    }
}
