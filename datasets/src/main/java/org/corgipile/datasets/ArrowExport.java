package org.corgipile.datasets;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.corgipile.datasets.copy.BinaryCopyWriter;
import org.corgipile.operators.copy.BinaryCopyReader;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyInputStream;

/**
 * Writes a dataset table to an Arrow IPC file: {@code id} int64, {@code label} int32 or float64, and either
 * {@code features} list&lt;float64&gt; or {@code indices} list&lt;int32&gt; + {@code vals} list&lt;float64&gt;.
 * Rows leave the server by binary COPY in physical (storage) order, so a clustered table exports clustered; the
 * file imports back unchanged with {@code dataset import FILE --format arrow}.
 */
public final class ArrowExport {
    /** Values (not rows) per record batch: keeps a batch near 8 MB whether rows are 18 or 2000 wide. */
    private static final int BATCH_VALUES = 1 << 20;

    private ArrowExport() {
    }

    /** Exports {@code table} to {@code file} (overwritten); returns the number of rows written. */
    public static long export(Connection conn, String table, Path file) throws IOException, SQLException {
        ArrowRuntime.check();
        TableShape shape = shapeOf(conn, table);
        String sql = "COPY (SELECT " + shape.columnNamesSql() + " FROM " + table + ") TO STDOUT (FORMAT binary)";
        boolean dense = shape.kind() == FeatureKind.DENSE;
        ArrowType labelType = shape.labelType() == LabelType.INT ? new ArrowType.Int(32, true)
                : new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
        Field id = new Field("id", FieldType.notNullable(new ArrowType.Int(64, true)), null);
        Field label = new Field("label", FieldType.notNullable(labelType), null);
        Schema schema = dense
                ? new Schema(List.of(id, label, list("features", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE))))
                : new Schema(List.of(id, label, list("indices", new ArrowType.Int(32, true)),
                        list("vals", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE))));
        long rows = 0;
        try (BufferAllocator alloc = new RootAllocator();
             VectorSchemaRoot root = VectorSchemaRoot.create(schema, alloc);
             FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.TRUNCATE_EXISTING);
             ArrowFileWriter writer = new ArrowFileWriter(root, null, ch);
             PGCopyInputStream in = new PGCopyInputStream(conn.unwrap(PGConnection.class), sql)) {
            BinaryCopyReader reader = new BinaryCopyReader(in);
            writer.start();
            Record r = new Record();
            int batchRows = 0;
            int batchValues = 0;
            root.allocateNew();
            while (next(reader, shape, r)) {
                ((BigIntVector) root.getVector("id")).setSafe(batchRows, r.id);
                if (shape.labelType() == LabelType.INT) {
                    ((IntVector) root.getVector("label")).setSafe(batchRows, (int) r.label);
                } else {
                    ((Float8Vector) root.getVector("label")).setSafe(batchRows, r.label);
                }
                if (dense) {
                    batchValues += putDoubles((ListVector) root.getVector("features"), batchRows, r.dense, r.dense.length);
                } else {
                    ListVector idx = (ListVector) root.getVector("indices");
                    int off = idx.startNewValue(batchRows);
                    IntVector data = (IntVector) idx.getDataVector();
                    for (int i = 0; i < r.nnz; i++) {
                        data.setSafe(off + i, r.indices[i]);
                    }
                    data.setValueCount(off + r.nnz);
                    idx.endValue(batchRows, r.nnz);
                    batchValues += 2 * putDoubles((ListVector) root.getVector("vals"), batchRows, r.values, r.nnz);
                }
                batchRows++;
                rows++;
                if (batchValues >= BATCH_VALUES || batchRows >= 65536) {
                    flush(root, writer, batchRows);
                    batchRows = 0;
                    batchValues = 0;
                }
            }
            if (batchRows > 0 || rows == 0) {
                flush(root, writer, batchRows);
            }
            writer.end();
        }
        return rows;
    }

    /**
     * Decodes the next row of {@code COPY (SELECT id, label, features...) TO STDOUT (FORMAT binary)} into {@code r}
     * (the mirror of {@link BinaryCopyWriter#write}); false at the trailer.
     */
    static boolean next(BinaryCopyReader in, TableShape shape, Record r) throws IOException {
        int fields = in.nextRow();
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
            int n = arrayHeader(in, "features", BinaryCopyWriter.OID_FLOAT8);
            if (!in.readDoubleElements(n, r.dense(n), 0)) {
                throw new IOException("features element is NULL");
            }
        } else {
            int n = arrayHeader(in, "indices", BinaryCopyWriter.OID_INT4);
            int[] idx = new int[n];
            if (!in.readIntElements(n, idx, 0)) {
                throw new IOException("indices element is NULL");
            }
            int m = arrayHeader(in, "vals", BinaryCopyWriter.OID_FLOAT8);
            if (m != n) {
                throw new IOException("row " + r.id + ": indices has " + n + " elements but vals has " + m);
            }
            double[] vals = new double[n];
            if (!in.readDoubleElements(n, vals, 0)) {
                throw new IOException("vals element is NULL");
            }
            for (int i = 0; i < n; i++) {
                r.addSparse(idx[i], vals[i]);
            }
        }
        return true;
    }

    private static int arrayHeader(BinaryCopyReader in, String col, int oid) throws IOException {
        notNull(in.readInt(), col);
        int n = in.readArrayHeader();
        if (in.arrayElementType() != oid) {
            throw new IOException(col + ": element type OID " + in.arrayElementType() + ", expected " + oid);
        }
        if (in.arrayDimensions() > 1) {
            throw new IOException(col + ": " + in.arrayDimensions() + "-dimensional array, expected 1");
        }
        return n;
    }

    private static int notNull(int len, String what) throws IOException {
        if (len < 0) {
            throw new IOException(what + " is NULL");
        }
        return len;
    }

    private static Field list(String name, ArrowType element) {
        return new Field(name, FieldType.notNullable(new ArrowType.List()),
                List.of(new Field("item", FieldType.notNullable(element), null)));
    }

    private static int putDoubles(ListVector list, int row, double[] v, int n) {
        int off = list.startNewValue(row);
        Float8Vector data = (Float8Vector) list.getDataVector();
        for (int i = 0; i < n; i++) {
            data.setSafe(off + i, v[i]);
        }
        data.setValueCount(off + n);
        list.endValue(row, n);
        return n;
    }

    private static void flush(VectorSchemaRoot root, ArrowFileWriter writer, int rows) throws IOException {
        root.getFieldVectors().forEach(v -> {
            if (!(v instanceof ListVector)) {
                v.setValueCount(rows);
            }
        });
        for (var v : root.getFieldVectors()) {
            if (v instanceof ListVector l) {
                l.setLastSet(rows - 1);
                l.setValueCount(rows);
            }
        }
        root.setRowCount(rows);
        writer.writeBatch();
        root.clear();
        root.allocateNew();
    }

    /**
     * Reads the table's columns and checks it is a dataset table ({@code id bigint, label int|float8} and dense or
     * sparse features).
     */
    public static TableShape shapeOf(Connection conn, String table) throws SQLException {
        Map<String, String> cols = new LinkedHashMap<>();
        try (PreparedStatement ps = conn.prepareStatement("SELECT attname, format_type(atttypid, atttypmod) "
                + "FROM pg_attribute WHERE attrelid = to_regclass(?) AND attnum > 0 AND NOT attisdropped "
                + "ORDER BY attnum")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    cols.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        if (cols.isEmpty()) {
            throw new IllegalArgumentException("table " + table + " does not exist");
        }
        String expected = "; expected (id bigint, label int|float8, features float8[]) or "
                + "(id bigint, label int|float8, indices int[], vals float8[]), found " + cols;
        if (!"bigint".equals(cols.get("id"))) {
            throw new IllegalArgumentException("table " + table + " has no column id bigint" + expected);
        }
        String lt = cols.get("label");
        LabelType labelType = "integer".equals(lt) ? LabelType.INT
                : "double precision".equals(lt) ? LabelType.FLOAT8 : null;
        if (labelType == null) {
            throw new IllegalArgumentException("table " + table + " has no column label int or float8" + expected);
        }
        if ("double precision[]".equals(cols.get("features"))) {
            return TableShape.dense(labelType, 0);
        }
        if ("integer[]".equals(cols.get("indices")) && "double precision[]".equals(cols.get("vals"))) {
            return TableShape.sparse(labelType, 0);
        }
        throw new IllegalArgumentException("table " + table + " has neither features float8[] nor indices int[] "
                + "+ vals float8[]" + expected);
    }
}
