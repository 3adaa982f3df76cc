package org.corgipile.client;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Writes predicted rows ({@link Predictions.RowSink}) to an Arrow IPC file, typed for pandas/polars: integer columns
 * as int64, real/double/numeric as float64, boolean as bool, numeric arrays as list&lt;float64&gt; (feature vectors),
 * anything else as UTF-8 text, and {@code prediction} as float64. NULL stays null.
 *
 * <p>Rows arrive as PostgreSQL's text output (what the query returned), so every type converts through one parser;
 * record batches are flushed every {@value #BATCH_ROWS} rows so memory stays bounded. Dataset tables (id, label,
 * features) export with {@code org.corgipile.datasets.ArrowExport}, which this class does not duplicate.
 */
final class ArrowPredictionWriter implements Predictions.RowSink, AutoCloseable {
    private static final int BATCH_ROWS = 8192;

    private enum Kind { INT, FLOAT, BOOL, FLOAT_LIST, TEXT }

    private final Path file;
    private BufferAllocator allocator;
    private VectorSchemaRoot root;
    private FileChannel channel;
    private ArrowFileWriter writer;
    private Kind[] kinds;
    private int batchRows;
    private long rows;

    ArrowPredictionWriter(Path file) {
        this.file = file;
    }

    long rows() {
        return rows;
    }

    @Override
    public void header(List<String> columns, List<String> pgTypes) throws IOException {
        List<Field> fields = new ArrayList<>();
        kinds = new Kind[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
            kinds[i] = i == columns.size() - 1 ? Kind.FLOAT : kind(pgTypes.get(i));
            fields.add(field(columns.get(i), kinds[i]));
        }
        allocator = new RootAllocator();
        root = VectorSchemaRoot.create(new Schema(fields), allocator);
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        writer = new ArrowFileWriter(root, null, channel);
        writer.start();
        root.allocateNew();
    }

    private static Kind kind(String pgType) {
        return switch (pgType) {
            case "int2", "int4", "int8", "oid" -> Kind.INT;
            case "float4", "float8", "numeric" -> Kind.FLOAT;
            case "bool" -> Kind.BOOL;
            case "_float4", "_float8", "_numeric", "_int2", "_int4", "_int8" -> Kind.FLOAT_LIST;
            default -> Kind.TEXT;
        };
    }

    private static Field field(String name, Kind kind) {
        ArrowType f64 = new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
        return switch (kind) {
            case INT -> new Field(name, FieldType.nullable(new ArrowType.Int(64, true)), null);
            case FLOAT -> new Field(name, FieldType.nullable(f64), null);
            case BOOL -> new Field(name, FieldType.nullable(ArrowType.Bool.INSTANCE), null);
            case FLOAT_LIST -> new Field(name, FieldType.nullable(ArrowType.List.INSTANCE),
                    List.of(new Field("item", FieldType.nullable(f64), null)));
            case TEXT -> new Field(name, FieldType.nullable(ArrowType.Utf8.INSTANCE), null);
        };
    }

    @Override
    public void row(List<String> values, double prediction) throws IOException {
        int n = kinds.length;
        for (int i = 0; i < n - 1; i++) {
            set(root.getVector(i), kinds[i], values.get(i));
        }
        Float8Vector p = (Float8Vector) root.getVector(n - 1);
        if (Double.isNaN(prediction)) {
            p.setNull(batchRows);
        } else {
            p.setSafe(batchRows, prediction);
        }
        batchRows++;
        rows++;
        if (batchRows == BATCH_ROWS) {
            flush();
        }
    }

    private void set(FieldVector v, Kind kind, String text) {
        int row = batchRows;
        if (text == null) {
            if (kind == Kind.FLOAT_LIST) {
                ((ListVector) v).setNull(row);
            } else {
                setNull(v, kind, row);
            }
            return;
        }
        switch (kind) {
            case INT -> ((BigIntVector) v).setSafe(row, Long.parseLong(text));
            case FLOAT -> ((Float8Vector) v).setSafe(row, parseDouble(text));
            case BOOL -> ((BitVector) v).setSafe(row, text.equals("t") ? 1 : 0);
            case TEXT -> ((VarCharVector) v).setSafe(row, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            case FLOAT_LIST -> {
                ListVector list = (ListVector) v;
                Float8Vector data = (Float8Vector) list.getDataVector();
                int off = list.startNewValue(row);
                String body = text.substring(1, text.length() - 1);
                int count = 0;
                if (!body.isEmpty()) {
                    for (String e : body.split(",")) {
                        if (e.equals("NULL")) {
                            data.setNull(off + count);
                        } else {
                            data.setSafe(off + count, parseDouble(e));
                        }
                        count++;
                    }
                }
                data.setValueCount(off + count);
                list.endValue(row, count);
            }
        }
    }

    private static void setNull(FieldVector v, Kind kind, int row) {
        switch (kind) {
            case INT -> ((BigIntVector) v).setNull(row);
            case FLOAT -> ((Float8Vector) v).setNull(row);
            case BOOL -> ((BitVector) v).setNull(row);
            default -> ((VarCharVector) v).setNull(row);
        }
    }

    private static double parseDouble(String s) {
        return switch (s) {
            case "NaN" -> Double.NaN;
            case "Infinity" -> Double.POSITIVE_INFINITY;
            case "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(s);
        };
    }

    private void flush() throws IOException {
        for (FieldVector v : root.getFieldVectors()) {
            if (v instanceof ListVector l) {
                l.setLastSet(batchRows - 1);
            }
            v.setValueCount(batchRows);
        }
        root.setRowCount(batchRows);
        writer.writeBatch();
        root.clear();
        root.allocateNew();
        batchRows = 0;
    }

    /** Writes the last batch and the file footer. */
    void finish() throws IOException {
        if (writer == null) {
            throw new IOException("no header: the query produced no columns");
        }
        if (batchRows > 0 || rows == 0) {
            flush();
        }
        writer.end();
    }

    @Override
    public void close() throws IOException {
        try {
            if (writer != null) {
                writer.close();
            }
            if (root != null) {
                root.close();
            }
            if (allocator != null) {
                allocator.close();
            }
        } finally {
            if (channel != null) {
                channel.close();
            }
        }
    }
}
