package org.corgipile.pg;

import java.nio.ByteBuffer;

/**
 * The natives of {@code corgipile.so}, registered by the launcher with {@code RegisterNatives} when it creates the
 * JVM inside a PostgreSQL backend.
 *
 * <p>Rules (enforced in C): only the backend's main thread may call them, and only while a corgipile SQL function
 * is running; after one of them has thrown a {@link PgException}, every later call throws too, and the original
 * PostgreSQL error is re-raised with its SQLSTATE once Java returns. Loading this class outside PostgreSQL is fine;
 * calling a native there throws {@link UnsatisfiedLinkError}.
 */
public final class Natives {
    private Natives() {
    }

    /** CHECK_FOR_INTERRUPTS: throws {@link PgException} on cancel, statement_timeout or termination. */
    public static native void checkInterrupts();

    /** Sends a message: level 0 NOTICE, 1 INFO, 2 WARNING, 3 LOG (server log only). */
    static native void message(int level, String message);

    /** Shows {@code activity} in this backend's pg_stat_activity.query until the SQL function returns. */
    static native void reportActivity(String activity);

    /** Opens a heap reader; returns its handle. */
    static native long readerOpen(long relationOid, String label, String features, int sparseDimension);

    /** {page count, dimension, sparse (0/1), tuples skipped so far because of NULLs}. */
    static native long[] readerInfo(long handle);

    /** Reads pages into {@code buffer} (direct, native order); see {@link HeapBlockSource} for the format. */
    static native int readerReadPages(long handle, long firstPage, int pages, long nextFirstPage, ByteBuffer buffer);

    static native void readerClose(long handle);
}
