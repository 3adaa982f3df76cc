package org.corgipile.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Machines without OpenCL, simulated for real: a forked JVM whose OpenCL ICD loader reads its vendor list from an
 * empty directory ({@code OCL_ICD_VENDORS}), so Aparapi's native library loads but sees no platform, exactly as on
 * a server with libOpenCL but no driver. Also a JVM configured to keep Aparapi off OpenCL
 * ({@code -Dcom.aparapi.executionMode=JTP}), where Aparapi would otherwise run the kernel on its Java thread pool.
 */
class NoOpenClDeviceTest {

    @TempDir
    Path emptyVendors;

    /** Batch and width of an MLP (hidden 256) big enough for auto to pick OpenCL on any device type. */
    private static final String[] BIG = {"1100", "2048", "256"};

    private ForkedJvm.Result select(String device, String... shape) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("select", device));
        args.addAll(List.of(shape));
        return ForkedJvm.run(Map.of("OCL_ICD_VENDORS", emptyVendors.toString()), List.of(), OpenClProbeMain.class,
                args.toArray(String[]::new));
    }

    @Test
    void gpuWithoutOpenClIsAClearErrorWithAHint() throws Exception {
        ForkedJvm.Result r = select("gpu", "16", "28");
        assertEquals(0, r.exitCode(), r.output());
        String line = line(r, "ERROR ");
        assertTrue(line.contains("sqlstate=0A000"), line);
        assertTrue(line.contains("device => 'gpu' needs an OpenCL device, but no OpenCL platform or device was found"),
                line);
        assertTrue(line.contains("OCL_ICD_VENDORS=" + emptyVendors), line);
        assertTrue(line.contains("hint=install an OpenCL driver"), line);
        assertTrue(line.contains("pocl-opencl-icd"), line);
    }

    @Test
    void autoWithoutOpenClFallsBackToJavaAndSaysSo() throws Exception {
        // a batch big enough that auto would pick OpenCL if there were a device
        ForkedJvm.Result r = select("auto", BIG);
        assertEquals(0, r.exitCode(), r.output());
        String line = line(r, "SELECTED ");
        assertTrue(line.contains("openCl=false"), line);
        assertTrue(line.contains("device=" + GradientDevices.JAVA_DEVICE), line);
        assertTrue(line.contains("note=auto: using Java because no OpenCL platform or device was found"), line);
    }

    @Test
    void cpuNeedsNoOpenCl() throws Exception {
        ForkedJvm.Result r = select("cpu", "16", "28");
        assertTrue(line(r, "SELECTED ").contains("openCl=false"), r.output());
    }

    @Test
    void aparapiKeptOffOpenClIsNotASilentJavaFallback() throws Exception {
        List<String> jtp = List.of("-Dcom.aparapi.executionMode=JTP");
        ForkedJvm.Result gpu = ForkedJvm.run(Map.of(), jtp, OpenClProbeMain.class, "select", "gpu", "16", "28");
        String error = line(gpu, "ERROR ");
        assertTrue(error.contains("sqlstate=0A000"), error);
        assertTrue(error.contains("did not run on OpenCL"), error);
        assertTrue(error.contains("JTP"), error);
        ForkedJvm.Result auto = ForkedJvm.run(Map.of(), jtp, OpenClProbeMain.class, "select", "auto", BIG[0], BIG[1],
                BIG[2]);
        String selected = line(auto, "SELECTED ");
        assertTrue(selected.contains("openCl=false"), selected);
        assertTrue(selected.contains("note=auto: using Java because the OpenCL kernel MlpGradientKernel did not "
                + "run on OpenCL"), selected);
    }

    private static String line(ForkedJvm.Result r, String prefix) {
        return r.lines().stream().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting with '" + prefix + "' in:\n" + r.output()));
    }
}
