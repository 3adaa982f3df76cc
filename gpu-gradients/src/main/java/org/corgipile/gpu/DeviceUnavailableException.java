package org.corgipile.gpu;

import org.corgipile.operators.TrainingException;

/**
 * The requested compute device cannot be used: no OpenCL platform or device, the kernel did not compile for it or
 * run on it, or Aparapi fell back to its Java thread pool instead of running the kernel on OpenCL. A
 * {@link TrainingException} with SQLSTATE 0A000 (feature_not_supported, the state the trainer uses for
 * "device => 'gpu' cannot be served") and a hint, so the in-database side raises it like any training error.
 */
public final class DeviceUnavailableException extends TrainingException {

    public DeviceUnavailableException(String message, String hint) {
        super(FEATURE_NOT_SUPPORTED, message, hint);
    }

    public DeviceUnavailableException(String message, String hint, Throwable cause) {
        super(FEATURE_NOT_SUPPORTED, message, hint, cause);
    }
}
