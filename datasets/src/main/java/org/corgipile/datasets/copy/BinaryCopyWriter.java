package org.corgipile.datasets.copy;

import java.sql.SQLException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

import org.corgipile.datasets.FeatureKind;
import org.corgipile.datasets.LabelType;
import org.corgipile.datasets.Record;
import org.corgipile.datasets.TableShape;
import org.corgipile.operators.TrainingException;
import org.postgresql.copy.CopyIn;

/**
 * Encodes rows in PostgreSQL's binary COPY format and sends them through PgJDBC's {@link CopyIn} in batches.
 *
 * <p>Why binary: text COPY makes the server parse every float with {@code float8in}, which dominates loading time
 * for wide rows; binary sends the 8 IEEE bytes the server stores. Arrays go as PostgreSQL's array send format
 * (ndim, has-nulls flag, element type OID, dimension and lower bound, then length-prefixed elements).
 *
 * <p>Rows are encoded into a reusable byte array; whenever it holds {@link #BATCH_BYTES} or more it is handed to a
 * sender thread that writes it to the driver while the caller parses or generates the next batch. Producing rows
 * (a generator draws ~28 Gaussians per row, a parser converts text) and PostgreSQL's work on the previous batch
 * then overlap instead of taking turns; three buffers circulate, so memory stays at a few MB and nothing is
 * allocated per row. Only the sender touches the connection until {@link #finish()} or {@link #cancel()} has
 * joined it.
 */
public final class BinaryCopyWriter {
    /** Bytes gathered before one {@code writeToCopy} call. */
    static final int BATCH_BYTES = 1 << 20;
    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};
    public static final int OID_INT4 = 23;
    public static final int OID_FLOAT8 = 701;

    private static final int BUFFERS = 3;
    private static final Chunk END = new Chunk(new byte[0], 0);

    /** A filled buffer on its way to the sender. */
    private record Chunk(byte[] buf, int len) {
    }

    private final CopyIn copy;
    private final TableShape shape;
    private final BlockingQueue<Chunk> full = new ArrayBlockingQueue<>(BUFFERS + 1);
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(BUFFERS);
    private final Thread sender;
    private volatile SQLException failure;
    private byte[] buf = new byte[BATCH_BYTES + 4096];
    private int pos;
    private long bytesSent;

    public BinaryCopyWriter(CopyIn copy, TableShape shape) {
        this.copy = copy;
        this.shape = shape;
        for (int i = 1; i < BUFFERS; i++) {
            free.add(new byte[BATCH_BYTES + 4096]);
        }
        this.sender = new Thread(this::sendLoop, "corgipile-copy-sender");
        sender.setDaemon(true);
        sender.start();
        for (byte b : SIGNATURE) {
            buf[pos++] = b;
        }
        putInt(0); // flags
        putInt(0); // header extension length
    }

    /** Appends one row {@code (id, label, features...)}. */
    public void write(long id, Record r) throws SQLException {
        int n = shape.kind() == FeatureKind.DENSE ? r.dense.length : r.nnz;
        ensure(64 + 24 * n);
        boolean dense = shape.kind() == FeatureKind.DENSE;
        putShort(dense ? 3 : 4);
        putInt(8);
        putLong(id);
        if (shape.labelType() == LabelType.INT) {
            putInt(4);
            putInt((int) r.label);
        } else {
            putInt(8);
            putLong(Double.doubleToRawLongBits(r.label));
        }
        if (dense) {
            putFloat8Array(r.dense, n);
        } else {
            putInt4Array(r.indices, n);
            putFloat8Array(r.values, n);
        }
        if (pos >= BATCH_BYTES) {
            flush();
        }
    }

    /** Writes the trailer, sends the rest and ends the COPY; returns the number of rows the server reports. */
    public long finish() throws SQLException {
        ensure(2);
        putShort(-1);
        flush();
        stopSender();
        if (failure != null) {
            throw failure;
        }
        return copy.endCopy();
    }

    /** Abandons the COPY (the server rolls back what it received). Never throws. */
    public void cancel() {
        stopSender();
        try {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        } catch (SQLException ignored) {
            // the transaction is rolled back by the caller anyway
        }
    }

    /** Sender thread: writes chunks in order; after a failure it only recycles buffers so the producer never blocks. */
    private void sendLoop() {
        while (true) {
            Chunk c;
            try {
                c = full.take();
            } catch (InterruptedException e) {
                return;
            }
            if (c == END) {
                return;
            }
            if (failure == null) {
                try {
                    copy.writeToCopy(c.buf(), 0, c.len());
                } catch (SQLException e) {
                    failure = e;
                } catch (RuntimeException e) {
                    failure = new SQLException("COPY sender failed: " + e, e);
                }
            }
            free.offer(c.buf());
        }
    }

    private void stopSender() {
        if (!sender.isAlive()) {
            return;
        }
        boolean interrupted = false;
        while (true) {
            try {
                full.put(END);
                sender.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Bytes of COPY data sent so far (the wire size of the table data). */
    public long bytesSent() {
        return bytesSent + pos;
    }

    /** Hands the current buffer to the sender and continues in a free one (waiting while all three are in flight). */
    private void flush() throws SQLException {
        if (failure != null) {
            throw failure;
        }
        if (pos == 0) {
            return;
        }
        try {
            full.put(new Chunk(buf, pos));
            bytesSent += pos;
            buf = free.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while sending COPY data", TrainingException.QUERY_CANCELED, e);
        }
        pos = 0;
    }

    private void ensure(int more) throws SQLException {
        if (pos + more > buf.length) {
            flush();
            if (more > buf.length) {
                buf = new byte[more]; // a row wider than a batch: this buffer joins the pool at its new size
            }
        }
    }

    private void putFloat8Array(double[] a, int n) {
        putInt(n == 0 ? 12 : 20 + 12 * n);
        putArrayHeader(n, OID_FLOAT8);
        for (int i = 0; i < n; i++) {
            putInt(8);
            putLong(Double.doubleToRawLongBits(a[i]));
        }
    }

    private void putInt4Array(int[] a, int n) {
        putInt(n == 0 ? 12 : 20 + 8 * n);
        putArrayHeader(n, OID_INT4);
        for (int i = 0; i < n; i++) {
            putInt(4);
            putInt(a[i]);
        }
    }

    /** An empty array is written with zero dimensions, which is how PostgreSQL itself represents '{}'. */
    private void putArrayHeader(int n, int elementOid) {
        putInt(n == 0 ? 0 : 1);
        putInt(0);
        putInt(elementOid);
        if (n > 0) {
            putInt(n);
            putInt(1);
        }
    }

    private void putShort(int v) {
        buf[pos++] = (byte) (v >>> 8);
        buf[pos++] = (byte) v;
    }

    private void putInt(int v) {
        buf[pos++] = (byte) (v >>> 24);
        buf[pos++] = (byte) (v >>> 16);
        buf[pos++] = (byte) (v >>> 8);
        buf[pos++] = (byte) v;
    }

    private void putLong(long v) {
        putInt((int) (v >>> 32));
        putInt((int) v);
    }
}
