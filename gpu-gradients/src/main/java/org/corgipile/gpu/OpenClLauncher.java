package org.corgipile.gpu;

import com.aparapi.Kernel;
import com.aparapi.device.Device;
import com.aparapi.device.OpenCLDevice;
import com.aparapi.internal.kernel.KernelManager;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Launches one Aparapi kernel on one OpenCL device and proves every launch really ran there.
 *
 * <p>Aparapi's failure mode is silence: when OpenCL is missing, the kernel does not translate or compile, or the
 * device rejects it, {@code execute} still returns (with correct results) after running the kernel on a Java
 * thread pool. Checking {@link Kernel#isRunningCL()} and the target device after each launch turns that silent
 * fallback into a {@link DeviceUnavailableException}; callers that asked for {@code auto} catch it and switch to the
 * Java reference, callers that asked for {@code gpu} let it fail the training.
 *
 * <p>Work-group size: 64 on GPUs (a multiple of every vendor's wavefront); on CPU devices (POCL) it is halved
 * until there are at least four work-groups per compute unit, because POCL spreads work-groups, not items, over its
 * threads.
 */
final class OpenClLauncher {
    private static final int GPU_LOCAL_SIZE = 64;

    private final Kernel kernel;
    private final OpenCLDevice device;
    private final int maxLocal;
    private long launches;
    private boolean disposed;

    OpenClLauncher(Kernel kernel, OpenCLDevice device) {
        this.kernel = kernel;
        this.device = device;
        kernel.setExplicit(true);
        LinkedHashSet<Device> only = new LinkedHashSet<>(List.of(device));
        KernelManager.instance().setPreferredDevices(kernel, only);
        this.maxLocal = Math.max(1, Math.min(GPU_LOCAL_SIZE, device.getMaxWorkGroupSize()));
    }

    /**
     * Runs one launch in which every work item returns at once (the caller has set the kernel up so), before any
     * data is involved. It translates and compiles the kernel for the device, so a device that cannot run it is
     * reported at selection time, and it leaves Aparapi's native context fully initialised: Aparapi 3.0.2 crashes
     * (SIGSEGV in {@code JNIContext::dispose}) when a kernel that was compiled but never executed is disposed.
     * On failure the kernel is disposed here and the exception propagates.
     */
    void warmUp() {
        try {
            launch(1);
            launches = 0;
        } catch (DeviceUnavailableException e) {
            dispose();
            throw e;
        }
    }

    /** Runs {@code items} work items (padded up to whole work-groups) and fails if they did not run on OpenCL. */
    void launch(int items) {
        if (disposed) {
            throw new IllegalStateException("the OpenCL kernel was disposed; create a new gradient per training");
        }
        int local = maxLocal;
        if (device.getType() != Device.TYPE.GPU) {
            int minGroups = 4 * Math.max(1, device.getMaxComputeUnits());
            while (local > 1 && (items + local - 1) / local < minGroups) {
                local >>= 1;
            }
        }
        int global = (items + local - 1) / local * local;
        try {
            kernel.execute(device.createRange(global, local));
        } catch (RuntimeException | AssertionError e) {
            // Aparapi reports an execution mode that excludes OpenCL (-Dcom.aparapi.executionMode=JTP) by an
            // AssertionError, whatever -ea says.
            throw new DeviceUnavailableException("the OpenCL kernel " + kernel.getClass().getSimpleName()
                    + " did not run on " + OpenClDevices.describe(device) + ": " + e,
                    "the kernels need OpenCL 1.2 with cl_khr_fp64 and Aparapi allowed to use OpenCL "
                            + "(no -Dcom.aparapi.executionMode=JTP); or use device => 'auto' or 'cpu'", e);
        }
        if (!kernel.isRunningCL() || !(kernel.getTargetDevice() instanceof OpenCLDevice)) {
            throw new DeviceUnavailableException("Aparapi fell back from OpenCL to "
                    + (kernel.getTargetDevice() == null ? "Java" : kernel.getTargetDevice().getShortDescription())
                    + " for " + kernel.getClass().getSimpleName() + " on " + OpenClDevices.describe(device),
                    "set -Dcom.aparapi.enableShowGeneratedOpenCL=true and check the JVM log for Aparapi warnings; "
                            + "use device => 'auto' or 'cpu' to train without OpenCL");
        }
        launches++;
    }

    /** True for the CPU shape of the gradient phase (row chunks + reduce), false for the GPU shape. */
    static boolean rowChunksSuit(OpenCLDevice device) {
        return device.getType() != Device.TYPE.GPU;
    }

    /** Most row chunks of the CPU shape: four per compute unit keeps every core busy with few partials to add. */
    int maxChunks() {
        return 4 * Math.max(1, device.getMaxComputeUnits());
    }

    /** Row chunks for a batch: at least 32 rows each, at most {@link #maxChunks()}. */
    int chunksFor(int rows) {
        return Math.max(1, Math.min(maxChunks(), (rows + 31) / 32));
    }

    /** Launches so far that ran on OpenCL. */
    long launches() {
        return launches;
    }

    /** True once every launch so far ran on the OpenCL device (and at least one did). */
    boolean ranOnOpenCl() {
        return launches > 0 && kernel.isRunningCL();
    }

    OpenCLDevice device() {
        return device;
    }

    /** Frees the kernel's device buffers and program; Aparapi leaks native memory for kernels never disposed. */
    void dispose() {
        if (!disposed) {
            disposed = true;
            kernel.dispose();
        }
    }
}
