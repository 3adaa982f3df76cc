package org.corgipile.operators.copy;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads PostgreSQL's binary COPY format ({@code COPY ... TO STDOUT (FORMAT binary)}) from a stream: the header,
 * then rows of length-prefixed fields, then the {@code -1} trailer. All integers are big-endian.
 *
 * <p>Why a hand-written reader: the feature arrays are the bulk of the bytes, and going through
 * {@code ResultSet.getArray()} would parse text or box every element. Here the bytes land in one reusable window
 * and are read with big-endian {@link VarHandle} views (intrinsics), so decoding a {@code float8[]} is a loop of
 * 8-byte loads. The window grows to the largest field seen; it is refilled from the stream when a read needs more
 * bytes than it holds, so memory stays bounded whatever the range size.
 *
 * <p>The one binary COPY decoder of the codebase: the client's {@code JdbcBlockSource} reads block ranges with it,
 * the datasets module's Arrow export reads whole tables with it (its writer is {@code BinaryCopyWriter} there). It
 * is a pure-JDK byte codec (an {@link InputStream} in, primitives out), which is why it lives here, below both.
 */
public final class BinaryCopyReader {
    private static final byte[] SIGNATURE = "PGCOPY\n\377\r\n\0".getBytes(StandardCharsets.ISO_8859_1);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final InputStream in;
    private byte[] buf = new byte[1 << 16];
    private int pos;
    private int limit;
    private int arrayDimensions;
    private int arrayElementType;
    private boolean arrayHasNulls;

    public BinaryCopyReader(InputStream in) throws IOException {
        this.in = in;
        require(SIGNATURE.length + 8);
        if (!Arrays.equals(buf, 0, SIGNATURE.length, SIGNATURE, 0, SIGNATURE.length)) {
            throw new IOException("not a binary COPY stream (bad signature)");
        }
        pos = SIGNATURE.length + 4;          // signature, flags
        int extension = readInt();
        skip(extension);
    }

    /** Starts the next row; returns its field count, or -1 at the trailer. */
    public int nextRow() throws IOException {
        return readShort();
    }

    public int readInt() throws IOException {
        require(4);
        int v = (int) INT.get(buf, pos);
        pos += 4;
        return v;
    }

    public short readShort() throws IOException {
        require(2);
        short v = (short) SHORT.get(buf, pos);
        pos += 2;
        return v;
    }

    public long readLong() throws IOException {
        require(8);
        long v = (long) LONG.get(buf, pos);
        pos += 8;
        return v;
    }

    public double readDouble() throws IOException {
        require(8);
        double v = Double.longBitsToDouble((long) LONG.get(buf, pos));
        pos += 8;
        return v;
    }

    /**
     * Reads an array value's header (after its field length): dimensions, has-nulls flag, element type, then per
     * dimension its length and lower bound. Returns the total element count; a multi-dimensional array is reported
     * through {@link #arrayDimensions()} and its element count is the product of its lengths.
     */
    public int readArrayHeader() throws IOException {
        arrayDimensions = readInt();
        arrayHasNulls = readInt() != 0;
        arrayElementType = readInt();                     // element type OID, fixed by the query's casts
        int n = arrayDimensions == 0 ? 0 : 1;
        for (int i = 0; i < arrayDimensions; i++) {
            n *= readInt();
            readInt();                                    // lower bound
        }
        return n;
    }

    public int arrayDimensions() {
        return arrayDimensions;
    }

    /** The element type OID of the last array header read (int4 = 23, float8 = 701). */
    public int arrayElementType() {
        return arrayElementType;
    }

    public boolean arrayHasNulls() {
        return arrayHasNulls;
    }

    /**
     * Reads {@code n} {@code float8} array elements, each prefixed by its int32 length, into {@code out} from
     * {@code offset}. Returns false (after consuming the elements) when one of them is NULL.
     */
    public boolean readDoubleElements(int n, double[] out, int offset) throws IOException {
        boolean noNull = true;
        for (int i = 0; i < n; i++) {
            int len = readInt();
            if (len == 8) {
                require(8);
                out[offset + i] = Double.longBitsToDouble((long) LONG.get(buf, pos));
                pos += 8;
            } else if (len == -1) {
                noNull = false;
            } else {
                throw new IOException("float8 array element of " + len + " bytes");
            }
        }
        return noNull;
    }

    /** As {@link #readDoubleElements} for {@code int4} elements. */
    public boolean readIntElements(int n, int[] out, int offset) throws IOException {
        boolean noNull = true;
        for (int i = 0; i < n; i++) {
            int len = readInt();
            if (len == 4) {
                out[offset + i] = readInt();
            } else if (len == -1) {
                noNull = false;
            } else {
                throw new IOException("int4 array element of " + len + " bytes");
            }
        }
        return noNull;
    }

    public void skip(int n) throws IOException {
        while (n > 0) {
            if (pos == limit && !fill()) {
                throw new EOFException("binary COPY stream ended early");
            }
            int step = Math.min(n, limit - pos);
            pos += step;
            n -= step;
        }
    }

    /** Makes {@code n} bytes available at {@code pos}. */
    private void require(int n) throws IOException {
        if (limit - pos >= n) {
            return;
        }
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, limit - pos);
            limit -= pos;
            pos = 0;
        }
        if (n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(n, buf.length * 2));
        }
        while (limit < n) {
            if (!fill()) {
                throw new EOFException("binary COPY stream ended early");
            }
        }
    }

    private boolean fill() throws IOException {
        if (limit == buf.length) {
            if (pos > 0) {
                System.arraycopy(buf, pos, buf, 0, limit - pos);
                limit -= pos;
                pos = 0;
            } else {
                buf = Arrays.copyOf(buf, buf.length * 2);
            }
        }
        int r = in.read(buf, limit, buf.length - limit);
        if (r < 0) {
            return false;
        }
        limit += r;
        return true;
    }
}
