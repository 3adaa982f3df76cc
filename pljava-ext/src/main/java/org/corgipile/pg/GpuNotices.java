package org.corgipile.pg;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Turns what gpu-gradients logs about the device (logger {@code org.corgipile.gpu}: which OpenCL device
 * {@code gpu} picked, why {@code auto} stayed on the CPU, a switch to Java mid-training) into NOTICEs of the
 * {@code train_sgd} call, so the analyst in psql sees it, not only the server log.
 *
 * <p>Records may be published on any thread (the compute thread logs a mid-training fallback), but natives may only
 * be called on the backend's main thread: records are queued and {@link #drain()}ed by the main thread, at each
 * epoch boundary and when training has returned.
 */
final class GpuNotices extends Handler implements AutoCloseable {
    /** Held strongly: java.util.logging keeps loggers only weakly, and a collected logger loses its handlers. */
    private static final Logger GPU = Logger.getLogger("org.corgipile.gpu");

    private final Queue<String> pending = new ConcurrentLinkedQueue<>();

    private GpuNotices() {
        setLevel(Level.INFO);
        setFormatter(new SimpleFormatter());
    }

    /** Starts collecting; {@link #close()} stops. */
    static GpuNotices attach() {
        GpuNotices h = new GpuNotices();
        GPU.addHandler(h);
        return h;
    }

    @Override
    public void publish(LogRecord r) {
        if (isLoggable(r)) {
            pending.add(getFormatter().formatMessage(r));
        }
    }

    /** Sends the queued messages as NOTICEs; main thread only. */
    void drain() {
        for (String m = pending.poll(); m != null; m = pending.poll()) {
            Natives.message(0, "device: " + m);
        }
    }

    @Override
    public void flush() {
        // nothing buffered outside the queue; drain() delivers it
    }

    @Override
    public void close() {
        GPU.removeHandler(this);
    }
}
