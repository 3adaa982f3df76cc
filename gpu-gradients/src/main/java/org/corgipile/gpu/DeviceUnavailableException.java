package org.corgipile.gpu;

/**
 * The requested compute device cannot be used: no OpenCL platform or device, the kernel did not compile for it,
 * or Aparapi fell back to its Java thread pool instead of running the kernel on OpenCL. Carries a SQLSTATE and a
 * hint so the in-database side can raise it as a proper PostgreSQL error.
 */
public final class DeviceUnavailableException extends RuntimeException {
    /** SQLSTATE 58000 (system_error): the cause is outside PostgreSQL, in the OpenCL installation. */
    public static final String SQLSTATE = "58000";

    private final String hint;

    public DeviceUnavailableException(String message, String hint) {
        super(message);
        this.hint = hint;
    }

    public DeviceUnavailableException(String message, String hint, Throwable cause) {
        super(message, cause);
        this.hint = hint;
    }

    public String sqlState() {
        return SQLSTATE;
    }

    public String hint() {
        return hint;
    }
}
