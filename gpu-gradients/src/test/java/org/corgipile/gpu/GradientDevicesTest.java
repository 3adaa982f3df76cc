package org.corgipile.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aparapi.device.Device;
import java.util.concurrent.atomic.AtomicInteger;
import org.corgipile.operators.TupleBuffer;
import org.junit.jupiter.api.Test;

/** Device selection on this machine's OpenCL device (POCL in CI). */
class GradientDevicesTest {

    @Test
    void cpuIsTheJavaReference() {
        try (Selection s = GradientDevices.select("CPU", GradientModel.logistic(4), 32)) {
            assertFalse(s.openCl());
            assertEquals(GradientDevices.JAVA_DEVICE, s.deviceName());
            assertTrue(s.gradient() instanceof JavaLogisticGradient);
        }
    }

    @Test
    void gpuRunsOnOpenClAndNamesTheDeviceKind() {
        Device.TYPE type = OpenClDevices.require().getType();
        GradientModel model = GradientModel.softmax(28, 10);
        try (Selection s = GradientDevices.select("gpu", model, 64)) {
            assertTrue(s.openCl());
            assertTrue(s.deviceName().startsWith("OpenCL " + type + " device '"), s.deviceName());
            // bug: the NOTICE said "using the OpenCL CPU device on OpenCL CPU device '...'" (the kind twice)
            assertEquals((type == Device.TYPE.GPU ? "gpu: using " : "gpu: no GPU found, using ") + s.deviceName(),
                    s.note());
            OpenClGlmGradient g = (OpenClGlmGradient) s.gradient();
            sameAsJava(model, s.gradient(), 64);
            assertTrue(g.ranOnOpenCl());
        }
    }

    @Test
    void autoStaysOnJavaForSmallBatchesAndSaysWhy() {
        try (Selection s = GradientDevices.select("auto", GradientModel.logistic(28), 16)) {
            assertTrue(s.gradient() instanceof JavaLogisticGradient);
            assertFalse(s.openCl());
            assertTrue(s.note().startsWith("auto: using Java because batch 16 x 28 multiply-adds per row = 448 is "
                    + "below the "), s.note());
        }
    }

    @Test
    void autoPicksOpenClFromTheThresholdOfTheDeviceType() {
        Device.TYPE type = OpenClDevices.require().getType();
        long threshold = type == Device.TYPE.GPU ? GradientDevices.GPU_MIN_BATCH_MACS
                : GradientDevices.CPU_OPENCL_MIN_BATCH_MACS;
        assertFalse(GradientDevices.worthOpenCl(type, threshold - 1));
        assertTrue(GradientDevices.worthOpenCl(type, threshold));
        GradientModel model = GradientModel.mlp(2048, 10, 256);
        int batch = (int) Math.min(4096, (threshold + model.forwardMacsPerRow() - 1) / model.forwardMacsPerRow());
        assertTrue(GradientDevices.worthOpenCl(type, GradientDevices.batchMacs(model, batch)), "batch " + batch);
        try (Selection s = GradientDevices.select("auto", model, batch)) {
            assertTrue(s.openCl(), s.note());
            assertTrue(s.note().startsWith("auto: OpenCL, batch " + batch + " x "), s.note());
            assertTrue(s.note().endsWith(", on " + s.deviceName()), s.note());
            sameAsJava(model, s.gradient(), 8);
        }
    }

    @Test
    void autoSwitchesToJavaWhenOpenClFailsMidTraining() {
        GradientModel model = GradientModel.logistic(28);
        AtomicInteger calls = new AtomicInteger();
        DenseGradient failing = new DenseGradient() {
            @Override
            public GradientModel model() {
                return model;
            }

            @Override
            public double lossAndGradient(double[] params, TupleBuffer batch, int from, int to, double[] gradOut) {
                calls.incrementAndGet();
                throw new DeviceUnavailableException("Aparapi fell back from OpenCL to Java Thread Pool", "hint");
            }
        };
        FallbackGradient g = new FallbackGradient(failing);
        Selection s = new Selection("auto", g, "OpenCL test device", true, "auto: OpenCL");
        g.reportTo(s);
        sameAsJava(model, g, 16);
        sameAsJava(model, g, 16);
        assertEquals(1, calls.get(), "the failed OpenCL gradient is not called again");
        assertFalse(s.openCl());
        assertEquals(GradientDevices.JAVA_DEVICE, s.deviceName());
        assertEquals("auto: switched to Java during training because Aparapi fell back from OpenCL to Java Thread "
                + "Pool", s.note());
    }

    @Test
    void closedKernelsCannotBeUsed() {
        GradientModel model = GradientModel.linear(3);
        Selection s = GradientDevices.select("gpu", model, 4);
        s.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> sameAsJava(model, s.gradient(), 4));
        assertTrue(e.getMessage().contains("disposed"), e.getMessage());
    }

    @Test
    void argumentsAreValidatedWithTheAllowedValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GradientDevices.select("tpu", GradientModel.linear(3), 4));
        assertEquals("device must be one of cpu, gpu, auto, got 'tpu'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> GradientDevices.select("cpu", GradientModel.linear(3), 0));
        assertEquals("batch must be at least 1, got 0", e.getMessage());
    }

    @Test
    void batchesLargerThanTheInitialCapacityGrowTheDeviceArrays() {
        GradientModel glm = GradientModel.svm(28);
        GradientModel mlp = GradientModel.mlp(28, 4, 8, 8);
        try (Selection a = GradientDevices.select("gpu", glm, 2); Selection b = GradientDevices.select("gpu", mlp, 2)) {
            for (int n : new int[] {2, 5, 300, 7, 1000}) {
                sameAsJava(glm, a.gradient(), n);
                sameAsJava(mlp, b.gradient(), n);
            }
        }
    }

    private static void sameAsJava(GradientModel model, DenseGradient g, int rows) {
        TupleBuffer batch = Batches.batch(model, rows, rows);
        double[] params = Batches.params(model, 5);
        double[] expected = new double[model.paramCount()];
        double[] actual = new double[model.paramCount()];
        int from = Batches.MARGIN;
        double loss = GradientDevices.javaGradient(model).lossAndGradient(params, batch, from, from + rows,
                expected);
        assertEquals(loss, g.lossAndGradient(params, batch, from, from + rows, actual), 1e-9 * Math.abs(loss));
        OpenClGradientEqualityTest.assertClose(expected, actual, model + " rows " + rows);
    }
}
