package org.corgipile.datasets.copy;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

import org.corgipile.datasets.FeatureKind;
import org.corgipile.datasets.LabelType;
import org.corgipile.datasets.Record;
import org.corgipile.datasets.TableShape;

/**
 * Decodes {@code COPY (SELECT id, label, features...) TO STDOUT (FORMAT binary)} into {@link Record}s: the
 * mirror of {@link BinaryCopyWriter}, used by the Arrow export so tables leave PostgreSQL without text
 * formatting of floats.
 */
public final class BinaryCopyReader {
    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};

    private final DataInputStream in;
    private final TableShape shape;

    public BinaryCopyReader(InputStream in, TableShape shape) throws IOException {
        this.in = new DataInputStream(in);
        this.shape = shape;
        byte[] sig = new byte[SIGNATURE.length];
        this.in.readFully(sig);
        if (!Arrays.equals(sig, SIGNATURE)) {
            throw new IOException("not a binary COPY stream (bad signature)");
        }
        this.in.readInt(); // flags
        int ext = this.in.readInt();
        this.in.skipNBytes(ext);
    }

    /** Reads the next row; false at the trailer. */
    public boolean next(Record r) throws IOException {
        short fields = in.readShort();
        if (fields == -1) {
            return false;
        }
        int want = shape.kind() == FeatureKind.DENSE ? 3 : 4;
        if (fields != want) {
            throw new IOException("expected " + want + " columns per row, got " + fields);
        }
        r.clear();
        notNull(in.readInt(), "id");
        r.id = in.readLong();
        int len = notNull(in.readInt(), "label");
        r.label = shape.labelType() == LabelType.INT ? in.readInt() : in.readDouble();
        if (shape.labelType() == LabelType.INT && len != 4 || shape.labelType() == LabelType.FLOAT8 && len != 8) {
            throw new IOException("unexpected label width " + len);
        }
        if (shape.kind() == FeatureKind.DENSE) {
            int n = arrayHeader("features", BinaryCopyWriter.OID_FLOAT8);
            double[] d = r.dense(n);
            for (int i = 0; i < n; i++) {
                notNull(in.readInt(), "features element");
                d[i] = in.readDouble();
            }
        } else {
            int n = arrayHeader("indices", BinaryCopyWriter.OID_INT4);
            int[] idx = new int[n];
            for (int i = 0; i < n; i++) {
                notNull(in.readInt(), "indices element");
                idx[i] = in.readInt();
            }
            int m = arrayHeader("vals", BinaryCopyWriter.OID_FLOAT8);
            if (m != n) {
                throw new IOException("row " + r.id + ": indices has " + n + " elements but vals has " + m);
            }
            for (int i = 0; i < n; i++) {
                notNull(in.readInt(), "vals element");
                r.addSparse(idx[i], in.readDouble());
            }
        }
        return true;
    }

    private int arrayHeader(String col, int oid) throws IOException {
        notNull(in.readInt(), col);
        int ndim = in.readInt();
        in.readInt(); // has-nulls flag; a null element is caught per element
        int elem = in.readInt();
        if (elem != oid) {
            throw new IOException(col + ": element type OID " + elem + ", expected " + oid);
        }
        if (ndim == 0) {
            return 0;
        }
        if (ndim != 1) {
            throw new IOException(col + ": " + ndim + "-dimensional array, expected 1");
        }
        int n = in.readInt();
        in.readInt(); // lower bound
        return n;
    }

    private static int notNull(int len, String what) throws IOException {
        if (len < 0) {
            throw new IOException(what + " is NULL");
        }
        return len;
    }
}
