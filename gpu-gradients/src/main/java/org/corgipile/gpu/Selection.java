package org.corgipile.gpu;

/**
 * The outcome of {@link GradientDevices#select}: the gradient to train with and, for the epoch log and the model's
 * provenance, which device computes it and why. Close it when the training ends (disposes the OpenCL kernel).
 *
 * <p>With {@code device => 'auto'} the answer can change once during training: if Aparapi falls back from OpenCL
 * mid-way, the gradient switches to the Java reference and {@link #deviceName()}, {@link #openCl()} and
 * {@link #note()} say so from then on.
 */
public final class Selection implements AutoCloseable {
    private final String requested;
    private final DenseGradient gradient;
    private volatile String deviceName;
    private volatile boolean openCl;
    private volatile String note;

    Selection(String requested, DenseGradient gradient, String deviceName, boolean openCl, String note) {
        this.requested = requested;
        this.gradient = gradient;
        this.deviceName = deviceName;
        this.openCl = openCl;
        this.note = note;
    }

    /** What the user asked for: cpu, gpu or auto. */
    public String requested() {
        return requested;
    }

    /** The gradient to call from the compute thread. */
    public DenseGradient gradient() {
        return gradient;
    }

    /** The device computing the gradient, e.g. {@code OpenCL CPU device '...' (Portable Computing Language)}. */
    public String deviceName() {
        return deviceName;
    }

    /** True when the gradient runs as an OpenCL kernel. */
    public boolean openCl() {
        return openCl;
    }

    /** One sentence for the log: what was picked (naming the OpenCL device) and why. */
    public String note() {
        return note;
    }

    void switchedToJava(String why) {
        this.deviceName = GradientDevices.JAVA_DEVICE;
        this.openCl = false;
        this.note = why;
    }

    @Override
    public void close() {
        gradient.close();
    }

    @Override
    public String toString() {
        return requested + " -> " + deviceName + ": " + note;
    }
}
