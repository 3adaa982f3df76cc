package org.corgipile.datasets;

/**
 * Apache Arrow's memory module reads the address of direct buffers by reflection and needs
 * {@code --add-opens=java.base/java.nio=ALL-UNNAMED}; without it its first allocation fails in a static initializer
 * (two stack traces and an {@code ExceptionInInitializerError}). Every Arrow reader and writer calls {@link #check}
 * first, so the failure is one message saying what to do.
 */
public final class ArrowRuntime {
    /** The JVM option Arrow needs (the ./corgipile launcher passes it). */
    public static final String JVM_OPTION = "--add-opens=java.base/java.nio=ALL-UNNAMED";

    private ArrowRuntime() {
    }

    /** True when java.nio is open to this code, as Arrow's memory module needs. */
    public static boolean usable() {
        return Object.class.getModule().isOpen("java.nio", ArrowRuntime.class.getModule());
    }

    /** Throws {@link UnsupportedOperationException} with the JVM option to add when Arrow cannot run in this JVM. */
    public static void check() {
        if (!usable()) {
            throw new UnsupportedOperationException("Arrow files need the JVM option " + JVM_OPTION
                    + " (the ./corgipile launcher passes it; with java -cp or java -jar, add it before -cp / -jar)");
        }
    }
}
