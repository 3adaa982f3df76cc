package org.corgipile.pg;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The natives of {@code corgipile.so}, registered by the launcher with {@code RegisterNatives} when it creates the
 * JVM inside a PostgreSQL backend.
 *
 * <p>Rules (enforced in C, in the one native frame {@code CorgiNative}): only the backend's main thread may call
 * them, and only while a corgipile SQL function is running; after one of them has thrown a {@link PgException},
 * every later call throws too, and the original PostgreSQL error is re-raised with its SQLSTATE once Java returns.
 * Strings cross as UTF-8 bytes (JNI's own string functions use modified UTF-8, which mangles characters outside the
 * Basic Multilingual Plane). Loading this class outside PostgreSQL is fine; calling a native there throws
 * {@link UnsatisfiedLinkError}.
 */
public final class Natives {
    private static final int ACTIVITY = -1;

    private Natives() {
    }

    /** CHECK_FOR_INTERRUPTS: throws {@link PgException} on cancel, statement_timeout or termination. */
    public static native void checkInterrupts();

    /** Sends a message: level 0 NOTICE, 1 INFO, 2 WARNING, 3 LOG (server log only). */
    static void message(int level, String message) {
        message(level, utf8(message));
    }

    /** Shows {@code activity} in this backend's pg_stat_activity.query until the SQL function returns. */
    static void reportActivity(String activity) {
        message(ACTIVITY, utf8(activity));
    }

    /**
     * Shows {@code activity} in this backend's pg_stat_activity.query beyond this call, until a later call reports
     * an activity with {@link #reportActivity} and returns, or the statement ends: the progress of a statement that
     * calls into Java several times (sharded training's coordinator, between its rounds).
     */
    static void reportActivityKept(String activity) {
        message(ACTIVITY - 1, utf8(activity));
    }

    /**
     * Opens a heap reader and returns the relation's name; {@code info} receives {handle, page count, dimension (the
     * column count for scalar columns, 0 for arrays and sparse pairs: found by reading), sparse (0/1), page count of
     * the TOAST relation (0: none)}.
     * {@code features} is one column, "indices, values" or a comma-separated list of scalar columns. {@code shown}
     * is the relation as the reader's errors name it (null: its name in double quotes).
     */
    static String readerOpen(long relationOid, String label, String features, String shown, long[] info) {
        return new String(readerOpen(relationOid, utf8(label), utf8(features), shown == null ? null : utf8(shown),
                info), StandardCharsets.UTF_8);
    }

    /** The GUC corgipile.buffer_memory, in kB (a plain read of the variable). */
    static int bufferMemoryKb() {
        return (int) backendValue(0);
    }

    /** The OID of this backend's database (MyDatabaseId): the directory base/&lt;oid&gt; of its relation files. */
    static long databaseOid() {
        return backendValue(1);
    }

    /**
     * The setting is_superuser, as {@code current_setting('is_superuser')} shows it: the session's role (or the role
     * of SET ROLE) is a superuser. Not changed inside a SECURITY DEFINER function: its owner's superuser status does
     * not count.
     */
    static boolean superuser() {
        return backendValue(2) != 0;
    }

    /**
     * Puts back HotSpot's handlers of the faults it raises itself (SIGSEGV, SIGBUS, SIGFPE, SIGILL: implicit null
     * checks, polls), as they were when the JVM was created, and returns those that another library had replaced.
     * OpenCL on the CPU does: POCL and its LLVM install crash handlers over HotSpot's when they compile a kernel,
     * after which HotSpot's next fault killed the backend with signal 11 (seen once in CI, GpuTrainingIT, in epoch 5
     * of an OpenCL MLP). Training calls this at every epoch's start and at its end.
     */
    static List<String> keepJvmSignals() {
        long replaced = backendValue(3);
        List<String> names = List.of("SIGSEGV", "SIGBUS", "SIGFPE", "SIGILL"); // the launcher's bit order
        return IntStream.range(0, names.size()).filter(i -> (replaced & 1L << i) != 0).mapToObj(names::get).toList();
    }

    /** Values of the backend (see the callers); on the main thread during a call only, like every native. */
    private static native long backendValue(int which);

    /**
     * Reads pages into {@code rows[offset, offset + length)} (pinned for the call: written in place) and the call's
     * header into {@code header}; see {@link HeapBlockSource} for the format.
     */
    static native int readerReadPages(long handle, long firstPage, int pages, double[] rows, int offset, int length,
                                      double[] header);

    /**
     * Asks the kernel to read pages of the heap, or of its TOAST relation, into the page cache without waiting:
     * posix_fadvise(WILLNEED) per 2 MB. Returns the segment files whose range was not all in the page cache (0: all
     * cached, nothing announced; always 0 where the kernel has no cachestat or the platform no posix_fadvise).
     */
    static native int readerWillNeed(long handle, boolean toast, long firstPage, int pages);

    /**
     * The TOAST page holding the first chunk of the first out-of-line feature value on heap page {@code page} (found
     * through the TOAST index), or -1 when the page has none.
     */
    static native int readerToastBlock(long handle, long page);

    static native void readerClose(long handle);

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static native void message(int level, byte[] utf8);

    private static native byte[] readerOpen(long relationOid, byte[] label, byte[] features, byte[] shown,
                                            long[] info);
}
