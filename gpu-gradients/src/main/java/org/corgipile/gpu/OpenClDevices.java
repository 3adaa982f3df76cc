package org.corgipile.gpu;

import com.aparapi.device.Device;
import com.aparapi.device.OpenCLDevice;
import com.aparapi.internal.opencl.OpenCLLoader;
import java.util.Comparator;
import java.util.List;

/**
 * Finds the OpenCL device a training should use: a GPU if there is one, else an accelerator, else an OpenCL CPU
 * device such as POCL. The answer is computed once per JVM: the OpenCL ICD loader reads its vendor list
 * ({@code /etc/OpenCL/vendors}, or the directory in {@code OCL_ICD_VENDORS}) once, when Aparapi's native library
 * first loads, so it cannot change later in the same process. To simulate a machine without OpenCL, start the JVM
 * with {@code OCL_ICD_VENDORS} pointing at an empty directory.
 */
public final class OpenClDevices {
    private static Probe probe;

    private OpenClDevices() {
    }

    /**
     * What the probe found: the chosen device, or none and why.
     *
     * @param device chosen device, or null
     * @param all    every OpenCL device seen, described
     * @param reason why there is no device (null when there is one)
     */
    public record Probe(OpenCLDevice device, List<String> all, String reason) {
        public boolean available() {
            return device != null;
        }
    }

    /** Probes OpenCL once per JVM (loading Aparapi's native library) and returns the result. */
    public static synchronized Probe probe() {
        if (probe == null) {
            probe = doProbe();
        }
        return probe;
    }

    /** Where Aparapi's JNI library was loaded from by this module, or null if Aparapi loaded it its own way. */
    public static java.nio.file.Path nativeLibrary() {
        probe();
        return AparapiNativeLibrary.load();
    }

    /** The chosen device, or a {@link DeviceUnavailableException} that says why there is none. */
    public static OpenCLDevice require() {
        Probe p = probe();
        if (p.device() == null) {
            throw new DeviceUnavailableException("device => 'gpu' needs an OpenCL device, but " + p.reason(),
                    "install an OpenCL driver for the server (a GPU vendor's ICD, or pocl-opencl-icd for the CPU) "
                            + "and check it with clinfo as the server's OS user; or use device => 'auto' or 'cpu'");
        }
        return p.device();
    }

    /** E.g. {@code OpenCL CPU device 'pthread-skylake-avx512' (Portable Computing Language)}. */
    public static String describe(OpenCLDevice d) {
        return "OpenCL " + d.getType() + " device '" + d.getName() + "' (" + d.getOpenCLPlatform().getName() + ")";
    }

    private static Probe doProbe() {
        AparapiNativeLibrary.load();
        boolean loaded;
        try {
            loaded = OpenCLLoader.isOpenCLAvailable();
        } catch (LinkageError | RuntimeException e) {
            return new Probe(null, List.of(), "Aparapi's native library did not load (" + e + ")");
        }
        if (!loaded) {
            return new Probe(null, List.of(), "Aparapi's native library or libOpenCL.so.1 did not load "
                    + "(install ocl-icd-libopencl1)");
        }
        List<OpenCLDevice> devices;
        try {
            devices = OpenCLDevice.listDevices(null);
        } catch (LinkageError | RuntimeException e) {
            return new Probe(null, List.of(), "listing OpenCL devices failed (" + e + ")");
        }
        if (devices.isEmpty()) {
            String vendors = System.getenv("OCL_ICD_VENDORS");
            return new Probe(null, List.of(), "no OpenCL platform or device was found (ICD vendor list: "
                    + (vendors != null ? "OCL_ICD_VENDORS=" + vendors : "/etc/OpenCL/vendors") + ")");
        }
        List<String> all = devices.stream().map(OpenClDevices::describe).toList();
        OpenCLDevice best = devices.stream()
                .min(Comparator.comparingInt((OpenCLDevice d) -> rank(d.getType()))
                        .thenComparing(Comparator.comparingInt(OpenCLDevice::getMaxComputeUnits).reversed()))
                .orElseThrow();
        return new Probe(best, all, null);
    }

    private static int rank(Device.TYPE type) {
        return switch (type) {
            case GPU -> 0;
            case ACC -> 1;
            case CPU -> 2;
            default -> 3;
        };
    }
}
